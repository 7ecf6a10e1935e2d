package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestMeasureGroupCommitHTTP prints durable writes per second over HTTP
// (POST commitments, one journal per client, read-your-writes included) at
// several concurrencies, with and without group commit, next to the raw
// per-message JetStream publish rate of the same run. It measures, never
// asserts; set COACHJOURNAL_MEASURE=1 (and COACHJOURNAL_MEASURE_SECONDS,
// COACHJOURNAL_MEASURE_ROUNDS, COACHJOURNAL_MEASURE_CLUSTER=1 for an R3
// stream on three in-process nodes).
func TestMeasureGroupCommitHTTP(t *testing.T) {
	if os.Getenv("COACHJOURNAL_MEASURE") == "" {
		t.Skip("set COACHJOURNAL_MEASURE=1 to measure")
	}
	secs, _ := strconv.ParseFloat(os.Getenv("COACHJOURNAL_MEASURE_SECONDS"), 64)
	if secs <= 0 {
		secs = 3
	}
	d := time.Duration(secs * float64(time.Second))
	t.Logf("load: %s", loadAvg())
	t.Logf("%4s %9s %9s %9s %9s %9s %9s %9s %9s", "C", "raw/s", "single/s", "group/s", "group÷raw", "p50 1", "p99 1", "p50 grp", "p99 grp")
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("COACHJOURNAL_MEASURE_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	for _, c := range []int{1, 16, 64} {
		var raws []float64
		var singles, groups []httpResult
		for range rounds { // interleaved, so that a noisy neighbour hits every column
			raws = append(raws, rawRate(t, c, d))
			singles = append(singles, httpRate(t, true, c, d))
			groups = append(groups, httpRate(t, false, c, d))
		}
		slices.Sort(raws)
		raw, single, group := raws[len(raws)/2], medianHTTP(singles), medianHTTP(groups)
		t.Logf("%4d %9.0f %9.0f %9.0f %8.2f× %9s %9s %9s %9s", c, raw, single.rate, group.rate, group.rate/raw,
			msStr(single.p50), msStr(single.p99), msStr(group.p50), msStr(group.p99))
		st := group.stats
		t.Logf("     group commit: %d batches of %d appends, %d singles, %d fallbacks, break-even %d (single %.0f µs, batch %.0f µs + %.1f µs/message)",
			st.Batches, st.BatchedAppends, st.Singles, st.Fallbacks, st.BreakEven, st.SingleSeconds*1e6, st.BatchFixedSeconds*1e6, st.BatchPerMessageSeconds*1e6)
	}
	t.Logf("load: %s", loadAvg())
}

func medianHTTP(rs []httpResult) httpResult {
	slices.SortFunc(rs, func(a, b httpResult) int { return int(a.rate - b.rate) })
	return rs[len(rs)/2]
}

type httpResult struct {
	rate     float64
	p50, p99 time.Duration
	stats    eventstore.GroupCommitStats
}

// measured is a store with its projections and router on a loopback port.
type measured struct {
	store *eventstore.Store
	views *projections.Set
	url   string
	admin string
	stop  func()
}

// With COACHJOURNAL_MEASURE_CLUSTER set, the store is an R3 stream on a
// fresh in-process three-node cluster instead of the embedded server.
func startMeasured(t *testing.T, noGroupCommit bool) *measured {
	o := apitest.Options{NoGroupCommit: noGroupCommit}
	if os.Getenv("COACHJOURNAL_MEASURE_CLUSTER") != "" {
		o.NATSURL, o.Replicas = strings.Join(startCluster(t).urls, ","), 3
	}
	env := apitest.StartWith(t, o)
	return &measured{store: env.Store, views: env.Views, url: env.URL, admin: env.Token("admin-service", domain.RoleAdmin), stop: env.Close}
}

func (m *measured) post(c *http.Client, path string, body string) (int, error) {
	req, _ := http.NewRequest(http.MethodPost, m.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+m.admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func httpRate(t *testing.T, noGroupCommit bool, c int, d time.Duration) httpResult {
	m := startMeasured(t, noGroupCommit)
	defer m.stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * c}}
	paths := make([]string, c)
	for i := range paths {
		id := uuid.New()
		if _, err := m.store.Execute(context.Background(), domain.Write{PersonID: id, Meta: domain.Meta{Actor: domain.Actor{ID: "admin-service", Role: domain.RoleAdmin}, Now: clock.Now()},
			Command: domain.RegisterPerson{Name: fmt.Sprintf("Rep %d", i), Email: "rep@example.com"}}); err != nil {
			t.Fatal(err)
		}
		paths[i] = "/v1/people/" + id.String() + "/commitments"
	}
	last, _ := m.store.LastSequence(context.Background())
	if err := m.views.WaitFor(context.Background(), last); err != nil {
		t.Fatal(err)
	}
	body := `{"text":"book 15 first meetings by Friday and log them","due_on":"2099-01-01"}`
	lat := make([][]time.Duration, c)
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for i := range c {
		wg.Go(func() {
			for time.Now().Before(end) {
				t0 := time.Now()
				status, err := m.post(client, paths[i], body)
				if err != nil || status != http.StatusCreated {
					t.Errorf("client %d: %d %v", i, status, err)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		})
	}
	wg.Wait()
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := httpResult{rate: float64(len(all)) / time.Since(start).Seconds(), stats: m.store.GroupCommitStats()}
	if len(all) > 0 {
		r.p50, r.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	return r
}

// rawRate publishes copies of a real stored commitment.made, each
// conditional on its journal's last sequence, from c publishers.
func rawRate(t *testing.T, c int, d time.Duration) float64 {
	m := startMeasured(t, true)
	defer m.stop()
	id := uuid.New()
	w, err := m.store.Execute(context.Background(), domain.Write{PersonID: id, Meta: domain.Meta{Actor: domain.Actor{ID: "admin-service", Role: domain.RoleAdmin}, Now: clock.Now()},
		Command: domain.RegisterPerson{Name: "Nia", Email: "nia@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	js := m.store.JetStream()
	st, _ := js.Stream(context.Background(), "JOURNAL")
	raw, err := st.GetMsg(context.Background(), w.Event.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	n := 0
	start := time.Now()
	end := start.Add(d)
	for range c {
		wg.Go(func() {
			id := uuid.New()
			var last uint64
			k := 0
			for time.Now().Before(end) {
				msg := nats.NewMsg(eventstore.Subject(id, domain.TypeCommitmentMade))
				msg.Data = raw.Data
				msg.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(last, 10))
				msg.Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, eventstore.JournalSubjects(id))
				ack, err := js.PublishMsg(context.Background(), msg)
				if err != nil {
					t.Error(err)
					return
				}
				last = ack.Sequence
				k++
			}
			mu.Lock()
			n += k
			mu.Unlock()
		})
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

func msStr(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) + "ms"
}

func loadAvg() string {
	out, err := exec.Command("uptime").Output()
	if err != nil {
		return err.Error()
	}
	return strings.TrimSpace(string(out))
}
