package domain_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/coachjournal/coachjournal/domain"
)

// plusDays returns the date n days after the date s.
func plusDays(tb testing.TB, s string, n int) string {
	tb.Helper()
	d, err := domain.ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d.AddDays(n).String()
}

func TestOpenPIP(t *testing.T) {
	const start = "2026-11-23"
	goals := []domain.GoalInput{{Text: " 10 opportunities a month ", Metric: ptr("new_opportunities"), Target: ptr(10.0)}, {Text: "win rate\n40%"}}
	open := func(c domain.OpenPIP) domain.OpenPIP {
		if c.Reason == "" {
			c.Reason = "62% of goal for three months"
		}
		if c.StartsOn == "" {
			c.StartsOn = start
		}
		if c.EndsOn == "" {
			c.EndsOn = plusDays(t, start, 42)
		}
		if c.Goals == nil {
			c.Goals = goals
		}
		return c
	}
	twentyOne := make([]domain.GoalInput, 21)
	for i := range twentyOne {
		twentyOne[i] = domain.GoalInput{Text: fmt.Sprintf("goal %d", i)}
	}
	cases := []decideCase{
		{name: "valid", cmd: open(domain.OpenPIP{Reason: "  62% of goal \n"}), meta: asHR, wantType: domain.TypePIPOpened, check: func(t *testing.T, e domain.Event) {
			d := e.Data.(*domain.PIPOpened)
			if d.PIPID == uuid.Nil || e.ResourceID() != d.PIPID {
				t.Errorf("PIPID, ResourceID: got %v, %v, want the same non-nil id", d.PIPID, e.ResourceID())
			}
			if d.Reason != "62% of goal" || d.StartsOn.String() != start || d.EndsOn.String() != "2027-01-04" || d.CheckInEveryDays != 7 {
				t.Errorf("data: got %q %v %v every %d, want trimmed reason, %s … 2027-01-04 every 7", d.Reason, d.StartsOn, d.EndsOn, d.CheckInEveryDays, start)
			}
			if len(d.Goals) != 2 {
				t.Fatalf("Goals: got %d, want 2", len(d.Goals))
			}
			g0, g1 := d.Goals[0], d.Goals[1]
			if g0.GoalID == uuid.Nil || g1.GoalID == uuid.Nil || g0.GoalID == g1.GoalID {
				t.Errorf("goal ids: got %v, %v, want two distinct non-nil ids", g0.GoalID, g1.GoalID)
			}
			if g0.Text != "10 opportunities a month" || g0.Metric == nil || *g0.Metric != "new_opportunities" || g0.Target == nil || *g0.Target != 10 {
				t.Errorf("Goals[0]: got %+v, want trimmed text with metric and target", g0)
			}
			if g1.Text != "win rate\n40%" {
				t.Errorf("Goals[1].Text: got %q, want %q", g1.Text, "win rate\n40%")
			}
		}},
		{name: "by the manager", cmd: open(domain.OpenPIP{}), meta: asManager, wantType: domain.TypePIPOpened},
		{name: "check-ins every 14 days", cmd: open(domain.OpenPIP{CheckInEveryDays: ptr(14)}), meta: asHR, wantType: domain.TypePIPOpened, check: func(t *testing.T, e domain.Event) {
			if d := e.Data.(*domain.PIPOpened); d.CheckInEveryDays != 14 {
				t.Errorf("CheckInEveryDays: got %v, want 14", d.CheckInEveryDays)
			}
		}},
		{name: "14 days", cmd: open(domain.OpenPIP{EndsOn: plusDays(t, start, 14)}), meta: asHR, wantType: domain.TypePIPOpened},
		{name: "180 days", cmd: open(domain.OpenPIP{EndsOn: plusDays(t, start, 180)}), meta: asHR, wantType: domain.TypePIPOpened},
		{name: "13 days", cmd: open(domain.OpenPIP{EndsOn: plusDays(t, start, 13)}), meta: asHR, wantKind: domain.KindInvalid, wantField: "ends_on"},
		{name: "181 days", cmd: open(domain.OpenPIP{EndsOn: plusDays(t, start, 181)}), meta: asHR, wantKind: domain.KindInvalid, wantField: "ends_on"},
		{name: "ends before it starts", cmd: open(domain.OpenPIP{EndsOn: plusDays(t, start, -30)}), meta: asHR, wantKind: domain.KindInvalid, wantField: "ends_on"},
		{name: "bad start", cmd: open(domain.OpenPIP{StartsOn: "2026-23-11"}), meta: asHR, wantKind: domain.KindInvalid, wantField: "starts_on"},
		{name: "no end", cmd: domain.OpenPIP{Reason: "r", StartsOn: start, Goals: goals}, meta: asHR, wantKind: domain.KindInvalid, wantField: "ends_on"},
		{name: "check-ins every 0 days", cmd: open(domain.OpenPIP{CheckInEveryDays: ptr(0)}), meta: asHR, wantKind: domain.KindInvalid, wantField: "check_in_every_days"},
		{name: "check-ins every 32 days", cmd: open(domain.OpenPIP{CheckInEveryDays: ptr(32)}), meta: asHR, wantKind: domain.KindInvalid, wantField: "check_in_every_days"},
		{name: "no reason", cmd: open(domain.OpenPIP{Reason: " "}), meta: asHR, wantKind: domain.KindInvalid, wantField: "reason"},
		{name: "no goals", cmd: open(domain.OpenPIP{Goals: []domain.GoalInput{}}), meta: asHR, wantKind: domain.KindInvalid, wantField: "goals"},
		{name: "21 goals", cmd: open(domain.OpenPIP{Goals: twentyOne}), meta: asHR, wantKind: domain.KindInvalid, wantField: "goals"},
		{name: "goal without text", cmd: open(domain.OpenPIP{Goals: []domain.GoalInput{{Text: "g"}, {Text: ""}}}), meta: asHR, wantKind: domain.KindInvalid, wantField: "goals[1].text"},
		{name: "goal with bad metric", cmd: open(domain.OpenPIP{Goals: []domain.GoalInput{{Text: "g", Metric: ptr("Win Rate")}}}), meta: asHR, wantKind: domain.KindInvalid, wantField: "goals[0].metric"},
		{name: "goal with negative target", cmd: open(domain.OpenPIP{Goals: []domain.GoalInput{{Text: "g", Target: ptr(-1.0)}}}), meta: asHR, wantKind: domain.KindInvalid, wantField: "goals[0].target"},
		{name: "goal with an id", cmd: open(domain.OpenPIP{Goals: []domain.GoalInput{{GoalID: ptr(unknownID.String()), Text: "g"}}}), meta: asHR, wantKind: domain.KindInvalid, wantField: "goals[0].goal_id"},
		{name: "by the person", cmd: open(domain.OpenPIP{}), meta: asSelf, wantKind: domain.KindForbidden},
	}
	runDecide(t, registered(t), cases)

	t.Run("only one active", func(t *testing.T) {
		_, err := domain.Decide(newFixture(t).j, open(domain.OpenPIP{}), asHR)
		wantErr(t, err, domain.KindConflict, "")
	})
	t.Run("again after closing", func(t *testing.T) {
		f := newFixture(t)
		apply(t, f.j, domain.ClosePIP{PIPID: f.pip, Outcome: "not_met", Note: "n"}, asHR)
		if _, err := domain.Decide(f.j, open(domain.OpenPIP{}), asHR); err != nil {
			t.Errorf("Decide: got %v, want nil", err)
		}
	})
}

