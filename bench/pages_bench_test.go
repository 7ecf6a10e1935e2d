package bench

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
)

// BenchmarkColdPages is the handler's own work for a page rendered from
// the projections with the caches off (the pages scenario's cold rows),
// network left out: the team board, the rep page and the 1-on-1
// workspace of random people of a generated org with a year of history
// (800 people, 57 weeks, as the bench's 1M events are for 10,000), through
// the real router and middleware to a recorder. Each person's history is
// as deep as the bench's; the org is smaller so that it is generated in
// seconds.
//
//	go test ./bench -run '^$' -bench ColdPages -benchmem -count 5
func BenchmarkColdPages(b *testing.B) {
	ctx := context.Background()
	env, err := startBenchEnv(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer env.close()
	g := newBenchGen(env.store, 800, 58, 7)
	if err := g.setUp(ctx); err != nil {
		b.Fatal(err)
	}
	for g.week < 57 {
		if err := g.until(ctx, g.events+len(g.pending)+1); err != nil {
			b.Fatal(err)
		}
	}
	if err := env.waitViews(ctx); err != nil {
		b.Fatal(err)
	}
	last := domain.MonthPeriod(g.start.AddDays(7 * (g.week - 2)))
	for _, k := range []struct {
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
	} {
		b.Run(k.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			for b.Loop() {
				req, err := pageRequest(k.url(rng), env.token)
				if err != nil {
					b.Fatal(err)
				}
				w := httptest.NewRecorder()
				env.cold.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d %.300s", req.URL, w.Code, w.Body)
				}
			}
		})
	}
}
