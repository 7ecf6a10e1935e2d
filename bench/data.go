package bench

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/coachjournal/coachjournal/projections/snapshot"
	"github.com/coachjournal/coachjournal/service"
	"github.com/nats-io/nats.go/jetstream"
)

// dataScenarios generates the org's history through the domain rules and
// measures rebuilds at two sizes, then reads, memory and cold start at the
// large one.
func (b *benchRun) dataScenarios(ctx context.Context) error {
	env, err := startBenchEnv(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if env != nil {
			env.close()
		}
	}()
	reps := max(1, b.opts.people-1-b.opts.people/(repsPerLeader+1))
	weeks := b.opts.large/(2*reps)*13/10 + 8
	g := newBenchGen(env.store, b.opts.people, weeks, 42)
	if err := g.setUp(ctx); err != nil {
		return err
	}
	var small, smallEvents float64
	for i, n := range []int{b.opts.small, b.opts.large} {
		t0 := time.Now()
		if err := g.until(ctx, n); err != nil {
			return err
		}
		b.logf("generated %d events (%d people, %d weeks) in %s", g.events, g.People(), g.week, time.Since(t0).Round(time.Millisecond))
		if err := env.waitViews(ctx); err != nil {
			return err
		}
		if !b.opts.only["rebuild"] && !(i == 1 && b.opts.only["memory"]) {
			continue
		}
		secs, events, err := b.rebuild(ctx, env, i == 1)
		if err != nil {
			return fmt.Errorf("rebuild: %w", err)
		}
		if i == 0 {
			small, smallEvents = secs, float64(events)
		} else if small > 0 {
			// The growth is judged against the events actually generated
			// (the generator stops at a week's end, past the asked size).
			grew := float64(events) / smallEvents
			b.add(benchRow{Scenario: "rebuild.growth", Value: secs / small, Unit: "× time", Baseline: grew, Base: "× events",
				Target: "time ≤ 1.1 × events growth", Met: metIf(secs/small <= 1.1*grew)})
		}
	}
	if b.opts.only["reads"] {
		if err := b.reads(ctx, env, g); err != nil {
			return fmt.Errorf("reads: %w", err)
		}
	}
	if b.opts.only["pages"] {
		if err := b.pages(ctx, env, g); err != nil { // pages.go
			return fmt.Errorf("pages: %w", err)
		}
	}
	if b.opts.only["afterwrite"] {
		if err := b.afterWrites(ctx, env, g); err != nil { // afterwrite.go
			return fmt.Errorf("afterwrite: %w", err)
		}
	}
	if b.opts.only["coldstart"] {
		snaps := &snapshot.Store{Dir: filepath.Join(env.dir, "snapshots"), Key: env.store.SnapshotKey(), Stream: env.store.StreamCreated()}
		if _, err := snaps.Save(env.views); err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		dir := env.dir
		env.keepDir = true // for the cold starts
		env.close()
		env = nil
		defer os.RemoveAll(dir)
		if err := b.coldStart(ctx, dir, snaps.Dir); err != nil {
			return fmt.Errorf("cold start: %w", err)
		}
	}
	return nil
}

// rebuild measures the raw ordered-consumer read of the whole stream and
// the rebuild of every projection from it; with memory set, it also
// measures the heap the rebuilt projections hold. It returns the rebuild's
// median seconds and the events rebuilt.
func (b *benchRun) rebuild(ctx context.Context, env *benchEnv, memory bool) (float64, uint64, error) {
	last, err := env.store.LastSequence(ctx)
	if err != nil {
		return 0, 0, err
	}
	if memory && b.opts.only["memory"] {
		if err := b.memory(ctx, env, last); err != nil {
			return 0, 0, err
		}
	}
	if !b.opts.only["rebuild"] {
		return 0, 0, nil
	}
	var raw, full []float64
	for range b.opts.rounds {
		r, err := rawRead(ctx, env, last)
		if err != nil {
			return 0, 0, err
		}
		raw = append(raw, r)
		set := projections.NewSet()
		t0 := time.Now()
		if err := followUntil(ctx, env.store, 0, last, set.Apply); err != nil {
			return 0, 0, err
		}
		full = append(full, time.Since(t0).Seconds())
	}
	n := sizeName(last)
	rawRate, fullRate := float64(last)/median(raw), float64(last)/median(full)
	b.add(benchRow{Scenario: "rebuild." + n + ".raw_read", Value: rawRate, Unit: "events/s"})
	row := benchRow{Scenario: "rebuild." + n + ".projections", Value: fullRate, Unit: "events/s", Baseline: rawRate, Base: "raw ordered read"}
	if memory || last >= 1_000_000 {
		row.Target, row.Met = "ratio ≥ 0.5", metIf(fullRate/rawRate >= 0.5)
	}
	b.add(row)
	return median(full), last, nil
}