func TestAcknowledgePIP(t *testing.T) {
	f := newFixture(t)
	cases := []decideCase{
		{name: "by the person", cmd: domain.AcknowledgePIP{PIPID: f.pip, Comment: ptr(" I disagree with goal 2 ")}, meta: asSelf,
			wantType: domain.TypePIPAcknowledged, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.PIPAcknowledged)
				if d.PIPID != f.pip || d.Comment == nil || *d.Comment != "I disagree with goal 2" {
					t.Errorf("data: got %+v, want %v with trimmed comment", d, f.pip)
				}
			}},
		{name: "without comment", cmd: domain.AcknowledgePIP{PIPID: f.pip}, meta: asSelf, wantType: domain.TypePIPAcknowledged},
		{name: "by the manager", cmd: domain.AcknowledgePIP{PIPID: f.pip}, meta: asManager, wantKind: domain.KindForbidden},
		{name: "by HR", cmd: domain.AcknowledgePIP{PIPID: f.pip}, meta: asHR, wantKind: domain.KindForbidden},
		{name: "by an admin", cmd: domain.AcknowledgePIP{PIPID: f.pip}, meta: asAdmin, wantKind: domain.KindForbidden},
		{name: "bad comment", cmd: domain.AcknowledgePIP{PIPID: f.pip, Comment: ptr(strings.Repeat("x", domain.MaxNoteLen+1))}, meta: asSelf, wantKind: domain.KindInvalid, wantField: "comment"},
		{name: "unknown PIP", cmd: domain.AcknowledgePIP{PIPID: unknownID}, meta: asSelf, wantKind: domain.KindNotFound},
		{name: "closed PIP", cmd: domain.AcknowledgePIP{PIPID: f.closedPIP}, meta: asSelf, wantKind: domain.KindConflict},
	}
	runDecide(t, f.j, cases)
}

