package eventjson_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventjson"
)

// BenchmarkSeal measures hashing an envelope into its stored bytes, as the
// write path does for every event (benchstat-ready with -count 10).
func BenchmarkSeal(b *testing.B) {
	j := domain.NewJournal(uuid.New())
	m := domain.Meta{Actor: domain.Actor{ID: "00000000-0000-7000-8000-000000000001", Role: domain.RoleAdmin}, Now: time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)}
	first, err := domain.Decide(j, domain.RegisterPerson{Name: "Ana Lima", Email: "ana@example.com"}, m)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := eventjson.Seal(&first); err != nil {
		b.Fatal(err)
	}
	j.Evolve(first)
	for _, c := range []struct {
		name string
		cmd  domain.Command
	}{
		{"metrics.submitted", domain.SubmitMetrics{Period: "2026-W46", Source: "import",
			Values: map[string]float64{"activities": 40, "new_opportunities": 10, "deals_won": 3, "revenue": 150000}}},
		{"commitment.made", domain.MakeCommitment{Text: "enc:v1:q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJCrze8SNFZ4kKvN7xI0VniQ", DueOn: "2026-11-27"}},
	} {
		e, err := domain.Decide(j, c.cmd, m)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := eventjson.Seal(&e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