// rawRead reads every message up to last with an ordered consumer and
// returns the seconds it took.
func rawRead(ctx context.Context, env *benchEnv, last uint64) (float64, error) {
	st, err := env.store.JetStream().Stream(ctx, "JOURNAL")
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return 0, err
	}
	done := make(chan struct{})
	cc, err := cons.Consume(func(m jetstream.Msg) {
		if md, err := m.Metadata(); err == nil && md.Sequence.Stream == last {
			close(done)
		}
	}, jetstream.PullMaxMessages(4096))
	if err != nil {
		return 0, err
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
	secs := time.Since(t0).Seconds()
	cc.Stop()
	return secs, ctx.Err()
}

// followUntil runs store.Follow from after into h until sequence last is applied.
func followUntil(ctx context.Context, store *eventstore.Store, after, last uint64, h func(uint64, domain.Event, error)) error {
	if after >= last {
		return nil
	}
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- store.Follow(fctx, after, func(seq uint64, e domain.Event, err error) {
			h(seq, e, err)
			if seq >= last {
				cancel()
			}
		})
	}()
	<-fctx.Done()
	if err := <-errc; err != nil {
		return err
	}
	return ctx.Err()
}

// memory rebuilds one more projection set and reports the heap it holds:
// the GC'd heap with it minus the GC'd heap right after dropping it (two
// collections apart, so little else changes in between), and the RSS.
func (b *benchRun) memory(ctx context.Context, env *benchEnv, last uint64) error {
	set := projections.NewSet()
	if err := followUntil(ctx, env.store, 0, last, set.Apply); err != nil {
		return err
	}
	var with, without runtime.MemStats
	settle()
	runtime.ReadMemStats(&with)
	procRSS := rss()
	if b.opts.memProfile != "" {
		if err := writeHeapProfile(b.opts.memProfile); err != nil {
			return err
		}
	}
	runtime.KeepAlive(set)
	set = nil
	settle()
	runtime.ReadMemStats(&without)
	held := float64(with.HeapAlloc) - float64(without.HeapAlloc)
	per := held / float64(last)
	b.add(benchRow{Scenario: "memory.heap_per_event", Value: per, Unit: "bytes", Baseline: 300, Base: "target",
		Target: "< 300 bytes", Met: metIf(per > 0 && per < 300), Note: fmt.Sprintf("%.0f MiB held by one projection set of %d events; process heap %.0f MiB, RSS %s (two sets, the NATS server and the bench included)",
			held/(1<<20), last, float64(with.HeapAlloc)/(1<<20), procRSS)})
	return nil
}

// settle collects twice: the first collection moves what sync.Pools hold
// to their victim caches, the second frees it, so pooled buffers of the
// pipeline are counted in neither measurement.
func settle() {
	runtime.GC()
	runtime.GC()
}

// writeHeapProfile writes the heap profile as of the last collection.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func rss() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			return strings.Join(strings.Fields(strings.TrimPrefix(l, "VmRSS:")), " ")
		}
	}
	return "unknown"
}

