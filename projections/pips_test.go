package projections

import (
	"slices"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

func TestPIPLifecycle(t *testing.T) {
	p := ids(2)
	lead, ana := p[0], p[1]
	pipID := uuid.New()
	g := ids(4)
	f := newFeed()
	register(f, lead, "Leo", nil)
	register(f, ana, "Ana", &lead)
	f.add(ana, hrActor, &domain.PIPOpened{PIPID: pipID, Reason: "three months under 60%", StartsOn: date(t, "2026-11-02"), EndsOn: date(t, "2027-01-01"), CheckInEveryDays: 7,
		Goals: []domain.PIPGoal{{GoalID: g[0], Text: "10 opportunities a month"}, {GoalID: g[1], Text: "win rate 30%"}, {GoalID: g[2], Text: "CRM up to date"}}})
	f.add(ana, member(lead), &domain.PIPAcknowledged{PIPID: pipID}) // not the person: does not count
	ack1 := f.add(ana, member(ana), &domain.PIPAcknowledged{PIPID: pipID, Comment: str("understood")})
	f.add(ana, member(lead), &domain.PIPCheckedIn{PIPID: pipID, On: date(t, "2026-11-09"), Note: "slow start",
		Goals: []domain.GoalStatus{{GoalID: g[0], Status: "at_risk"}, {GoalID: g[1], Status: "on_track"}, {GoalID: g[2], Status: "on_track"}}})
	f.add(ana, hrActor, &domain.PIPRevised{PIPID: pipID, Reason: "CRM goal met early", Goals: []domain.PIPGoal{{GoalID: g[0], Text: "10 opportunities a month"}, {GoalID: g[1], Text: "win rate 30%"}, {GoalID: g[3], Text: "two demos a week"}}})
	s := f.set()
	x, ok := s.PIP(pipID)
	if !ok || !x.AwaitingAcknowledgement || len(x.GoalVersions) != 2 || x.GoalVersions[1].AcknowledgedAt != nil || x.GoalVersions[0].AcknowledgedAt == nil {
		t.Fatalf("after revision: ok %v awaiting %v versions %+v", ok, x.AwaitingAcknowledgement, x.GoalVersions)
	}
	if !x.GoalVersions[0].AcknowledgedAt.Equal(ack1.OccurredAt) || x.GoalVersions[1].Reason == nil || *x.GoalVersions[1].Reason != "CRM goal met early" {
		t.Errorf("goal versions = %+v", x.GoalVersions)
	}

	f.add(ana, member(ana), &domain.PIPAcknowledged{PIPID: pipID})
	f.add(ana, member(lead), &domain.PIPCheckedIn{PIPID: pipID, On: date(t, "2026-11-18"), Note: "better",
		Goals: []domain.GoalStatus{{GoalID: g[0], Status: "on_track", Note: str("8 so far")}, {GoalID: g[1], Status: "at_risk"}}})
	f.add(ana, hrActor, &domain.PIPExtended{PIPID: pipID, NewEndsOn: date(t, "2027-01-15"), Reason: "holidays"})
	f.add(ana, hrActor, &domain.PIPClosed{PIPID: pipID, Outcome: "succeeded", Note: "goals met"})
	f.add(ana, member(lead), &domain.PIPCheckedIn{PIPID: pipID, On: date(t, "2026-11-25")}) // forged: closed
	s = f.set()
	x, _ = s.PIP(pipID)

	if x.State != "closed" || x.Outcome == nil || *x.Outcome != "succeeded" || x.ClosedAt == nil || x.AwaitingAcknowledgement {
		t.Errorf("state %s outcome %v closed %v awaiting %v", x.State, x.Outcome, x.ClosedAt, x.AwaitingAcknowledgement)
	}
	if x.EndsOn.String() != "2027-01-15" || x.StartsOn.String() != "2026-11-02" || x.Reason != "three months under 60%" || x.OpenedBy != hrActor {
		t.Errorf("ends %s starts %s reason %q opened by %v", x.EndsOn, x.StartsOn, x.Reason, x.OpenedBy)
	}
	if got := []int{x.Acknowledgements[0].GoalVersion, x.Acknowledgements[1].GoalVersion}; len(x.Acknowledgements) != 2 || !slices.Equal(got, []int{1, 2}) {
		t.Errorf("acknowledgements = %+v", x.Acknowledgements)
	}
	if x.Acknowledgements[0].Comment == nil || *x.Acknowledgements[0].Comment != "understood" {
		t.Errorf("comment = %v", x.Acknowledgements[0].Comment)
	}
	goals := []struct {
		id     uuid.UUID
		status string // "" for none
		note   string
	}{{g[0], "on_track", "8 so far"}, {g[1], "at_risk", ""}, {g[3], "", ""}}
	if len(x.Goals) != len(goals) {
		t.Fatalf("goals = %+v", x.Goals)
	}
	for k, want := range goals {
		got := x.Goals[k]
		status, note := "", ""
		if got.Status != nil {
			status = *got.Status
		}
		if got.Note != nil {
			note = *got.Note
		}
		if got.GoalID != want.id || status != want.status || note != want.note {
			t.Errorf("goal %d = %s %q %q, want %+v", k, got.GoalID, status, note, want)
		}
	}
	wantSteps := []string{"pip.opened", "pip.acknowledged", "pip.checked_in", "pip.revised", "pip.acknowledged", "pip.checked_in", "pip.extended", "pip.closed"}
	if got := types(x.Steps); !slices.Equal(got, wantSteps) {
		t.Errorf("steps = %v, want %v", got, wantSteps)
	}
	if got := x.Steps[0].Summary; got != "PIP opened: 60 days, 3 goals" {
		t.Errorf("opened summary = %q", got)
	}
	if got := x.Steps[2].Summary; got != "Check-in on 2026-11-09: 2 on track, 1 at risk" {
		t.Errorf("check-in summary = %q", got)
	}
	if len(x.CheckIns) != 2 || x.CheckIns[1].Note != "better" || x.CheckIns[1].Actor != member(lead) {
		t.Errorf("check-ins = %+v", x.CheckIns)
	}
	for _, tt := range []struct {
		state string
		want  int
	}{{"", 1}, {"closed", 1}, {"active", 0}} {
		if got := len(s.PIPs(tt.state)); got != tt.want {
			t.Errorf("PIPs(%q) = %d, want %d", tt.state, got, tt.want)
		}
	}
	if got := s.PIPsOf(ana); len(got) != 1 || got[0].ID != pipID {
		t.Errorf("PIPsOf = %v", got)
	}
	if got := s.PIPsOf(lead); len(got) != 0 {
		t.Errorf("PIPsOf(lead) = %v", got)
	}
}

func TestSchedule(t *testing.T) {
	d := func(s string) domain.Date { return date(t, s) }
	type want struct{ due, done, status string }
	tests := []struct {
		name     string
		every    int
		ends     string
		checkIns []string
		today    string
		closed   string
		want     []want
	}{
		{"none due yet", 7, "2026-12-31", nil, "2026-11-05", "", nil},
		{"on time", 7, "2026-12-31", []string{"2026-11-08", "2026-11-14"}, "2026-11-16",
			"", []want{{"2026-11-08", "2026-11-08", "on_time"}, {"2026-11-15", "2026-11-14", "on_time"}}},
		{"late then on time", 7, "2026-12-31", []string{"2026-11-08", "2026-11-17", "2026-11-22"}, "2026-11-23",
			"", []want{{"2026-11-08", "2026-11-08", "on_time"}, {"2026-11-15", "2026-11-17", "late"}, {"2026-11-22", "2026-11-22", "on_time"}}},
		{"missed", 7, "2026-12-31", []string{"2026-11-20"}, "2026-11-23",
			"", []want{{"2026-11-08", "", "missed"}, {"2026-11-15", "2026-11-20", "late"}, {"2026-11-22", "", "missed"}}},
		{"one check-in serves one due date", 7, "2026-12-31", []string{"2026-11-07", "2026-11-06"}, "2026-11-16",
			"", []want{{"2026-11-08", "2026-11-06", "on_time"}, {"2026-11-15", "", "missed"}}},
		{"due today not yet met is not listed", 7, "2026-12-31", nil, "2026-11-08", "", nil},
		{"due today met", 7, "2026-12-31", []string{"2026-11-08"}, "2026-11-08", "", []want{{"2026-11-08", "2026-11-08", "on_time"}}},
		{"start day counts for the first", 7, "2026-12-31", []string{"2026-11-01"}, "2026-11-09", "", []want{{"2026-11-08", "2026-11-01", "on_time"}}},
		{"stops at the end", 14, "2026-11-20", []string{"2026-11-15"}, "2027-03-01", "", []want{{"2026-11-15", "2026-11-15", "on_time"}}},
		{"stops at the close", 7, "2026-12-31", []string{"2026-11-08"}, "2027-03-01", "2026-11-16",
			[]want{{"2026-11-08", "2026-11-08", "on_time"}, {"2026-11-15", "", "missed"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := PIP{StartsOn: d("2026-11-01"), EndsOn: d(tt.ends), CheckInEveryDays: tt.every}
			for _, c := range tt.checkIns {
				x.CheckIns = append(x.CheckIns, CheckIn{On: d(c)})
			}
			if tt.closed != "" {
				at := d(tt.closed).Time().Add(10 * 3600e9)
				x.ClosedAt = &at
			}
			got := x.Schedule(d(tt.today))
			if len(got) != len(tt.want) {
				t.Fatalf("Schedule = %+v, want %+v", got, tt.want)
			}
			for k, w := range tt.want {
				done := ""
				if got[k].Done != nil {
					done = got[k].Done.String()
				}
				if got[k].Due.String() != w.due || done != w.done || got[k].Status != w.status {
					t.Errorf("expectation %d = %s %s %s, want %+v", k, got[k].Due, done, got[k].Status, w)
				}
			}
		})
	}
}

// TestPIPClosedByErasure: a PIP active when its person is erased ends
// there, closed with the outcome "erased" on the erasure's day, so that
// its schedule stops instead of counting every later check-in as missed;
// a PIP closed before keeps its own outcome.
func TestPIPClosedByErasure(t *testing.T) {
	p := ids(2)
	lead, ana := p[0], p[1]
	done, open := uuid.New(), uuid.New()
	f := newFeed()
	register(f, lead, "Leo", nil)
	register(f, ana, "Ana", &lead)
	start := domain.DateOf(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
	at := func(days int) time.Time { return start.AddDays(days).Time().Add(10 * time.Hour) }
	goals := []domain.PIPGoal{{GoalID: uuid.New(), Text: "ten demos"}}
	f.addAt(ana, hrActor, at(0), &domain.PIPOpened{PIPID: done, Reason: "first", StartsOn: start, EndsOn: start.AddDays(30), CheckInEveryDays: 7, Goals: goals})
	f.addAt(ana, hrActor, at(31), &domain.PIPClosed{PIPID: done, Outcome: "not_met", Note: "ended"})
	f.addAt(ana, hrActor, at(40), &domain.PIPOpened{PIPID: open, Reason: "second", StartsOn: start.AddDays(40), EndsOn: start.AddDays(100), CheckInEveryDays: 7, Goals: goals})
	f.addAt(ana, member(lead), at(47), &domain.PIPCheckedIn{PIPID: open, On: start.AddDays(47), Note: "fine"})
	erased := f.addAt(ana, hrActor, at(50), &domain.PersonErased{Reason: "request under GDPR art. 17"})
	s := f.set()

	x, _ := s.PIP(open)
	if x.State != PIPClosed || x.Outcome == nil || *x.Outcome != OutcomeErased || x.ClosedAt == nil || !x.ClosedAt.Equal(erased.OccurredAt) {
		t.Errorf("the active PIP after the erasure: state %s outcome %v closed %v, want closed, erased, at %v", x.State, x.Outcome, x.ClosedAt, erased.OccurredAt)
	}
	if got := types(x.Steps); !slices.Equal(got, []string{"pip.opened", "pip.checked_in", "person.erased"}) {
		t.Errorf("steps = %v, want the erasure last", got)
	}
	if x.AwaitingAcknowledgement {
		t.Error("a PIP closed by erasure awaits an acknowledgement")
	}
	sum := SummarizeCheckIns(x.Schedule(start.AddDays(100)))
	if len(sum.Missed) != 0 || sum.Expected != 1 {
		t.Errorf("schedule after the erasure: %+v, want the one check-in before it and nothing missed", sum)
	}
	if y, _ := s.PIP(done); y.Outcome == nil || *y.Outcome != "not_met" {
		t.Errorf("the PIP closed before the erasure reads %v, want not_met", y.Outcome)
	}
	if got := s.PIPs(PIPActive); len(got) != 0 {
		t.Errorf("active PIPs after the erasure: %d, want 0", len(got))
	}
}