func TestCheckInPIP(t *testing.T) {
	f := newFixture(t) // the PIP started 2026-11-02; today is 2026-11-20
	g := func(id uuid.UUID, status string) domain.GoalStatusInput {
		return domain.GoalStatusInput{GoalID: id.String(), Status: status}
	}
	cases := []decideCase{
		{name: "valid", cmd: domain.CheckInPIP{PIPID: f.pip, On: "2026-11-16", Note: " week 2 ", Goals: []domain.GoalStatusInput{
			g(f.goal1, "on_track"), {GoalID: f.goal2.String(), Status: "at_risk", Note: ptr(" 2 of 8 won ")}}},
			wantType: domain.TypePIPCheckedIn, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.PIPCheckedIn)
				if d.PIPID != f.pip || d.On.String() != "2026-11-16" || d.Note != "week 2" || len(d.Goals) != 2 {
					t.Fatalf("data: got %+v, want check-in of %v on 2026-11-16", d, f.pip)
				}
				if s := d.Goals[1]; s.GoalID != f.goal2 || s.Status != "at_risk" || s.Note == nil || *s.Note != "2 of 8 won" {
					t.Errorf("Goals[1]: got %+v, want %v at_risk with trimmed note", s, f.goal2)
				}
			}},
		{name: "on the first day", cmd: domain.CheckInPIP{PIPID: f.pip, On: "2026-11-02", Note: "n"}, wantType: domain.TypePIPCheckedIn},
		{name: "today", cmd: domain.CheckInPIP{PIPID: f.pip, On: "2026-11-20", Note: "n", Goals: []domain.GoalStatusInput{g(f.goal1, "met"), g(f.goal2, "not_met")}}, wantType: domain.TypePIPCheckedIn},
		{name: "before the start", cmd: domain.CheckInPIP{PIPID: f.pip, On: "2026-11-01", Note: "n"}, wantKind: domain.KindInvalid, wantField: "on"},
		{name: "tomorrow", cmd: domain.CheckInPIP{PIPID: f.pip, On: "2026-11-21", Note: "n"}, wantKind: domain.KindInvalid, wantField: "on"},
		{name: "bad date", cmd: domain.CheckInPIP{PIPID: f.pip, On: "16.11.2026", Note: "n"}, wantKind: domain.KindInvalid, wantField: "on"},
		{name: "no note", cmd: domain.CheckInPIP{PIPID: f.pip, On: "2026-11-16"}, wantKind: domain.KindInvalid, wantField: "note"},
		{name: "goal of another PIP", cmd: domain.CheckInPIP{PIPID: f.pip, On: "2026-11-16", Note: "n", Goals: []domain.GoalStatusInput{g(f.goal1, "met"), g(f.closedPIPGoal, "met")}},
			wantKind: domain.KindInvalid, wantField: "goals[1].goal_id"},
		{name: "goal twice", cmd: domain.CheckInPIP{PIPID: f.pip, On: "2026-11-16", Note: "n", Goals: []domain.GoalStatusInput{g(f.goal1, "met"), g(f.goal1, "not_met")}},
			wantKind: domain.KindInvalid, wantField: "goals[1].goal_id"},
		{name: "goal id not a UUID", cmd: domain.CheckInPIP{PIPID: f.pip, On: "2026-11-16", Note: "n", Goals: []domain.GoalStatusInput{{GoalID: "goal-1", Status: "met"}}},
			wantKind: domain.KindInvalid, wantField: "goals[0].goal_id"},
		{name: "unknown status", cmd: domain.CheckInPIP{PIPID: f.pip, On: "2026-11-16", Note: "n", Goals: []domain.GoalStatusInput{g(f.goal1, "great")}},
			wantKind: domain.KindInvalid, wantField: "goals[0].status"},
		{name: "by the person", cmd: domain.CheckInPIP{PIPID: f.pip, On: "2026-11-16", Note: "n"}, meta: asSelf, wantKind: domain.KindForbidden},
		{name: "unknown PIP", cmd: domain.CheckInPIP{PIPID: unknownID, On: "2026-11-16", Note: "n"}, wantKind: domain.KindNotFound},
		{name: "closed PIP", cmd: domain.CheckInPIP{PIPID: f.closedPIP, On: "2026-07-01", Note: "n"}, wantKind: domain.KindConflict},
	}
	runDecide(t, f.j, cases)
}

