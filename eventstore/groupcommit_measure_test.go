package eventstore_test

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestMeasureGroupCommit prints durable appends per second through Execute
// at several concurrencies, with and without group commit, next to the raw
// per-message JetStream publish rate of the same run. It measures, never
// asserts; set COACHJOURNAL_MEASURE=1 (and COACHJOURNAL_MEASURE_SECONDS).
func TestMeasureGroupCommit(t *testing.T) {
	d := measureDuration(t)
	t.Logf("load: %s", uptime())
	t.Logf("%4s %10s %10s %10s %7s %9s %9s %9s %9s", "C", "raw/s", "single/s", "group/s", "group÷raw", "p50 1", "p99 1", "p50 grp", "p99 grp")
	for _, c := range []int{1, 16, 64} {
		var raws, singles, groups []loadResult
		for range measureRounds() { // interleaved, so that a noisy neighbour hits every column
			raws = append(raws, measureRaw(t, c, d))
			singles = append(singles, measureExecute(t, eventstore.Config{NoGroupCommit: true}, c, d))
			groups = append(groups, measureExecute(t, eventstore.Config{}, c, d))
		}
		raw, single, group := median(raws), median(singles), median(groups)
		t.Logf("%4d %10.0f %10.0f %10.0f %7.2f× %9s %9s %9s %9s", c, raw.rate, single.rate, group.rate, group.rate/raw.rate,
			ms(single.p50), ms(single.p99), ms(group.p50), ms(group.p99))
		t.Logf("     group commit: %s", group.stats)
	}
	t.Logf("load: %s", uptime())
}

// LoadResult is one measured run.
type loadResult struct {
	rate     float64
	p50, p99 time.Duration
	stats    string
}

// openMeasured opens a store the caller closes as soon as it is measured.
func openMeasured(t *testing.T, cfg eventstore.Config) *eventstore.Store {
	s, err := eventstore.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// median returns the run of median rate.
func median(rs []loadResult) loadResult {
	slices.SortFunc(rs, func(a, b loadResult) int { return int(a.rate - b.rate) })
	return rs[len(rs)/2]
}

func measureRounds() int {
	if n, err := strconv.Atoi(os.Getenv("COACHJOURNAL_MEASURE_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 3
}

func measureDuration(t *testing.T) time.Duration {
	if os.Getenv("COACHJOURNAL_MEASURE") == "" {
		t.Skip("set COACHJOURNAL_MEASURE=1 to measure")
	}
	secs, _ := strconv.ParseFloat(os.Getenv("COACHJOURNAL_MEASURE_SECONDS"), 64)
	if secs <= 0 {
		secs = 3
	}
	return time.Duration(secs * float64(time.Second))
}

// measureRaw publishes copies of a real stored commitment.made, each
// conditional on its journal's last sequence, from c publishers.
func measureRaw(t *testing.T, c int, d time.Duration) loadResult {
	s := openMeasured(t, eventstore.Config{DataDir: t.TempDir(), NoGroupCommit: true})
	defer s.Close()
	id := register(t, s, "Nia", "nia@example.com")
	w := makeCommitmentW(t, s, id, "book 15 first meetings by Friday and log them")
	st, _ := s.JetStream().Stream(context.Background(), "JOURNAL")
	raw, err := st.GetMsg(context.Background(), w.Event.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	return runLoad(t, c, d, func() func() error {
		id := uuid.New()
		var last uint64
		return func() error {
			m := nats.NewMsg(eventstore.Subject(id, domain.TypeCommitmentMade))
			m.Data = raw.Data
			m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(last, 10))
			m.Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, eventstore.JournalSubjects(id))
			ack, err := s.JetStream().PublishMsg(context.Background(), m)
			if err == nil {
				last = ack.Sequence
			}
			return err
		}
	}, s)
}

// measureExecute makes commitments through Execute, one journal per client.
func measureExecute(t *testing.T, cfg eventstore.Config, c int, d time.Duration) loadResult {
	cfg.DataDir = t.TempDir()
	s := openMeasured(t, cfg)
	defer s.Close()
	return runLoad(t, c, d, func() func() error {
		id := register(t, s, "Nia", "nia@example.com")
		return func() error {
			_, err := s.Execute(context.Background(), domain.Write{PersonID: id, Meta: meta(),
				Command: domain.MakeCommitment{Text: "book 15 first meetings by Friday and log them", DueOn: "2099-01-01"}})
			return err
		}
	}, s)
}

// runLoad runs c clients, each calling its own op in a loop for d, and
// returns the rate and latency percentiles of the calls.
func runLoad(t *testing.T, c int, d time.Duration, newClient func() func() error, s *eventstore.Store) loadResult {
	t.Helper()
	ops := make([]func() error, c)
	for i := range ops {
		ops[i] = newClient()
	}
	lat := make([][]time.Duration, c)
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for i, op := range ops {
		wg.Go(func() {
			for time.Now().Before(end) {
				t0 := time.Now()
				if err := op(); err != nil {
					t.Errorf("client %d: %v", i, err)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		})
	}
	wg.Wait()
	return summarize(slices.Concat(lat...), time.Since(start), s)
}

func summarize(all []time.Duration, took time.Duration, s *eventstore.Store) loadResult {
	slices.Sort(all)
	r := loadResult{rate: float64(len(all)) / took.Seconds()}
	if len(all) > 0 {
		r.p50, r.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	if st := s.GroupCommitStats(); st.Enabled {
		mean := 0.0
		if st.Batches > 0 {
			mean = float64(st.BatchedAppends) / float64(st.Batches)
		}
		secs := 0.0
		if st.Batches > 0 {
			secs = st.BatchSeconds.Sum / float64(st.Batches)
		}
		r.stats = "batches " + strconv.FormatUint(st.Batches, 10) + " (mean " + strconv.FormatFloat(mean, 'f', 1, 64) + " appends, " +
			ms(time.Duration(secs*float64(time.Second))) + "), singles " +
			strconv.FormatUint(st.Singles, 10) + ", fallbacks " + strconv.FormatUint(st.Fallbacks, 10) + ", unknown " + strconv.FormatUint(st.Unknown, 10) + ", break-even " + strconv.Itoa(st.BreakEven)
	}
	return r
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) + "ms"
}

func uptime() string {
	out, err := exec.Command("uptime").Output()
	if err != nil {
		return err.Error()
	}
	return strings.TrimSpace(string(out))
}
