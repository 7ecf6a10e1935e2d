package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/api/web"
	"github.com/coachjournal/coachjournal/domain"
)

// pageKind is one web page of the pages scenario: how a client picks one
// at random, and every page of the kind (the warm-up pass).
type pageKind struct {
	name  string
	token string // the session cookie's token: who looks
	url   func(r *rand.Rand) string
	all   []string
}

// pages measures the web pages a manager (and HR) waits for, rendered by
// the real UI for random people of the generated org, signed in by cookie
// as the browser is: the team board, the rep page, the 1-on-1 workspace
// and the PIP page as HR sees it, by 64 clients and by one alone, beside a
// static GET measured in the same rounds (issue 21). Each page is measured
// twice in the same rounds: cold, on the same service with its read cache
// off, and warm, with the cache on after a first pass over every page of
// the kind. Beside them, informative, the same number of bytes as the
// page served from memory by the static server (GET /static/bytes/n, n the
// size of the kind's first page): what shipping the page costs this HTTP
// stack, its rendering and data aside.
func (b *benchRun) pages(ctx context.Context, env *benchEnv, g *benchGen) error {
	pips, err := g.openPIPs(ctx)
	if err != nil {
		return err
	}
	if err := env.waitViews(ctx); err != nil {
		return err
	}
	b.logf("pages: %d reps on an active PIP", len(pips))
	// What serve does once it has caught up (service.warmChains): verify
	// every journal's chain in one pass, so a PIP page's first view does
	// not read its journal from the stream. Here the service started on
	// an empty stream, before the data was generated, so the pass runs now.
	t0 := time.Now()
	chains, err := env.store.WarmChains(ctx)
	if err != nil {
		return fmt.Errorf("chain pass: %w", err)
	}
	chainNote := fmt.Sprintf("the chain pass before it (as at a serve's start): %d journals, %d events in %.1f s", chains.Journals, chains.Events, time.Since(t0).Seconds())
	b.logf("pages: %s", chainNote)
	last := domain.MonthPeriod(g.start.AddDays(7 * (g.week - 2)))
	board := func(i int) string { return "/ui/teams/" + g.leaders[i].String() + "?period=" + last.String() }
	rep := func(i int) string { return "/ui/people/" + g.reps[i].id.String() }
	oneOnOne := func(i int) string { return "/ui/people/" + g.reps[i].id.String() + "/one-on-one" }
	pip := func(i int) string { return "/ui/people/" + pips[i].person.String() + "/pips/" + pips[i].id.String() }
	kinds := []pageKind{
		{name: "team_board", token: env.token, url: func(r *rand.Rand) string { return board(r.IntN(len(g.leaders))) }, all: every(len(g.leaders), board)},
		{name: "rep_page", token: env.token, url: func(r *rand.Rand) string { return rep(r.IntN(len(g.reps))) }, all: every(len(g.reps), rep)},
		{name: "one_on_one", token: env.token, url: func(r *rand.Rand) string { return oneOnOne(r.IntN(len(g.reps))) }, all: every(len(g.reps), oneOnOne)},
		{name: "pip_page", token: env.hrToken, url: func(r *rand.Rand) string { return pip(r.IntN(len(pips))) }, all: every(len(pips), pip)},
	}
	if b.opts.pages != nil {
		kinds = slices.DeleteFunc(kinds, func(k pageKind) bool { return !b.opts.pages[k.name] })
		if len(kinds) == 0 {
			return fmt.Errorf("pages: no page kind named in --pages (team_board, rep_page, one_on_one, pip_page)")
		}
	}
	warmed, warmNote := map[string]bool{}, map[string]string{}
	for _, c := range []int{64, 1} {
		cl := benchClient(c)
		static := func() loadResult {
			return runLoad(ctx, c, b.opts.warm, b.opts.dur, func(int, int) error {
				return do(cl, http.MethodGet, env.noop+"/static", "", nil, http.StatusOK)
			})
		}
		for _, k := range kinds {
			if !warmed[k.name] {
				b.logf("pages: %s, warming the read cache with all %d pages", k.name, len(k.all))
				pass := visitAll(ctx, env.api, k.all, k.token)
				// A page too slow to finish inside a load run's window
				// still shows here: every page once, by 64 clients.
				warmNote[k.name] = fmt.Sprintf("warm-up pass over all %d pages by 64 clients: %.1f s, %.1f pages/s, p50 %.1f ms, p99 %.1f ms",
					len(k.all), pass.dur.Seconds(), pass.rate(), pass.pct(0.5), pass.pct(0.99))
				if pass.errs > 0 {
					warmNote[k.name] += fmt.Sprintf(", %d failed (first: %v)", pass.errs, pass.firstE)
				}
				if k.name == "pip_page" {
					warmNote[k.name] += "; " + chainNote
				}
				if ctx.Err() != nil {
					cl.CloseIdleConnections()
					return ctx.Err()
				}
				warmed[k.name] = true
			}
			// The size of the kind's first page as the load runs see
			// it: a PIP page lists its newest reads, and every view adds
			// one, so it is fetched until its list is full.
			var size int
			for range sizeViews(k.name) {
				req, err := pageRequest(env.api+k.all[0], k.token)
				if err != nil {
					return err
				}
				if size, err = bodySize(cl, req); err != nil {
					cl.CloseIdleConnections()
					return fmt.Errorf("%s: %w", k.name, err)
				}
			}
			sameBytes := b.sameBytes(ctx, env, cl, c, size)
			b.logf("pages: %s, %d clients", k.name, c)
			// What the read audit stored during each server's runs (their
			// warm-ups included): a PIP page's read is stored before it is
			// sent, the reads of the moment in one message.
			var audited [2]struct{ messages, reads uint64 }
			run := func(base string, audit *struct{ messages, reads uint64 }) func() loadResult {
				rngs := make([]*rand.Rand, c)
				for i := range rngs {
					rngs[i] = rand.New(rand.NewPCG(uint64(i), 21))
				}
				return func() loadResult {
					m0, r0 := env.store.ReadAuditStats()
					defer func() {
						m1, r1 := env.store.ReadAuditStats()
						audit.messages += m1 - m0
						audit.reads += r1 - r0
					}()
					return runLoad(ctx, c, b.opts.warm, b.opts.dur, func(w, _ int) error {
						return page(cl, base+k.url(rngs[w]), k.token, 0)
					})
				}
			}
			res := interleavedLoads(b.opts.rounds, static, sameBytes, run(env.apiCold, &audited[0]), run(env.api, &audited[1]))
			base, same := res[0], res[1]
			for i, cache := range []string{"cold", "warm"} {
				pg := res[2+i]
				row := pageRow(fmt.Sprintf("pages.c%d.%s.%s", c, cache, k.name), c, pg, base)
				row.Note += fmt.Sprintf("; against the page's bytes from memory (same rounds): rate %.3f, p99 %.1f ×", pg.rate()/same.rate(), pg.pct(0.99)/same.pct(0.99))
				if a := audited[i]; a.messages > 0 {
					row.Note += fmt.Sprintf("; read audit: %d reads in %d messages, %.1f a message", a.reads, a.messages, float64(a.reads)/float64(a.messages))
				}
				if cache == "warm" {
					row.Note += "; " + warmNote[k.name]
				}
				b.add(row)
			}
			sameRow := benchRow{Scenario: fmt.Sprintf("pages.c%d.same_bytes.%s", c, k.name), Value: same.rate(), Unit: "req/s", Baseline: base.rate(),
				Base: "static GET", P50: same.pct(0.5), P99: same.pct(0.99),
				Note: fmt.Sprintf("informative: %d bytes of HTML from memory, sent as a page is (its length, one write), by the static server in the same rounds: the HTTP cost of the %s's bytes alone; %s",
					size, strings.ReplaceAll(k.name, "_", " "), same.gcNote())}
			failedNote(&sameRow, same)
			b.add(sameRow)
		}
		cl.CloseIdleConnections()
	}
	return nil
}