func TestRevisePIP(t *testing.T) {
	f := newFixture(t)
	cases := []decideCase{
		{name: "keep one goal, add one", cmd: domain.RevisePIP{PIPID: f.pip, Reason: " territory changed ", Goals: []domain.GoalInput{
			{GoalID: ptr(f.goal1.String()), Text: "12 opportunities a month"}, {Text: "average deal 40,000"}}},
			wantType: domain.TypePIPRevised, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.PIPRevised)
				if d.PIPID != f.pip || d.Reason != "territory changed" || len(d.Goals) != 2 {
					t.Fatalf("data: got %+v, want a revision of %v with 2 goals", d, f.pip)
				}
				if d.Goals[0].GoalID != f.goal1 || d.Goals[0].Text != "12 opportunities a month" {
					t.Errorf("Goals[0]: got %+v, want %v with the new text", d.Goals[0], f.goal1)
				}
				if id := d.Goals[1].GoalID; id == uuid.Nil || id == f.goal1 || id == f.goal2 {
					t.Errorf("Goals[1].GoalID: got %v, want a fresh id", id)
				}
			}},
		{name: "goal of another PIP", cmd: domain.RevisePIP{PIPID: f.pip, Reason: "r", Goals: []domain.GoalInput{{GoalID: ptr(f.closedPIPGoal.String()), Text: "g"}}},
			wantKind: domain.KindInvalid, wantField: "goals[0].goal_id"},
		{name: "goal twice", cmd: domain.RevisePIP{PIPID: f.pip, Reason: "r", Goals: []domain.GoalInput{{GoalID: ptr(f.goal1.String()), Text: "a"}, {GoalID: ptr(f.goal1.String()), Text: "b"}}},
			wantKind: domain.KindInvalid, wantField: "goals[1].goal_id"},
		{name: "no goals", cmd: domain.RevisePIP{PIPID: f.pip, Reason: "r"}, wantKind: domain.KindInvalid, wantField: "goals"},
		{name: "no reason", cmd: domain.RevisePIP{PIPID: f.pip, Goals: []domain.GoalInput{{Text: "g"}}}, wantKind: domain.KindInvalid, wantField: "reason"},
		{name: "by the person", cmd: domain.RevisePIP{PIPID: f.pip, Reason: "r", Goals: []domain.GoalInput{{Text: "g"}}}, meta: asSelf, wantKind: domain.KindForbidden},
		{name: "unknown PIP", cmd: domain.RevisePIP{PIPID: unknownID, Reason: "r", Goals: []domain.GoalInput{{Text: "g"}}}, wantKind: domain.KindNotFound},
		{name: "closed PIP", cmd: domain.RevisePIP{PIPID: f.closedPIP, Reason: "r", Goals: []domain.GoalInput{{Text: "g"}}}, wantKind: domain.KindConflict},
	}
	runDecide(t, f.j, cases)
}

