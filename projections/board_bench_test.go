package projections

import (
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// BenchmarkBoard is what a team board costs the read model: a leader's
// eight reps, a year of weekly numbers each, the six months a board page
// shows; and one rep's scorecard of a month.
//
//	go test ./projections -run '^$' -bench 'Board|Scorecard' -benchmem
//
// board_6_months_brief is the same six months as the team board page
// reads them (StampedBoardBriefs).
func BenchmarkBoard(b *testing.B) {
	s, leader, reps := boardOrg()
	end := domain.MonthPeriod(domain.NewDate(2026, 11, 1))
	b.Run("board_6_months", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for k := range 6 {
				m := addMonthsP(end, -k)
				if bd := s.Board(leader, m, time.Time{}); len(bd.Rows) != len(reps) {
					b.Fatalf("%d rows", len(bd.Rows))
				}
			}
		}
	})
	b.Run("board_6_months_brief", func(b *testing.B) {
		months := make([]domain.Period, 6)
		for k := range months {
			months[k] = addMonthsP(end, k-5)
		}
		b.ReportAllocs()
		for b.Loop() {
			if bd, _ := s.StampedBoardBriefs(leader, months); len(bd[5].Rows) != len(reps) {
				b.Fatalf("%d rows", len(bd[5].Rows))
			}
		}
	})
	b.Run("scorecard", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if c := s.Scorecard(reps[3], end, time.Time{}); c.Funnel.Attainment == nil {
				b.Fatal("no attainment")
			}
		}
	})
}

func addMonthsP(p domain.Period, n int) domain.Period {
	t := p.Start().Time()
	return domain.MonthPeriod(domain.DateOf(time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)))
}

// boardOrg is a leader with a monthly standard and eight reps with 52
// weeks of numbers each (2025-12 to 2026-11).
func boardOrg() (*Set, uuid.UUID, []uuid.UUID) {
	s := NewSet()
	leader := uuid.New()
	seq := uint64(0)
	at := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	apply := func(p uuid.UUID, v uint64, d domain.Data) {
		seq++
		at = at.Add(time.Minute)
		s.Apply(seq, domain.Event{ID: uuid.New(), Type: d.EventType(), Schema: 1, PersonID: p, Version: v,
			Actor: domain.Actor{ID: leader.String(), Role: domain.RoleMember}, OccurredAt: at, RecordedAt: at, Data: d}, nil)
	}
	apply(leader, 1, &domain.PersonRegistered{Name: "Leo Park"})
	apply(leader, 2, &domain.StandardSet{AppliesTo: "reports", EffectiveFrom: domain.NewDate(2025, 1, 1), Period: "month", Targets: []domain.Target{
		{Metric: "revenue", Target: 200000, Kind: "lagging"}, {Metric: "new_opportunities", Target: 10, Kind: "leading"},
		{Metric: "deals_won", Target: 4, Kind: "leading"}, {Metric: "win_rate", Target: 0.4, Kind: "leading"}, {Metric: "avg_deal_size", Target: 50000, Kind: "leading"}}})
	reps := make([]uuid.UUID, 8)
	for i := range reps {
		reps[i] = uuid.New()
		apply(reps[i], 1, &domain.PersonRegistered{Name: "Ana Lima", ManagerID: &leader})
	}
	for w := range 52 {
		wk := domain.WeekPeriod(domain.NewDate(2025, 12, 1).AddDays(7 * w))
		for i, r := range reps {
			apply(r, uint64(2+w), &domain.MetricsSubmitted{Period: wk, Source: "self", Values: map[string]float64{
				"activities": 40, "new_opportunities": float64(2 + i%3), "deals_won": 1, "deals_lost": 2, "revenue": 40000 + float64(i)*1000}})
		}
	}
	return s, leader, reps
}
