package domain_test

import (
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventjson"
	"github.com/google/uuid"
)

// benchJournal returns a registered person's journal with an open
// commitment and a year of weekly numbers, as Execute would hold it.
func benchJournal(b *testing.B) (*domain.Journal, uuid.UUID, domain.Meta) {
	b.Helper()
	id := uuid.New()
	j := domain.NewJournal(id)
	m := domain.Meta{Actor: domain.Actor{ID: "00000000-0000-7000-8000-000000000001", Role: domain.RoleAdmin}, Now: time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)}
	apply := func(cmd domain.Command) domain.Event {
		e, err := domain.Decide(j, cmd, m)
		if err != nil {
			b.Fatalf("%T: %v", cmd, err)
		}
		if _, err := eventjson.Seal(&e); err != nil {
			b.Fatal(err)
		}
		j.Evolve(e)
		return e
	}
	apply(domain.RegisterPerson{Name: "Ana Lima", Email: "ana@example.com"})
	for w := 1; w <= 52; w++ {
		apply(domain.SubmitMetrics{Period: domain.WeekPeriod(domain.NewDate(2025, 1, 6).AddDays(7 * (w - 1))).String(), Source: "import",
			Values: map[string]float64{"activities": 40, "new_opportunities": 10}})
	}
	e := apply(domain.MakeCommitment{Text: "book 15 first meetings by Friday", DueOn: "2026-11-27"})
	return j, e.ResourceID(), m
}

// BenchmarkDecide measures the rules of the commands of the weekly loop
// (benchstat-ready: go test -bench Decide -count 10 ./domain).
func BenchmarkDecide(b *testing.B) {
	j, commitment, m := benchJournal(b)
	note := "16 booked"
	held := m.Now.Add(-time.Hour).Format(time.RFC3339)
	cmds := []struct {
		name string
		cmd  domain.Command
	}{
		{"metrics.submitted", domain.SubmitMetrics{Period: "2026-W46", Source: "import",
			Values: map[string]float64{"activities": 40, "new_opportunities": 10, "deals_won": 3, "revenue": 150000}}},
		{"meeting.held", domain.HoldMeeting{Kind: "performance", HeldAt: held, WithID: uuid.NewString(), Diagnosis: &domain.DiagnosisInput{Primary: "activity"}}},
		{"commitment.made", domain.MakeCommitment{Text: "book 15 first meetings by Friday", DueOn: "2026-11-27"}},
		{"commitment.kept", domain.ResolveCommitment{CommitmentID: commitment, Status: "kept", Note: &note}},
	}
	for _, c := range cmds {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := domain.Decide(j, c.cmd, m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
