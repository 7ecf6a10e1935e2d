package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"

	"github.com/coachjournal/coachjournal/api/web"
	"github.com/coachjournal/coachjournal/domain"
)

// pages measures the web pages a manager waits for, rendered by the real
// UI for random people of the generated org, signed in by cookie as the
// browser is: the team board, the rep page and the 1-on-1 workspace, by 64
// clients and by one alone, each beside a static GET measured in the same
// rounds (issue 21). The generated org has no PIPs, so the PIP page is not
// measured here.
func (b *benchRun) pages(ctx context.Context, env *benchEnv, g *benchGen) error {
	last := domain.MonthPeriod(g.start.AddDays(7 * (g.week - 2)))
	paths := []struct {
		name string
		url  func(r *rand.Rand) string
	}{
		{"team_board", func(r *rand.Rand) string {
			return "/ui/teams/" + g.leaders[r.IntN(len(g.leaders))].String() + "?period=" + last.String()
		}},
		{"rep_page", func(r *rand.Rand) string { return "/ui/people/" + g.reps[r.IntN(len(g.reps))].id.String() }},
		{"one_on_one", func(r *rand.Rand) string {
			return "/ui/people/" + g.reps[r.IntN(len(g.reps))].id.String() + "/one-on-one"
		}},
	}
	for _, c := range []int{64, 1} {
		cl := benchClient(c)
		static := func() loadResult {
			return runLoad(ctx, c, b.opts.warm, b.opts.dur, func(int, int) error {
				return do(cl, http.MethodGet, env.noop+"/static", "", nil, http.StatusOK)
			})
		}
		for _, p := range paths {
			b.logf("pages: %s, %d clients", p.name, c)
			rngs := make([]*rand.Rand, c)
			for i := range rngs {
				rngs[i] = rand.New(rand.NewPCG(uint64(i), 21))
			}
			res := interleavedLoads(b.opts.rounds, static, func() loadResult {
				return runLoad(ctx, c, b.opts.warm, b.opts.dur, func(w, _ int) error {
					return page(cl, env.api+p.url(rngs[w]), env.token)
				})
			})
			base, pg := res[0], res[1]
			if pg.errs > 0 {
				cl.CloseIdleConnections()
				return pg.firstE
			}
			row := benchRow{Scenario: fmt.Sprintf("pages.c%d.%s", c, p.name), Value: pg.rate(), Unit: "req/s", Baseline: base.rate(),
				Base: "static GET", P50: pg.pct(0.5), P99: pg.pct(0.99),
				Note: fmt.Sprintf("static GET alongside: p99 %.1f ms", base.pct(0.99))}
			if c == 1 {
				row.Target, row.Met = "p99 < 50 ms", metIf(pg.pct(0.99) < 50)
			} else {
				row.Target = "p99 ≤ 3 × static p99, ratio ≥ 0.3"
				row.Met = metIf(pg.pct(0.99) <= 3*base.pct(0.99) && pg.rate()/base.rate() >= 0.3)
			}
			b.add(row)
		}
		cl.CloseIdleConnections()
	}
	return nil
}

// page GETs a web page signed in with token's session cookie and drains it.
func page(cl *http.Client, url, token string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.AddCookie(&http.Cookie{Name: web.CookieName, Value: token})
	resp, err := cl.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
