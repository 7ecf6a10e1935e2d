package bench

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/nudges"
)

// BenchmarkNudgesAllPeople derives every person's nudges and HR's on the
// bench's generated org (10,000 people by default, 26 weeks of history),
// as each replica's nudger does once a round (--nudge-every) before it
// schedules; it reports the time of one whole round and the nudges found:
//
//	go test ./bench -run '^$' -bench NudgesAllPeople -benchtime 3x -timeout 30m
func BenchmarkNudgesAllPeople(b *testing.B) {
	people := 10_000
	if v, err := strconv.Atoi(os.Getenv("COACHJOURNAL_NUDGE_PEOPLE")); err == nil && v > 0 {
		people = v
	}
	ctx := context.Background()
	env, err := startBenchEnv(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer env.close()
	g := newBenchGen(env.store, people, 30, 1)
	if err := g.setUp(ctx); err != nil {
		b.Fatal(err)
	}
	if err := g.until(ctx, people*26); err != nil {
		b.Fatal(err)
	}
	if err := env.waitViews(ctx); err != nil {
		b.Fatal(err)
	}
	today := g.today // the generator's day: the history and the nudges agree on it
	all := env.views.People(nil)
	b.Logf("%d people, %d events", len(all), g.events)
	b.ResetTimer()
	for range b.N {
		found := len(nudges.For(env.views, nudges.Recipient{Role: domain.RoleHR}, today))
		for _, p := range all {
			found += len(nudges.For(env.views, nudges.Recipient{Person: p.ID, Role: domain.RoleMember}, today))
		}
		b.ReportMetric(float64(found), "nudges")
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/round")
}
