package projections

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// TestTeamsIndexMatchesTree: the board's rows, read from the direct-reports
// index, are the manager's direct reports in today's tree in registration
// order (less those departed before the month), after any joins, moves
// and departures, and again after a snapshot round trip.
func TestTeamsIndexMatchesTree(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := newWorld()
		n := rapid.IntRange(1, 120).Draw(t, "events")
		for len(w.f.events) < n {
			w.step(t)
		}
		s := w.f.set()
		var buf bytes.Buffer
		if err := s.WriteSnapshot(&buf); err != nil {
			t.Fatal(err)
		}
		restored, err := ReadSnapshot(&buf)
		if err != nil {
			t.Fatal(err)
		}
		month := domain.MonthPeriod(domain.NewDate(2026, 12, 1))
		for _, set := range []*Set{s, restored} {
			for _, m := range w.people {
				var want []uuid.UUID
				for _, p := range set.People(&m) {
					if p.DepartedOn == nil || !p.DepartedOn.Before(month.Start()) {
						want = append(want, p.ID)
					}
				}
				var got []uuid.UUID
				for _, r := range set.Board(m, month, time.Time{}).Rows {
					got = append(got, r.PersonID)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("board of %s: rows %v, want %v", m, got, want)
				}
			}
		}
	})
}
