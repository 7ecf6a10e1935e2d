package domain_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/coachjournal/coachjournal/domain"
)

func TestHoldMeeting(t *testing.T) {
	meeting := func(c domain.HoldMeeting) domain.HoldMeeting {
		if c.Kind == "" {
			c.Kind = "performance"
		}
		if c.HeldAt == "" {
			c.HeldAt = "2026-11-20T14:00:00Z"
		}
		if c.WithID == "" {
			c.WithID = managerID.String()
		}
		return c
	}
	cases := []decideCase{
		{name: "full", cmd: domain.HoldMeeting{Kind: "performance", HeldAt: "2026-11-20T16:00:00+02:00", WithID: managerID.String(),
			DurationMinutes: ptr(45), Notes: ptr("  funnel review\nopportunities at half  "),
			Diagnosis: &domain.DiagnosisInput{Primary: "activity", Note: ptr(" not enough first meetings ")}},
			wantType: domain.TypeMeetingHeld, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.MeetingHeld)
				if d.MeetingID == uuid.Nil || e.ResourceID() != d.MeetingID {
					t.Errorf("MeetingID, ResourceID: got %v, %v, want the same non-nil id", d.MeetingID, e.ResourceID())
				}
				if want := time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC); !d.HeldAt.Equal(want) || d.HeldAt.Location() != time.UTC {
					t.Errorf("HeldAt: got %v, want %v", d.HeldAt, want)
				}
				if d.Kind != "performance" || d.WithID != managerID || d.DurationMinutes == nil || *d.DurationMinutes != 45 {
					t.Errorf("data: got %+v, want performance with the manager, 45 minutes", d)
				}
				if d.Notes == nil || *d.Notes != "funnel review\nopportunities at half" {
					t.Errorf("Notes: got %v, want trimmed with its newline", d.Notes)
				}
				if d.Diagnosis == nil || d.Diagnosis.Primary != "activity" || d.Diagnosis.Note == nil || *d.Diagnosis.Note != "not enough first meetings" {
					t.Errorf("Diagnosis: got %+v, want activity with trimmed note", d.Diagnosis)
				}
			}},
		{name: "minimal", cmd: meeting(domain.HoldMeeting{Kind: "pipeline"}), wantType: domain.TypeMeetingHeld, check: func(t *testing.T, e domain.Event) {
			d := e.Data.(*domain.MeetingHeld)
			if d.Notes != nil || d.Diagnosis != nil || d.DurationMinutes != nil {
				t.Errorf("optional fields: got %v %v %v, want nil", d.Notes, d.Diagnosis, d.DurationMinutes)
			}
		}},
		{name: "blank notes become none", cmd: meeting(domain.HoldMeeting{Notes: ptr(" \n\t ")}), wantType: domain.TypeMeetingHeld, check: func(t *testing.T, e domain.Event) {
			if d := e.Data.(*domain.MeetingHeld); d.Notes != nil {
				t.Errorf("Notes: got %q, want nil", *d.Notes)
			}
		}},
		{name: "tab and CRLF in notes", cmd: meeting(domain.HoldMeeting{Notes: ptr("a\tb\r\nc")}), wantType: domain.TypeMeetingHeld},
		{name: "10,000-char notes", cmd: meeting(domain.HoldMeeting{Notes: ptr(strings.Repeat("ü", domain.MaxNoteLen))}), wantType: domain.TypeMeetingHeld},
		{name: "10,001-char notes", cmd: meeting(domain.HoldMeeting{Notes: ptr(strings.Repeat("ü", domain.MaxNoteLen+1))}), wantKind: domain.KindInvalid, wantField: "notes"},
		{name: "NUL in notes", cmd: meeting(domain.HoldMeeting{Notes: ptr("a\x00b")}), wantKind: domain.KindInvalid, wantField: "notes"},
		{name: "escape in notes", cmd: meeting(domain.HoldMeeting{Notes: ptr("a\x1b[2Jb")}), wantKind: domain.KindInvalid, wantField: "notes"},
		{name: "DEL in notes", cmd: meeting(domain.HoldMeeting{Notes: ptr("a\x7fb")}), wantKind: domain.KindInvalid, wantField: "notes"},
		{name: "invalid UTF-8 notes", cmd: meeting(domain.HoldMeeting{Notes: ptr("caf\xe9")}), wantKind: domain.KindInvalid, wantField: "notes"},
		{name: "within clock skew", cmd: meeting(domain.HoldMeeting{HeldAt: now.Add(4 * time.Minute).Format(time.RFC3339)}), wantType: domain.TypeMeetingHeld},
		{name: "in the future", cmd: meeting(domain.HoldMeeting{HeldAt: now.Add(10 * time.Minute).Format(time.RFC3339)}), wantKind: domain.KindInvalid, wantField: "held_at"},
		{name: "not RFC 3339", cmd: meeting(domain.HoldMeeting{HeldAt: "2026-11-20 14:00"}), wantKind: domain.KindInvalid, wantField: "held_at"},
		{name: "date only", cmd: meeting(domain.HoldMeeting{HeldAt: "2026-11-20"}), wantKind: domain.KindInvalid, wantField: "held_at"},
		{name: "no time", cmd: domain.HoldMeeting{Kind: "performance", WithID: managerID.String()}, wantKind: domain.KindInvalid, wantField: "held_at"},
		{name: "unknown kind", cmd: meeting(domain.HoldMeeting{Kind: "deal_review"}), wantKind: domain.KindInvalid, wantField: "kind"},
		{name: "leader not a UUID", cmd: meeting(domain.HoldMeeting{WithID: "boss"}), wantKind: domain.KindInvalid, wantField: "with_id"},
		{name: "no leader", cmd: domain.HoldMeeting{Kind: "performance", HeldAt: "2026-11-20T14:00:00Z"}, wantKind: domain.KindInvalid, wantField: "with_id"},
		{name: "0 minutes", cmd: meeting(domain.HoldMeeting{DurationMinutes: ptr(0)}), wantKind: domain.KindInvalid, wantField: "duration_minutes"},
		{name: "1441 minutes", cmd: meeting(domain.HoldMeeting{DurationMinutes: ptr(1441)}), wantKind: domain.KindInvalid, wantField: "duration_minutes"},
		{name: "unknown diagnosis", cmd: meeting(domain.HoldMeeting{Diagnosis: &domain.DiagnosisInput{Primary: "luck"}}), wantKind: domain.KindInvalid, wantField: "diagnosis.primary"},
		{name: "bad diagnosis note", cmd: meeting(domain.HoldMeeting{Diagnosis: &domain.DiagnosisInput{Primary: "market", Note: ptr("\xff")}}), wantKind: domain.KindInvalid, wantField: "diagnosis.note"},
	}
	runDecide(t, registered(t), cases)
}

