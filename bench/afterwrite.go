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
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
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

// afterWrites measures reads that follow a write to the same journal, so
// that no cache may answer them: in each round, 64 clients first write
// once to every rep of the org (untimed: what a write costs is the appends
// scenario's), then 64 clients read each of those reps exactly once,
// sending its write's X-Journal-Sequence as X-Min-Sequence: every read is
// the first after its journal changed, so the read cache and the page
// cache must miss and the read waits for the projections to hold the
// write. The rate is the reads' over the read phase, which ends when every
// written rep has been read or after the load duration. Beside it, in the
// same rounds, the same reads of random reps without writes (what a cache
// may serve) and the static GET. Reads: the scorecard after a metrics
// submission, the commitment history after a commitment, the rep page
// after a metrics submission.
//
// Until 2026-12-07 each client wrote and then read, one after the other,
// so the reads could go no faster than 64 clients' durable writes (about
// 3,000 a second here): that measured the writes, not the reads.
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
		var writes []time.Duration
		var lives [2]float64 // commitment lives reused and built by the fresh reads
		turn := 0            // rounds so far: each round's writes differ
		fresh := func() loadResult {
			written, wl, err := writeEach(ctx, c, g.reps, func(p uuid.UUID) (uint64, error) {
				return postSeq(cl, env.api+k.write(p), env.token, k.body(turn))
			})
			turn++
			writes = append(writes, wl...)
			if err != nil {
				return loadResult{errs: 1, firstE: err, dur: time.Second}
			}
			before, errBefore := livesCounts(cl, env.api)
			r := eachOnce(ctx, c, len(written), b.opts.dur, func(i int) error { return get(written[i].person, written[i].seq) })
			if after, err := livesCounts(cl, env.api); err == nil && errBefore == nil {
				lives[0] += after[0] - before[0]
				lives[1] += after[1] - before[1]
			}
			return r
		}
		res := interleavedLoads(b.opts.rounds, static, cached, fresh)
		base, cachedRes, freshRes := res[0], res[1], res[2]
		slices.Sort(writes)
		wl := loadResult{lat: writes}
		cachedRow := benchRow{Scenario: "afterwrite.c64.cached." + k.name, Value: cachedRes.rate(), Unit: "req/s", Baseline: base.rate(), Base: "static GET",
			P50: cachedRes.pct(0.5), P99: cachedRes.pct(0.99),
			Note: "the same reads of random reps, no writes: what the read cache may answer; " + cachedRes.gcNote()}
		if cachedRes.errs > 0 {
			cachedRow.Note += fmt.Sprintf("; %d requests failed (first: %v)", cachedRes.errs, cachedRes.firstE)
		}
		b.add(cachedRow)
		freshRow := benchRow{Scenario: "afterwrite.c64.fresh." + k.name, Value: freshRes.rate(), Unit: "req/s", Baseline: base.rate(), Base: "static GET",
			P50: freshRes.pct(0.5), P99: freshRes.pct(0.99), Target: "ratio ≥ 0.3", Met: metIf(freshRes.rate()/base.rate() >= 0.3),
			Note: fmt.Sprintf("every rep written once (untimed; %d writes by %d clients, p50 %.2f ms, p99 %.2f ms), then each read once with its write's sequence as X-Min-Sequence, so every read misses the caches; static GET p99 %.1f ms; read: %s; static GET: %s",
				len(writes), c, wl.pct(0.5), wl.pct(0.99), base.pct(0.99), freshRes.gcNote(), base.gcNote())}
		if n := lives[0] + lives[1]; n > 0 {
			freshRow.Note += fmt.Sprintf("; commitment lives reused from the cached answers they replace: %.0f of %.0f (%.1f %%)", lives[0], n, 100*lives[0]/n)
		}
		failedNote(&freshRow, freshRes)
		b.add(freshRow)
	}
	return nil
}

// writtenTo is a journal written to, and the sequence of that write.
type writtenTo struct {
	person uuid.UUID
	seq    uint64
}

// writeEach writes once to every rep by c clients, returning the writes'
// sequences in random order, their latencies (sorted) and the first error.
func writeEach(ctx context.Context, c int, reps []benchRep, write func(uuid.UUID) (uint64, error)) ([]writtenTo, []time.Duration, error) {
	out := make([]writtenTo, len(reps))
	r := eachOnce(ctx, c, len(reps), 0, func(i int) error {
		seq, err := write(reps[i].id)
		out[i] = writtenTo{person: reps[i].id, seq: seq}
		return err
	})
	if r.firstE == nil && r.ops < len(reps) {
		r.firstE = ctx.Err()
	}
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out, r.lat, r.firstE
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
	return drain(resp.Body)
}

// resultCounts reads two of the API's counters by their result label,
// from /metrics: family's counts for results a and b.
func resultCounts(cl *http.Client, api, family, a, b string) ([2]float64, error) {
	var out [2]float64
	resp, err := cl.Get(api + "/metrics")
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return out, err
	}
	for _, m := range fams[family].GetMetric() {
		for _, l := range m.GetLabel() {
			switch {
			case l.GetName() != "result":
			case l.GetValue() == a:
				out[0] = m.GetCounter().GetValue()
			case l.GetValue() == b:
				out[1] = m.GetCounter().GetValue()
			}
		}
	}
	return out, nil
}

// livesCounts reads the API's counts of the commitment lives its read
// cache misses reused and built (coachjournal_read_cache_lives_total).
func livesCounts(cl *http.Client, api string) ([2]float64, error) {
	return resultCounts(cl, api, "coachjournal_read_cache_lives_total", "reused", "built")
}

// cacheCounts reads the API's read cache hits and misses
// (coachjournal_read_cache_total).
func cacheCounts(cl *http.Client, api string) ([2]float64, error) {
	return resultCounts(cl, api, "coachjournal_read_cache_total", "hit", "miss")
}