func TestExtendPIP(t *testing.T) {
	f := newFixture(t) // 2026-11-02 … 2026-12-14
	cases := []decideCase{
		{name: "two weeks more", cmd: domain.ExtendPIP{PIPID: f.pip, NewEndsOn: "2026-12-28", Reason: " holidays "},
			wantType: domain.TypePIPExtended, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.PIPExtended)
				if d.PIPID != f.pip || d.NewEndsOn.String() != "2026-12-28" || d.Reason != "holidays" {
					t.Errorf("data: got %+v, want %v to 2026-12-28 %q", d, f.pip, "holidays")
				}
			}},
		{name: "to 180 days", cmd: domain.ExtendPIP{PIPID: f.pip, NewEndsOn: plusDays(t, "2026-11-02", 180), Reason: "r"}, wantType: domain.TypePIPExtended},
		{name: "to 181 days", cmd: domain.ExtendPIP{PIPID: f.pip, NewEndsOn: plusDays(t, "2026-11-02", 181), Reason: "r"}, wantKind: domain.KindInvalid, wantField: "new_ends_on"},
		{name: "same end", cmd: domain.ExtendPIP{PIPID: f.pip, NewEndsOn: "2026-12-14", Reason: "r"}, wantKind: domain.KindInvalid, wantField: "new_ends_on"},
		{name: "earlier end", cmd: domain.ExtendPIP{PIPID: f.pip, NewEndsOn: "2026-12-01", Reason: "r"}, wantKind: domain.KindInvalid, wantField: "new_ends_on"},
		{name: "bad date", cmd: domain.ExtendPIP{PIPID: f.pip, NewEndsOn: "soon", Reason: "r"}, wantKind: domain.KindInvalid, wantField: "new_ends_on"},
		{name: "no reason", cmd: domain.ExtendPIP{PIPID: f.pip, NewEndsOn: "2026-12-28"}, wantKind: domain.KindInvalid, wantField: "reason"},
		{name: "by the person", cmd: domain.ExtendPIP{PIPID: f.pip, NewEndsOn: "2026-12-28", Reason: "r"}, meta: asSelf, wantKind: domain.KindForbidden},
		{name: "unknown PIP", cmd: domain.ExtendPIP{PIPID: unknownID, NewEndsOn: "2026-12-28", Reason: "r"}, wantKind: domain.KindNotFound},
		{name: "closed PIP", cmd: domain.ExtendPIP{PIPID: f.closedPIP, NewEndsOn: "2026-12-28", Reason: "r"}, wantKind: domain.KindConflict},
	}
	runDecide(t, f.j, cases)
}

func TestClosePIP(t *testing.T) {
	f := newFixture(t)
	cases := []decideCase{
		{name: "succeeded", cmd: domain.ClosePIP{PIPID: f.pip, Outcome: "succeeded", Note: " all goals met "}, meta: asHR,
			wantType: domain.TypePIPClosed, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.PIPClosed)
				if d.PIPID != f.pip || d.Outcome != "succeeded" || d.Note != "all goals met" {
					t.Errorf("data: got %+v, want %v succeeded %q", d, f.pip, "all goals met")
				}
			}},
		{name: "not met", cmd: domain.ClosePIP{PIPID: f.pip, Outcome: "not_met", Note: "n"}, wantType: domain.TypePIPClosed},
		{name: "withdrawn", cmd: domain.ClosePIP{PIPID: f.pip, Outcome: "withdrawn", Note: "n"}, wantType: domain.TypePIPClosed},
		{name: "unknown outcome", cmd: domain.ClosePIP{PIPID: f.pip, Outcome: "passed", Note: "n"}, wantKind: domain.KindInvalid, wantField: "outcome"},
		{name: "no note", cmd: domain.ClosePIP{PIPID: f.pip, Outcome: "succeeded"}, wantKind: domain.KindInvalid, wantField: "note"},
		{name: "by the person", cmd: domain.ClosePIP{PIPID: f.pip, Outcome: "succeeded", Note: "n"}, meta: asSelf, wantKind: domain.KindForbidden},
		{name: "unknown PIP", cmd: domain.ClosePIP{PIPID: unknownID, Outcome: "succeeded", Note: "n"}, wantKind: domain.KindNotFound},
		{name: "closed PIP", cmd: domain.ClosePIP{PIPID: f.closedPIP, Outcome: "succeeded", Note: "n"}, wantKind: domain.KindConflict},
	}
	runDecide(t, f.j, cases)
}