func TestSkipMeeting(t *testing.T) {
	cases := []decideCase{
		{name: "valid", cmd: domain.SkipMeeting{ScheduledFor: "2026-11-19", Reason: " customer visit "}, wantType: domain.TypeMeetingSkipped, check: func(t *testing.T, e domain.Event) {
			d := e.Data.(*domain.MeetingSkipped)
			if d.ScheduledFor.String() != "2026-11-19" || d.Reason != "customer visit" {
				t.Errorf("data: got %v %q, want 2026-11-19 %q", d.ScheduledFor, d.Reason, "customer visit")
			}
		}},
		{name: "bad date", cmd: domain.SkipMeeting{ScheduledFor: "2026-11-31", Reason: "r"}, wantKind: domain.KindInvalid, wantField: "scheduled_for"},
		{name: "no reason", cmd: domain.SkipMeeting{ScheduledFor: "2026-11-19", Reason: "\t"}, wantKind: domain.KindInvalid, wantField: "reason"},
	}
	runDecide(t, registered(t), cases)
}

func TestMakeCommitment(t *testing.T) {
	f := newFixture(t)
	commit := func(c domain.MakeCommitment) domain.MakeCommitment {
		if c.Text == "" {
			c.Text = "book 15 first meetings"
		}
		if c.DueOn == "" {
			c.DueOn = "2026-11-27"
		}
		return c
	}
	cases := []decideCase{
		{name: "full", cmd: domain.MakeCommitment{Text: "  book 15 first meetings\nby Friday ", DueOn: "2026-11-27", MeetingID: ptr(f.meeting.String()),
			Metric: &domain.CommitmentMetric{Key: "activities", Target: 15}},
			wantType: domain.TypeCommitmentMade, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.CommitmentMade)
				if d.CommitmentID == uuid.Nil || e.ResourceID() != d.CommitmentID {
					t.Errorf("CommitmentID, ResourceID: got %v, %v, want the same non-nil id", d.CommitmentID, e.ResourceID())
				}
				if d.Text != "book 15 first meetings\nby Friday" || d.DueOn.String() != "2026-11-27" {
					t.Errorf("Text, DueOn: got %q, %v, want trimmed text due 2026-11-27", d.Text, d.DueOn)
				}
				if d.MeetingID == nil || *d.MeetingID != f.meeting || d.Metric == nil || d.Metric.Key != "activities" || d.Metric.Target != 15 {
					t.Errorf("MeetingID, Metric: got %v, %+v, want %v, activities 15", d.MeetingID, d.Metric, f.meeting)
				}
			}},
		{name: "minimal", cmd: commit(domain.MakeCommitment{}), wantType: domain.TypeCommitmentMade},
		{name: "no text", cmd: commit(domain.MakeCommitment{Text: "  "}), wantKind: domain.KindInvalid, wantField: "text"},
		{name: "10,001-char text", cmd: commit(domain.MakeCommitment{Text: strings.Repeat("x", domain.MaxNoteLen+1)}), wantKind: domain.KindInvalid, wantField: "text"},
		{name: "no due date", cmd: domain.MakeCommitment{Text: "t"}, wantKind: domain.KindInvalid, wantField: "due_on"},
		{name: "bad due date", cmd: commit(domain.MakeCommitment{DueOn: "next friday"}), wantKind: domain.KindInvalid, wantField: "due_on"},
		{name: "unknown meeting", cmd: commit(domain.MakeCommitment{MeetingID: ptr(unknownID.String())}), wantKind: domain.KindInvalid, wantField: "meeting_id"},
		{name: "nil meeting UUID", cmd: commit(domain.MakeCommitment{MeetingID: ptr(uuid.Nil.String())}), wantKind: domain.KindInvalid, wantField: "meeting_id"},
		{name: "meeting not a UUID", cmd: commit(domain.MakeCommitment{MeetingID: ptr("m1")}), wantKind: domain.KindInvalid, wantField: "meeting_id"},
		{name: "bad metric key", cmd: commit(domain.MakeCommitment{Metric: &domain.CommitmentMetric{Key: "First Meetings", Target: 1}}), wantKind: domain.KindInvalid, wantField: "metric.key"},
		{name: "negative metric target", cmd: commit(domain.MakeCommitment{Metric: &domain.CommitmentMetric{Key: "activities", Target: -1}}), wantKind: domain.KindInvalid, wantField: "metric.target"},
		{name: "huge metric target", cmd: commit(domain.MakeCommitment{Metric: &domain.CommitmentMetric{Key: "activities", Target: 1e16}}), wantKind: domain.KindInvalid, wantField: "metric.target"},
		{name: "NaN metric target", cmd: commit(domain.MakeCommitment{Metric: &domain.CommitmentMetric{Key: "activities", Target: math.NaN()}}), wantKind: domain.KindInvalid, wantField: "metric.target"},
	}
	runDecide(t, f.j, cases)
}