// pageRow is a page's row against the static GET of the same rounds: a
// lone client's p99 under 50 ms; at 64 clients p99 ≤ 3 × the static GET's
// and the rate ≥ 0.3 of it (SPEC, performance goals).
func pageRow(scenario string, c int, pg, static loadResult) benchRow {
	row := benchRow{Scenario: scenario, Value: pg.rate(), Unit: "req/s", Baseline: static.rate(),
		Base: "static GET", P50: pg.pct(0.5), P99: pg.pct(0.99),
		Note: fmt.Sprintf("static GET alongside: p99 %.1f ms; page p99 %.1f × the static GET's; page: %s; static GET: %s",
			static.pct(0.99), pg.pct(0.99)/static.pct(0.99), pg.gcNote(), static.gcNote())}
	if pg.ops == 0 {
		row.Note = fmt.Sprintf("static GET alongside: p99 %.1f ms; no page both started and finished inside the %.1f s window", static.pct(0.99), pg.dur.Seconds())
	}
	if c == 1 {
		row.Target, row.Met = "p99 < 50 ms", metIf(pg.pct(0.99) < 50)
	} else {
		row.Target = "p99 ≤ 3 × static p99, ratio ≥ 0.3"
		row.Met = metIf(pg.pct(0.99) <= 3*static.pct(0.99) && pg.rate()/static.rate() >= 0.3)
	}
	failedNote(&row, pg)
	return row
}

