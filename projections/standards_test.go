package projections

import (
	"slices"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

func TestStandardInForce(t *testing.T) {
	p := ids(5)
	owner, leadA, leadB, ana, ben := p[0], p[1], p[2], p[3], p[4]
	f := newFeed()
	register(f, owner, "Olga", nil)
	register(f, leadA, "Leo", &owner)
	register(f, leadB, "Lia", &owner)
	register(f, ana, "Ana", &leadA)
	register(f, ben, "Ben", &leadA)
	opps := func(n float64) domain.Target { return tg("new_opportunities", n, "leading") }
	f.add(owner, hrActor, standardSet("reports", "2026-01-01", opps(5)))
	f.add(leadA, member(owner), standardSet("reports", "2026-07-01", opps(12))) // recorded first, effective later
	f.add(leadA, member(owner), standardSet("reports", "2026-01-01", opps(10)))
	f.add(leadA, member(owner), standardSet("self", "2026-01-01", opps(40))) // the leader's own: not the team's
	f.add(leadB, member(owner), standardSet("reports", "2026-01-01", opps(20)))
	selfSet := f.add(ana, member(leadA), standardSet("self", "2026-03-01", opps(8)))
	f.add(ana, member(leadA), standardSet("self", "2026-03-01", opps(9))) // same day: the later recorded wins
	s := f.set()

	tests := []struct {
		name   string
		person uuid.UUID
		on     string
		asOf   time.Time
		source uuid.UUID
		target float64 // 0: none in force
	}{
		{"team standard before the change", ben, "2026-06-30", time.Time{}, leadA, 10},
		{"team standard changed mid-year", ben, "2026-07-01", time.Time{}, leadA, 12},
		{"still in force later", ben, "2026-12-01", time.Time{}, leadA, 12},
		{"nothing before the first", ben, "2025-12-31", time.Time{}, uuid.Nil, 0},
		{"own standard overrides the team's", ana, "2026-04-01", time.Time{}, ana, 9},
		{"the team's before the own is effective", ana, "2026-02-01", time.Time{}, leadA, 10},
		{"as of before the second own standard", ana, "2026-04-01", selfSet.RecordedAt, ana, 8},
		{"as of before the own standard", ana, "2026-04-01", selfSet.RecordedAt.Add(-time.Nanosecond), leadA, 10},
		{"a leader gets the owner's team standard, not their own reports'", leadA, "2026-08-01", time.Time{}, leadA, 40},
		{"the nearest manager with one", leadB, "2026-08-01", time.Time{}, owner, 5},
		{"top of the org", owner, "2026-08-01", time.Time{}, uuid.Nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.Standard(tt.person, date(t, tt.on), tt.asOf)
			if ok != (tt.target != 0) {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.target != 0, got)
			}
			if ok && (got.SourcePersonID != tt.source || got.Targets[0].Target != tt.target) {
				t.Errorf("standard from %v target %v, want from %v target %v", got.SourcePersonID, got.Targets[0].Target, tt.source, tt.target)
			}
		})
	}

	// A reassigned rep picks up the new manager's standard, in their scorecard too;
	// as of before the move was recorded, the old manager's still applies.
	senior := "Senior AE"
	beforeMove := f.add(ben, hrActor, &domain.PersonUpdated{Title: &senior}).RecordedAt
	moved := f.add(ben, hrActor, &domain.ManagerChanged{ManagerID: &leadB}).RecordedAt
	s = f.set()
	for _, tc := range []struct {
		name   string
		asOf   time.Time
		source uuid.UUID
		target float64
	}{
		{"now", time.Time{}, leadB, 20},
		{"as of the move", moved, leadB, 20},
		{"as of before the move", beforeMove, leadA, 12},
	} {
		if got, ok := s.Standard(ben, date(t, "2026-08-01"), tc.asOf); !ok || got.SourcePersonID != tc.source || got.Targets[0].Target != tc.target {
			t.Errorf("%s: %+v, want %v's %v", tc.name, got, tc.source, tc.target)
		}
		card, stamp := s.StampedScorecard(ben, period_(t, "2026-08"), tc.asOf)
		if card.Standard == nil || card.Standard.SourcePersonID != tc.source {
			t.Errorf("%s: scorecard standard = %+v, want %v's", tc.name, card.Standard, tc.source)
		}
		if !slices.Contains(stamp.journals, tc.source) {
			t.Errorf("%s: the stamp %v leaves out %v, whose standard the answer read", tc.name, stamp.journals, tc.source)
		}
	}

	// A forged cycle in the tree ends the walk.
	f.add(leadA, hrActor, &domain.ManagerChanged{ManagerID: &ana})
	f.add(owner, hrActor, &domain.ManagerChanged{ManagerID: &leadA})
	s = f.set()
	if _, ok := s.Standard(ana, date(t, "2026-02-01"), time.Time{}); !ok {
		t.Error("no standard for ana in a cycle; want leadA's")
	}
	if got, ok := s.Standard(leadB, date(t, "2025-01-01"), time.Time{}); ok {
		t.Errorf("found %+v before any standard", got)
	}
}

// TestStandardScorecardMonths: the scorecard uses the standard in force on
// the month's first day.
func TestStandardScorecardMonths(t *testing.T) {
	f, lead, reps := team(1)
	f.add(lead, member(lead), standardSet("reports", "2026-01-01", tg("new_opportunities", 10, "leading")))
	f.add(lead, member(lead), standardSet("reports", "2026-07-15", tg("new_opportunities", 12, "leading")))
	s := f.set()
	for month, want := range map[string]float64{"2026-06": 10, "2026-07": 10, "2026-08": 12} {
		card := s.Scorecard(reps[0], period_(t, month), time.Time{})
		if card.Standard == nil || *card.Metrics[0].Target != want {
			t.Errorf("%s: target %v, want %v", month, card.Metrics, want)
		}
	}
}