func TestFollowUpCommitment(t *testing.T) {
	f := newFixture(t)
	cases := []decideCase{
		{name: "valid", cmd: domain.FollowUpCommitment{CommitmentID: f.open, Note: " 9 of 15 booked ", Progress: ptr(0.6)},
			wantType: domain.TypeCommitmentFollowedUp, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.CommitmentFollowedUp)
				if d.CommitmentID != f.open || d.Note != "9 of 15 booked" || d.Progress == nil || *d.Progress != 0.6 {
					t.Errorf("data: got %+v, want %v %q 0.6", d, f.open, "9 of 15 booked")
				}
			}},
		{name: "progress 0 and no more", cmd: domain.FollowUpCommitment{CommitmentID: f.open, Note: "n", Progress: ptr(0.0)}, wantType: domain.TypeCommitmentFollowedUp},
		{name: "progress 1", cmd: domain.FollowUpCommitment{CommitmentID: f.open, Note: "n", Progress: ptr(1.0)}, wantType: domain.TypeCommitmentFollowedUp},
		{name: "progress over 1", cmd: domain.FollowUpCommitment{CommitmentID: f.open, Note: "n", Progress: ptr(1.5)}, wantKind: domain.KindInvalid, wantField: "progress"},
		{name: "negative progress", cmd: domain.FollowUpCommitment{CommitmentID: f.open, Note: "n", Progress: ptr(-0.1)}, wantKind: domain.KindInvalid, wantField: "progress"},
		{name: "NaN progress", cmd: domain.FollowUpCommitment{CommitmentID: f.open, Note: "n", Progress: ptr(math.NaN())}, wantKind: domain.KindInvalid, wantField: "progress"},
		{name: "no note", cmd: domain.FollowUpCommitment{CommitmentID: f.open}, wantKind: domain.KindInvalid, wantField: "note"},
		{name: "unknown commitment", cmd: domain.FollowUpCommitment{CommitmentID: unknownID, Note: "n"}, wantKind: domain.KindNotFound},
		{name: "resolved commitment", cmd: domain.FollowUpCommitment{CommitmentID: f.kept, Note: "n"}, wantKind: domain.KindConflict},
	}
	runDecide(t, f.j, cases)
}