// TestPIPLifecycle folds a PIP through acknowledgement, revision,
// re-acknowledgement, extension and closure.
func TestPIPLifecycle(t *testing.T) {
	f := newFixture(t)
	ack := domain.AcknowledgePIP{PIPID: f.pip}
	step := func(name string, cmd domain.Command, m domain.Meta, want domain.Kind) {
		t.Helper()
		if want == domain.KindInternal {
			apply(t, f.j, cmd, m)
			return
		}
		_, err := domain.Decide(f.j, cmd, m)
		if err == nil {
			t.Fatalf("%s: got no error, want %s", name, kindNames[want])
		}
		wantErr(t, err, want, "")
	}
	step("acknowledge", ack, asSelf, domain.KindInternal)
	step("acknowledge twice", ack, asSelf, domain.KindConflict)
	rev := apply(t, f.j, domain.RevisePIP{PIPID: f.pip, Reason: "r", Goals: []domain.GoalInput{{GoalID: ptr(f.goal1.String()), Text: "kept"}, {Text: "new"}}}, asHR)
	newGoal := rev.Data.(*domain.PIPRevised).Goals[1].GoalID
	step("acknowledge the revision", ack, asSelf, domain.KindInternal)
	step("acknowledge the revision twice", ack, asSelf, domain.KindConflict)

	checkIn := func(id uuid.UUID) domain.CheckInPIP {
		return domain.CheckInPIP{PIPID: f.pip, On: "2026-11-20", Note: "n", Goals: []domain.GoalStatusInput{{GoalID: id.String(), Status: "on_track"}}}
	}
	step("check in on a kept goal", checkIn(f.goal1), asManager, domain.KindInternal)
	step("check in on the new goal", checkIn(newGoal), asManager, domain.KindInternal)
	_, err := domain.Decide(f.j, checkIn(f.goal2), asManager)
	wantErr(t, err, domain.KindInvalid, "goals[0].goal_id")

	step("extend", domain.ExtendPIP{PIPID: f.pip, NewEndsOn: "2027-01-11", Reason: "r"}, asHR, domain.KindInternal)
	_, err = domain.Decide(f.j, domain.ExtendPIP{PIPID: f.pip, NewEndsOn: "2027-01-04", Reason: "r"}, asHR)
	wantErr(t, err, domain.KindInvalid, "new_ends_on")

	step("close", domain.ClosePIP{PIPID: f.pip, Outcome: "succeeded", Note: "n"}, asHR, domain.KindInternal)
	for name, cmd := range map[string]domain.Command{
		"check in after closing": checkIn(f.goal1),
		"extend after closing":   domain.ExtendPIP{PIPID: f.pip, NewEndsOn: "2027-02-01", Reason: "r"},
		"revise after closing":   domain.RevisePIP{PIPID: f.pip, Reason: "r", Goals: []domain.GoalInput{{Text: "g"}}},
		"close twice":            domain.ClosePIP{PIPID: f.pip, Outcome: "succeeded", Note: "n"},
	} {
		step(name, cmd, asHR, domain.KindConflict)
	}
	step("acknowledge after closing", ack, asSelf, domain.KindConflict)
}