// failedNote marks a row whose run had failed requests (a page over the
// client's 30 s timeout, an error status): they are not in its rate or
// latencies, the target is not met, and the note says how many and the
// first. A slow page is a finding to report, not a reason to lose the run.
func failedNote(row *benchRow, r loadResult) {
	if r.errs == 0 {
		return
	}
	row.Met = metIf(false)
	row.Note += fmt.Sprintf("; %d requests failed (first: %v)", r.errs, r.firstE)
}

// every returns url(0) … url(n-1).
func every(n int, url func(int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = url(i)
	}
	return out
}

// bodySize sends req and returns the length of the answer's body.
// sizeViews is how many views of a kind's first page sizing takes: one,
// or for the PIP page as many as its list of reads shows and one more
// (web's readsOnPage is 20; before 2026-12-07 one view, so the PIP page's
// same_bytes row at 64 clients sent a page with one or two reads listed).
func sizeViews(kind string) int {
	if kind == "pip_page" {
		return 21
	}
	return 1
}

func bodySize(cl *http.Client, req *http.Request) (int, error) {
	resp, err := cl.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %d", req.URL, resp.StatusCode)
	}
	return int(n), err
}

// sameBytes is a load of c clients GETting size bytes from memory from the
// static server, sent as a page is (GET /static/bytes/n).
func (b *benchRun) sameBytes(ctx context.Context, env *benchEnv, cl *http.Client, c, size int) func() loadResult {
	url := env.noop + "/static/bytes/" + strconv.Itoa(size)
	return func() loadResult {
		return runLoad(ctx, c, b.opts.warm, b.opts.dur, func(int, int) error {
			return do(cl, http.MethodGet, url, "", nil, http.StatusOK)
		})
	}
}

// visitAll GETs every page of paths once with 64 clients: the warm-up
// pass that fills the read cache before the warm rows. It returns the
// pass as a load (its latencies; its rate is pages over the whole pass),
// with its failures counted.
func visitAll(ctx context.Context, base string, paths []string, token string) loadResult {
	const c = 64
	cl := benchClient(c)
	defer cl.CloseIdleConnections()
	return eachOnce(ctx, c, len(paths), 0, func(i int) error { return page(cl, base+paths[i], token, 0) })
}

// benchCSRF is the bench browser's CSRF cookie.
const benchCSRF = "0123456789abcdefABCDEF0123456789"

// page GETs a web page signed in with token's session cookie and drains
// it; minSeq, when not 0, is sent as X-Min-Sequence.
func page(cl *http.Client, url, token string, minSeq uint64) error {
	req, err := pageRequest(url, token)
	if err != nil {
		return err
	}
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
		return fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return drain(resp.Body)
}

// pageRequest is a GET of a web page as the bench's browser sends it:
// signed in with token's session cookie, and the CSRF cookie a browser got
// with its first page and sends with every later one (without it, every
// page would mint a new token).
func pageRequest(url, token string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.AddCookie(&http.Cookie{Name: web.CookieName, Value: token})
	req.AddCookie(&http.Cookie{Name: web.CSRFCookieName, Value: benchCSRF})
	return req, nil
}