func TestRenegotiateCommitment(t *testing.T) {
	f := newFixture(t) // f.open is due 2026-11-27
	cases := []decideCase{
		{name: "later", cmd: domain.RenegotiateCommitment{CommitmentID: f.open, NewDueOn: "2026-12-04", Reason: " trade show week "},
			wantType: domain.TypeCommitmentRenegotiated, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.CommitmentRenegotiated)
				if d.CommitmentID != f.open || d.NewDueOn.String() != "2026-12-04" || d.Reason != "trade show week" {
					t.Errorf("data: got %+v, want %v 2026-12-04 %q", d, f.open, "trade show week")
				}
			}},
		{name: "one day later", cmd: domain.RenegotiateCommitment{CommitmentID: f.open, NewDueOn: "2026-11-28", Reason: "r"}, wantType: domain.TypeCommitmentRenegotiated},
		{name: "same day", cmd: domain.RenegotiateCommitment{CommitmentID: f.open, NewDueOn: "2026-11-27", Reason: "r"}, wantKind: domain.KindInvalid, wantField: "new_due_on"},
		{name: "earlier", cmd: domain.RenegotiateCommitment{CommitmentID: f.open, NewDueOn: "2026-11-26", Reason: "r"}, wantKind: domain.KindInvalid, wantField: "new_due_on"},
		{name: "bad date", cmd: domain.RenegotiateCommitment{CommitmentID: f.open, NewDueOn: "2026-12-4", Reason: "r"}, wantKind: domain.KindInvalid, wantField: "new_due_on"},
		{name: "no reason", cmd: domain.RenegotiateCommitment{CommitmentID: f.open, NewDueOn: "2026-12-04"}, wantKind: domain.KindInvalid, wantField: "reason"},
		{name: "unknown commitment", cmd: domain.RenegotiateCommitment{CommitmentID: unknownID, NewDueOn: "2026-12-04", Reason: "r"}, wantKind: domain.KindNotFound},
		{name: "resolved commitment", cmd: domain.RenegotiateCommitment{CommitmentID: f.kept, NewDueOn: "2026-12-04", Reason: "r"}, wantKind: domain.KindConflict},
	}
	runDecide(t, f.j, cases)
}

