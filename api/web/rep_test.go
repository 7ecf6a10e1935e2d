package web

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
)

// TestRecentCommitments holds the rep page's list to its rule over random
// histories: every open commitment first, overdue first and then by due
// date (stable), then the resolved newest first, n in all.
func TestRecentCommitments(t *testing.T) {
	rule := func(all []projections.CommitmentLife, n int) []projections.CommitmentLife {
		var open, done []projections.CommitmentLife
		for _, c := range all {
			if c.Status == "open" {
				open = append(open, c)
			} else {
				done = append(done, c)
			}
		}
		slices.SortStableFunc(open, func(a, b projections.CommitmentLife) int {
			if a.Overdue != b.Overdue {
				if a.Overdue {
					return -1
				}
				return 1
			}
			return a.DueOn.Time().Compare(b.DueOn.Time())
		})
		slices.Reverse(done)
		out := append(open, done...)
		return out[:min(n, len(out))]
	}
	r := rand.New(rand.NewPCG(6, 6))
	day := domain.DateOf(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	for range 2000 {
		all := make([]projections.CommitmentLife, r.IntN(30))
		for k := range all {
			all[k] = projections.CommitmentLife{ID: uuid.New(), Status: []string{"open", "kept", "missed", "withdrawn"}[r.IntN(4)],
				Overdue: r.IntN(3) == 0, DueOn: day.AddDays(r.IntN(10))}
		}
		n := r.IntN(9)
		if got, want := recentCommitments(all, n), rule(all, n); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("%d commitments, n %d: got %v, want %v", len(all), n, got, want)
		}
	}
}
