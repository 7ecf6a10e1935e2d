package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// afterWriteKind is one read of the afterwrite scenario and the write that
// comes before it.
type afterWriteKind struct {
	name  string
	page  bool                          // a web page (session cookie) rather than an API read (bearer token)
	write func(person uuid.UUID) string // the write's path
	body  func(i int) []byte            // the body of a person's i-th write
	read  func(person uuid.UUID) string // the read's path
}

// afterWrites measures reads that follow a write to the same journal, as a
// client reads what it just wrote: each of 64 clients posts to a rep of
// its own and then reads that rep, sending the write's X-Journal-Sequence
// as X-Min-Sequence, so no cache may answer from before the write. Beside
// it, in the same rounds, the same reads of random reps without writes
// (what a cache may serve) and the static GET. Reads: the scorecard after
// a metrics submission, the commitment history after a commitment, the rep
// page after a metrics submission. The rate counts reads (one per write);
// the latencies are the reads' alone.
func (b *benchRun) afterWrites(ctx context.Context, env *benchEnv, g *benchGen) error {
	const c = 64
	cl := benchClient(c)
	defer cl.CloseIdleConnections()
	monday := g.start.AddDays(7 * (g.week - 1)) // the last generated week
	week, month := domain.WeekPeriod(monday).String(), domain.MonthPeriod(monday).String()
	metrics := func(person uuid.UUID) string { return "/v1/people/" + person.String() + "/metrics" }
	metricsBody := func(i int) []byte {
		return fmt.Appendf(nil, `{"period":%q,"source":"import","values":{"activities":%d,"new_opportunities":3,"deals_won":1,"revenue":52000},"correction_reason":"late deal"}`,
			week, 40+i%17)
	}
	commitment := func(person uuid.UUID) string { return "/v1/people/" + person.String() + "/commitments" }
	due := monday.AddDays(11).String()
	commitmentBody := func(int) []byte {
		return fmt.Appendf(nil, `{"text":"book 15 first meetings by Friday","due_on":%q}`, due)
	}
	pick := func(r *rand.Rand) uuid.UUID { return g.reps[r.IntN(len(g.reps))].id }
	kinds := []afterWriteKind{
		{name: "scorecard", write: metrics, body: metricsBody,
			read: func(p uuid.UUID) string { return "/v1/people/" + p.String() + "/scorecard?period=" + month }},
		{name: "commitment_history", write: commitment, body: commitmentBody,
			read: func(p uuid.UUID) string { return "/v1/people/" + p.String() + "/commitment-history" }},
		{name: "rep_page", page: true, write: metrics, body: metricsBody,
			read: func(p uuid.UUID) string { return "/ui/people/" + p.String() }},
	}
	static := func() loadResult {
		return runLoad(ctx, c, b.opts.warm, b.opts.dur, func(int, int) error {
			return do(cl, http.MethodGet, env.noop+"/static", "", nil, http.StatusOK)
		})
	}
	for _, k := range kinds {
		b.logf("afterwrite: %s, %d clients", k.name, c)
		get := func(person uuid.UUID, minSeq uint64) error {
			if k.page {
				return page(cl, env.api+k.read(person), env.token, minSeq)
			}
			return apiGet(cl, env.api+k.read(person), env.token, minSeq)
		}
		rngs := make([]*rand.Rand, c)
		for i := range rngs {
			rngs[i] = rand.New(rand.NewPCG(uint64(i), 3))
		}
		cached := func() loadResult {
			return runLoad(ctx, c, b.opts.warm, b.opts.dur, func(w, _ int) error { return get(pick(rngs[w]), 0) })
		}
		var mu sync.Mutex
		var writes []time.Duration
		turn := make([]int, c) // each worker's writes so far, across rounds
		fresh := func() loadResult {
			lats := make([][]time.Duration, c)
			r := runLoadTimed(ctx, c, b.opts.warm, b.opts.dur, func(w, _ int) (time.Duration, error) {
				// Worker w writes to reps w, w+c, w+2c, … in turn: no two
				// workers share a journal (unless the org has fewer reps
				// than clients).
				n := turn[w]
				turn[w]++
				person := g.reps[w%len(g.reps)].id
				if own := (len(g.reps) - w + c - 1) / c; own > 0 {
					person = g.reps[w+c*(n%own)].id
				}
				t0 := time.Now()
				seq, err := postSeq(cl, env.api+k.write(person), env.token, k.body(n))
				if err != nil {
					return 0, err
				}
				t1 := time.Now()
				lats[w] = append(lats[w], t1.Sub(t0))
				err = get(person, seq)
				return time.Since(t1), err
			})
			mu.Lock()
			for _, l := range lats {
				writes = append(writes, l...)
			}
			mu.Unlock()
			return r
		}
		res := interleavedLoads(b.opts.rounds, static, cached, fresh)
		base, cachedRes, freshRes := res[0], res[1], res[2]
		slices.Sort(writes)
		wl := loadResult{lat: writes}
		cachedRow := benchRow{Scenario: "afterwrite.c64.cached." + k.name, Value: cachedRes.rate(), Unit: "req/s", Baseline: base.rate(), Base: "static GET",
			P50: cachedRes.pct(0.5), P99: cachedRes.pct(0.99),
			Note: "the same reads of random reps, no writes: what the read cache may answer"}
		if cachedRes.errs > 0 {
			cachedRow.Note += fmt.Sprintf("; %d requests failed (first: %v)", cachedRes.errs, cachedRes.firstE)
		}
		b.add(cachedRow)
		freshRow := benchRow{Scenario: "afterwrite.c64.fresh." + k.name, Value: freshRes.rate(), Unit: "req/s", Baseline: base.rate(), Base: "static GET",
			P50: freshRes.pct(0.5), P99: freshRes.pct(0.99), Target: "ratio ≥ 0.3", Met: metIf(freshRes.rate()/base.rate() >= 0.3),
			Note: fmt.Sprintf("each read follows its client's write to the same journal (read with X-Min-Sequence); the writes before them: p50 %.2f ms, p99 %.2f ms; static GET p99 %.1f ms",
				wl.pct(0.5), wl.pct(0.99), base.pct(0.99))}
		failedNote(&freshRow, freshRes)
		b.add(freshRow)
	}
	return nil
}

// postSeq POSTs a JSON body with a bearer token and returns the write's
// X-Journal-Sequence; 201 and 202 (stored, not yet visible here) are
// writes.
func postSeq(cl *http.Client, url, token string, body []byte) (uint64, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := cl.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return 0, fmt.Errorf("POST %s: %d %s", url, resp.StatusCode, bytes.TrimSpace(b))
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return strconv.ParseUint(resp.Header.Get("X-Journal-Sequence"), 10, 64)
}

// apiGet GETs an API read with a bearer token and drains it; minSeq, when
// not 0, is sent as X-Min-Sequence.
func apiGet(cl *http.Client, url, token string, minSeq uint64) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if minSeq != 0 {
		req.Header.Set("X-Min-Sequence", strconv.FormatUint(minSeq, 10))
	}
	resp, err := cl.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, bytes.TrimSpace(b))
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