// reads: 64 clients on four read endpoints vs a static Echo GET, and,
// informative, as many bytes as one answer of each from memory
// (reads.c64.same_bytes.*).
func (b *benchRun) reads(ctx context.Context, env *benchEnv, g *benchGen) error {
	const c = 64
	cl := benchClient(c)
	defer cl.CloseIdleConnections()
	last := domain.MonthPeriod(g.start.AddDays(7 * (g.week - 2)))
	months := []string{last.String(), domain.MonthPeriod(last.Start().AddDays(-1)).String()}
	static := func() loadResult {
		return runLoad(ctx, c, b.opts.warm, b.opts.dur, func(int, int) error {
			return do(cl, http.MethodGet, env.noop+"/static", "", nil, http.StatusOK)
		})
	}
	scorecard := func(rep, month int) string {
		return "/v1/people/" + g.reps[rep].id.String() + "/scorecard?period=" + months[month]
	}
	board := func(leader, month int) string {
		return "/v1/teams/" + g.leaders[leader].String() + "/board?period=" + months[month]
	}
	timeline := func(rep int) string { return "/v1/people/" + g.reps[rep].id.String() + "/timeline?limit=50" }
	history := func(rep int) string { return "/v1/people/" + g.reps[rep].id.String() + "/commitment-history" }
	bothMonths := func(n int, url func(i, month int) string) []string {
		return append(every(n, func(i int) string { return url(i, 0) }), every(n, func(i int) string { return url(i, 1) })...)
	}
	paths := []struct {
		name string
		url  func(r *rand.Rand) string
		all  []string // every answer the reads may ask for: the warm-up pass's
	}{
		{"scorecard", func(r *rand.Rand) string { return scorecard(r.IntN(len(g.reps)), r.IntN(2)) }, bothMonths(len(g.reps), scorecard)},
		{"team_board", func(r *rand.Rand) string { return board(r.IntN(len(g.leaders)), r.IntN(2)) }, bothMonths(len(g.leaders), board)},
		{"timeline_page", func(r *rand.Rand) string { return timeline(r.IntN(len(g.reps))) }, every(len(g.reps), timeline)},
		{"commitment_history", func(r *rand.Rand) string { return history(r.IntN(len(g.reps))) }, every(len(g.reps), history)},
	}
	// Each read alternates with its own static GET, round after round, so
	// that both see the same drift; the reads of one kind stay together,
	// as a steady load of that kind would (the read cache holds its answers).
	for k, p := range paths {
		b.logf("reads: %s", p.name)
		rngs := make([]*rand.Rand, c)
		for i := range rngs {
			rngs[i] = rand.New(rand.NewPCG(uint64(i), 7))
		}
		// The read cache warmed with every answer of the kind first, as
		// the warm pages are: the rows measure reads the cache may
		// answer, not each answer's first read (the reads right after
		// writes measure the misses).
		pass := eachOnce(ctx, c, len(p.all), 0, func(i int) error {
			return do(cl, http.MethodGet, env.api+p.all[i], env.token, nil, http.StatusOK)
		})
		if pass.errs > 0 {
			return fmt.Errorf("reads: %s: warm-up: %w", p.name, pass.firstE)
		}
		warmNote := fmt.Sprintf("after a warm-up pass over all %d answers by 64 clients (%.1f s, %.0f a second)", len(p.all), pass.dur.Seconds(), pass.rate())
		req, err := http.NewRequest(http.MethodGet, env.api+p.url(rand.New(rand.NewPCG(0, 7))), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+env.token)
		size, err := bodySize(cl, req)
		if err != nil {
			return fmt.Errorf("reads: %s: %w", p.name, err)
		}
		var cache [2]float64 // the read cache's hits and misses while the reads ran (warm-ups included)
		res := interleavedLoads(b.opts.rounds, static, b.sameBytes(ctx, env, cl, c, size), func() loadResult {
			before, errBefore := cacheCounts(cl, env.api)
			r := runLoad(ctx, c, b.opts.warm, b.opts.dur, func(w, _ int) error {
				return do(cl, http.MethodGet, env.api+p.url(rngs[w]), env.token, nil, http.StatusOK)
			})
			if after, err := cacheCounts(cl, env.api); err == nil && errBefore == nil {
				cache[0] += after[0] - before[0]
				cache[1] += after[1] - before[1]
			}
			return r
		})
		base, same, read := res[0], res[1], res[2]
		if k == 0 {
			b.add(benchRow{Scenario: "reads.static_get", Value: base.rate(), Unit: "req/s", P50: base.pct(0.5), P99: base.pct(0.99),
				Note: "measured alongside the scorecard; each read's baseline is the static GET measured alongside it"})
		}
		if read.errs > 0 {
			return read.firstE
		}
		// Both targets are ratios to the static GET of the same rounds:
		// an absolute p99 measures the machine as much as the service.
		ok := read.rate()/base.rate() >= 0.6 && read.pct(0.99) <= 3*base.pct(0.99)
		row := benchRow{Scenario: "reads.c64." + p.name, Value: read.rate(), Unit: "req/s", Baseline: base.rate(), Base: "static GET",
			Target: "ratio ≥ 0.6, p99 ≤ 3 × static p99", Met: metIf(ok), P50: read.pct(0.5), P99: read.pct(0.99),
			Note: fmt.Sprintf("static GET alongside: p99 %.1f ms; read p99 %.1f × the static GET's; against the answer's %d bytes from memory (same rounds): rate %.3f, p99 %.1f ×; read: %s",
				base.pct(0.99), read.pct(0.99)/base.pct(0.99), size, read.rate()/same.rate(), read.pct(0.99)/same.pct(0.99), read.gcNote())}
		row.Note += "; " + warmNote
		if n := cache[0] + cache[1]; n > 0 {
			row.Note += fmt.Sprintf("; read cache hits: %.0f of %.0f (%.1f %%)", cache[0], n, 100*cache[0]/n)
		}
		b.add(row)
		sameRow := benchRow{Scenario: "reads.c64.same_bytes." + p.name, Value: same.rate(), Unit: "req/s", Baseline: base.rate(), Base: "static GET",
			P50: same.pct(0.5), P99: same.pct(0.99),
			Note: fmt.Sprintf("informative: %d bytes from memory (the size of one %s answer), sent by the static server in the same rounds: the HTTP cost of the answer's bytes alone",
				size, strings.ReplaceAll(p.name, "_", " "))}
		failedNote(&sameRow, same)
		b.add(sameRow)
	}
	return nil
}