func TestResolveCommitment(t *testing.T) {
	f := newFixture(t)
	cases := []decideCase{
		{name: "kept with note", cmd: domain.ResolveCommitment{CommitmentID: f.open, Status: "kept", Note: ptr(" 16 booked ")},
			wantType: domain.TypeCommitmentKept, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.CommitmentKept)
				if d.CommitmentID != f.open || d.Note == nil || *d.Note != "16 booked" {
					t.Errorf("data: got %+v, want %v %q", d, f.open, "16 booked")
				}
			}},
		{name: "kept without note", cmd: domain.ResolveCommitment{CommitmentID: f.open, Status: "kept"}, wantType: domain.TypeCommitmentKept, check: func(t *testing.T, e domain.Event) {
			if d := e.Data.(*domain.CommitmentKept); d.Note != nil {
				t.Errorf("Note: got %q, want nil", *d.Note)
			}
		}},
		{name: "missed", cmd: domain.ResolveCommitment{CommitmentID: f.open, Status: "missed"}, wantType: domain.TypeCommitmentMissed, check: func(t *testing.T, e domain.Event) {
			if d := e.Data.(*domain.CommitmentMissed); d.CommitmentID != f.open {
				t.Errorf("CommitmentID: got %v, want %v", d.CommitmentID, f.open)
			}
		}},
		{name: "withdrawn with reason", cmd: domain.ResolveCommitment{CommitmentID: f.open, Status: "withdrawn", Note: ptr(" account lost ")},
			wantType: domain.TypeCommitmentWithdrawn, check: func(t *testing.T, e domain.Event) {
				if d := e.Data.(*domain.CommitmentWithdrawn); d.Reason != "account lost" {
					t.Errorf("Reason: got %q, want %q", d.Reason, "account lost")
				}
			}},
		{name: "withdrawn without note", cmd: domain.ResolveCommitment{CommitmentID: f.open, Status: "withdrawn"}, wantKind: domain.KindInvalid, wantField: "note"},
		{name: "withdrawn with blank note", cmd: domain.ResolveCommitment{CommitmentID: f.open, Status: "withdrawn", Note: ptr("  ")}, wantKind: domain.KindInvalid, wantField: "note"},
		{name: "unknown status", cmd: domain.ResolveCommitment{CommitmentID: f.open, Status: "done"}, wantKind: domain.KindInvalid, wantField: "status"},
		{name: "no status", cmd: domain.ResolveCommitment{CommitmentID: f.open}, wantKind: domain.KindInvalid, wantField: "status"},
		{name: "unknown commitment", cmd: domain.ResolveCommitment{CommitmentID: unknownID, Status: "kept"}, wantKind: domain.KindNotFound},
		{name: "kept twice", cmd: domain.ResolveCommitment{CommitmentID: f.kept, Status: "kept"}, wantKind: domain.KindConflict},
		{name: "missed after kept", cmd: domain.ResolveCommitment{CommitmentID: f.kept, Status: "missed"}, wantKind: domain.KindConflict},
	}
	runDecide(t, f.j, cases)
}

// TestCommitmentLifecycle folds a commitment through its life: the due date
// in force moves with each renegotiation, and a resolved commitment takes nothing.
func TestCommitmentLifecycle(t *testing.T) {
	for _, status := range []string{"kept", "missed", "withdrawn"} {
		t.Run(status, func(t *testing.T) {
			j := registered(t)
			id := apply(t, j, domain.MakeCommitment{Text: "t", DueOn: "2026-11-27"}, asManager).Data.(*domain.CommitmentMade).CommitmentID
			apply(t, j, domain.FollowUpCommitment{CommitmentID: id, Note: "halfway"}, asManager)
			apply(t, j, domain.RenegotiateCommitment{CommitmentID: id, NewDueOn: "2026-12-04", Reason: "r"}, asManager)
			_, err := domain.Decide(j, domain.RenegotiateCommitment{CommitmentID: id, NewDueOn: "2026-12-01", Reason: "r"}, asManager)
			wantErr(t, err, domain.KindInvalid, "new_due_on")
			apply(t, j, domain.ResolveCommitment{CommitmentID: id, Status: status, Note: ptr("why")}, asManager)
			for _, cmd := range []domain.Command{
				domain.FollowUpCommitment{CommitmentID: id, Note: "n"},
				domain.RenegotiateCommitment{CommitmentID: id, NewDueOn: "2026-12-31", Reason: "r"},
				domain.ResolveCommitment{CommitmentID: id, Status: "kept"},
				domain.ResolveCommitment{CommitmentID: id, Status: "withdrawn", Note: ptr("r")},
			} {
				_, err := domain.Decide(j, cmd, asManager)
				wantErr(t, err, domain.KindConflict, "")
			}
		})
	}
}
