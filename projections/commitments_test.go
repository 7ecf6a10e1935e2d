package projections

import (
	"slices"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

func TestCommitmentLifecycle(t *testing.T) {
	p := ids(2)
	lead, ana := p[0], p[1]
	c := ids(4)
	f := newFeed()
	register(f, lead, "Leo", nil)
	register(f, ana, "Ana", &lead)
	meeting := uuid.New()
	f.add(ana, member(lead), &domain.CommitmentMade{CommitmentID: c[0], Text: "book 15 first meetings by Friday", DueOn: date(t, "2026-11-27"), MeetingID: &meeting, Metric: &domain.CommitmentMetric{Key: "activities", Target: 15}})
	f.add(ana, member(lead), &domain.CommitmentMade{CommitmentID: c[1], Text: "call 3 lapsed customers", DueOn: date(t, "2026-11-10")})
	f.add(ana, member(lead), &domain.CommitmentMade{CommitmentID: c[2], Text: "update the CRM", DueOn: date(t, "2026-11-20")})
	f.add(ana, member(lead), &domain.CommitmentMade{CommitmentID: c[3], Text: "shadow a demo", DueOn: date(t, "2026-11-30")})
	progress := 0.4
	f.add(ana, member(lead), &domain.CommitmentFollowedUp{CommitmentID: c[0], Note: "6 booked", Progress: &progress})
	f.add(ana, member(lead), &domain.CommitmentRenegotiated{CommitmentID: c[0], NewDueOn: date(t, "2026-12-04"), Reason: "holiday"})
	kept := f.add(ana, member(lead), &domain.CommitmentKept{CommitmentID: c[0]})
	f.add(ana, member(lead), &domain.CommitmentMissed{CommitmentID: c[1], Note: str("no time")})
	f.add(ana, member(lead), &domain.CommitmentWithdrawn{CommitmentID: c[3], Reason: "demo cancelled"})
	f.add(ana, member(lead), &domain.CommitmentFollowedUp{CommitmentID: c[0], Note: "after the fact"}) // forged: resolved
	f.add(ana, member(lead), &domain.CommitmentKept{CommitmentID: c[1]})                               // forged: resolved twice
	s := f.set()

	all := s.Commitments(ana)
	if len(all) != 4 {
		t.Fatalf("Commitments = %d, want 4", len(all))
	}
	tests := []struct {
		id           uuid.UUID
		status       string
		due          string
		history      []string
		renegotiated int
		resolved     bool
	}{
		{c[0], "kept", "2026-12-04", []string{"commitment.made", "commitment.followed_up", "commitment.renegotiated", "commitment.kept"}, 1, true},
		{c[1], "missed", "2026-11-10", []string{"commitment.made", "commitment.missed"}, 0, true},
		{c[2], "open", "2026-11-20", []string{"commitment.made"}, 0, false},
		{c[3], "withdrawn", "2026-11-30", []string{"commitment.made", "commitment.withdrawn"}, 0, true},
	}
	for k, tt := range tests {
		got := all[k]
		if got.ID != tt.id || got.Status != tt.status || got.DueOn.String() != tt.due || got.Renegotiated != tt.renegotiated || (got.ResolvedAt != nil) != tt.resolved {
			t.Errorf("commitment %d = %s %s due %s renegotiated %d resolved %v, want %+v", k, got.ID, got.Status, got.DueOn, got.Renegotiated, got.ResolvedAt, tt)
		}
		if h := types(got.History); !slices.Equal(h, tt.history) {
			t.Errorf("commitment %d history = %v, want %v", k, h, tt.history)
		}
	}
	first, ok := s.Commitment(ana, c[0])
	switch {
	case !ok:
		t.Fatal("Commitment not found")
	case first.OriginalDueOn.String() != "2026-11-27" || first.Progress == nil || *first.Progress != 0.4:
		t.Errorf("original due %s progress %v", first.OriginalDueOn, first.Progress)
	case first.MeetingID == nil || *first.MeetingID != meeting || first.Metric == nil || first.Metric.Target != 15:
		t.Errorf("meeting %v metric %v", first.MeetingID, first.Metric)
	case !first.ResolvedAt.Equal(kept.OccurredAt):
		t.Errorf("ResolvedAt = %v, want %v", first.ResolvedAt, kept.OccurredAt)
	case first.History[0].Summary != `Commitment made: "book 15 first meetings by Friday", due 2026-11-27`:
		t.Errorf("summary = %q", first.History[0].Summary)
	case first.History[3].Summary != `Commitment kept: "book 15 first meetings by Friday"`:
		t.Errorf("summary = %q", first.History[3].Summary)
	case !strings.Contains(first.History[1].Summary, "40% done"):
		t.Errorf("summary = %q", first.History[1].Summary)
	}
	// A page writes the dates its own way; the line is otherwise the same.
	pageWords := Words{Date: func(d domain.Date) string { return d.Time().Format("2 Jan 2006") }, Period: domain.Period.String}
	if got, want := s.SummaryIn(first.History[0], pageWords), `Commitment made: "book 15 first meetings by Friday", due 27 Nov 2026`; got != want {
		t.Errorf("SummaryIn = %q, want %q", got, want)
	}
	if got, want := s.SummaryIn(first.History[2], pageWords), `Commitment renegotiated: "book 15 first meetings by Friday", now due 4 Dec 2026`; got != want {
		t.Errorf("SummaryIn = %q, want %q", got, want)
	}
	if _, ok := s.Commitment(lead, c[0]); ok {
		t.Error("Commitment found under another person")
	}

	overdue := []struct {
		today string
		want  []bool
	}{
		{"2026-11-20", []bool{false, false, false, false}},
		{"2026-11-21", []bool{false, false, true, false}},
		{"2027-01-01", []bool{false, false, true, false}},
	}
	for _, tt := range overdue {
		for k, c := range all {
			if got := c.Overdue(date(t, tt.today)); got != tt.want[k] {
				t.Errorf("Overdue(%s) of %d = %v, want %v", tt.today, k, got, tt.want[k])
			}
		}
	}
}

// TestDayRoundTrip: a commitment's kept days read back as the dates they
// were made from, before 1970 too, and one day apart is one apart.
func TestDayRoundTrip(t *testing.T) {
	for _, d := range []domain.Date{
		domain.NewDate(1969, 12, 31), domain.NewDate(1970, 1, 1), domain.NewDate(1900, 3, 1),
		domain.NewDate(2026, 11, 20), domain.NewDate(2028, 2, 29), domain.NewDate(2100, 12, 31),
	} {
		if got := dayOf(d).date(); got != d {
			t.Errorf("%s reads back as %s", d, got)
		}
		if dayOf(d.AddDays(1)) != dayOf(d)+1 {
			t.Errorf("the day after %s is %d, want %d", d, dayOf(d.AddDays(1)), dayOf(d)+1)
		}
	}
}