// coldStart opens the closed store in dir again and measures the time to
// ready (projections caught up with the stream): resuming from the
// snapshot in snapDir vs replaying everything, each in a process of its
// own (coldchild.go).
func (b *benchRun) coldStart(ctx context.Context, dir, snapDir string) error {
	empty := filepath.Join(dir, "no-snapshot")
	var withSnap, replay []coldTimes
	var events uint64
	for range b.opts.rounds {
		for _, sd := range []string{snapDir, empty} {
			t, last, err := coldStartChild(ctx, dir, sd)
			if err != nil {
				return err
			}
			events = last
			if sd == snapDir {
				withSnap = append(withSnap, t)
			} else {
				replay = append(replay, t)
			}
		}
	}
	s, r := medianCold(withSnap), medianCold(replay)
	n := sizeName(events)
	b.add(benchRow{Scenario: "coldstart." + n + ".full_replay", Value: r.total, Unit: "s", Note: r.String()})
	b.add(benchRow{Scenario: "coldstart." + n + ".snapshot", Value: s.total, Unit: "s", Baseline: r.total, Base: "full replay",
		Target: "< 2 s and ≥ 10× faster", Met: metIf(s.total < 2 && r.total/s.total >= 10),
		Note: fmt.Sprintf("%s; speed-up %.1f×", s, r.total/s.total)})
	return nil
}

// coldTimes splits a cold start: opening the store (the embedded server's
// JetStream recovery, which reads every message of the dedup window again,
// and the key bucket; the read-audit index is read from its checkpoint and
// the rest of the audit stream followed in the background), then waiting
// for the snapshot (read alongside the opening, load seconds in all) and
// checking it, then following the rest of the stream.
type coldTimes struct {
	total, open, resume, load, follow float64
	peakRSS                           int64 // KiB, of the start's process (coldchild.go)
}

func (t coldTimes) String() string {
	return fmt.Sprintf("open store %.2f s, then snapshot %.2f s (read alongside: %.2f s), follow %.2f s; peak RSS %d MiB",
		t.open, t.resume, t.load, t.follow, t.peakRSS>>10)
}

func medianCold(ts []coldTimes) coldTimes {
	slices.SortFunc(ts, func(a, b coldTimes) int { return cmp.Compare(a.total, b.total) })
	return ts[len(ts)/2]
}

// coldStartOnce starts as serve does before it listens (service.OpenResumed,
// StartProjections, CatchUp), with the snapshot
// in snapDir (or none there), and stops without writing one; it returns
// the times and the stream's last sequence.
func coldStartOnce(ctx context.Context, dir, snapDir string) (coldTimes, uint64, error) {
	var t coldTimes
	log := slog.New(slog.DiscardHandler)
	t0 := time.Now()
	r, err := service.OpenResumed(ctx, eventstore.Config{DataDir: filepath.Join(dir, "data"), Logger: log}, snapDir, log)
	if err != nil {
		return t, 0, err
	}
	defer r.Store.Close()
	t.open, t.resume, t.load = r.OpenTime.Seconds(), r.WaitTime.Seconds(), r.LoadTime.Seconds()
	t1 := time.Now()
	stop := service.StartProjections(r, log, nil)
	defer stop(false)
	if err := service.CatchUp(ctx, r.Store, r.Views); err != nil {
		return t, 0, err
	}
	t.follow = time.Since(t1).Seconds()
	t.total = time.Since(t0).Seconds()
	return t, r.Last, nil
}

// sizeName names an event count in a scenario: 719, 100k, 1M.
func sizeName(n uint64) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 < 50_000:
		return strconv.FormatUint(n/1_000_000, 10) + "M"
	case n >= 1000:
		return strconv.FormatUint((n+500)/1000, 10) + "k"
	}
	return strconv.FormatUint(n, 10)
}
