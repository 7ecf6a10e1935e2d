package domain_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/coachjournal/coachjournal/domain"
)

// The decisions below happen on Friday 20 November 2026, 15:00 UTC (2026-W47).
var (
	now       = time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	personID  = uuid.MustParse("0193a000-0000-7000-8000-000000000001")
	managerID = uuid.MustParse("0193a000-0000-7000-8000-000000000002")
	bossID    = uuid.MustParse("0193a000-0000-7000-8000-000000000003")
	hrID      = uuid.MustParse("0193a000-0000-7000-8000-000000000004")
	adminID   = uuid.MustParse("0193a000-0000-7000-8000-000000000005")
	unknownID = uuid.MustParse("0193a000-0000-7000-8000-0000000000ff")
)

func metaAs(id uuid.UUID, r domain.Role) domain.Meta {
	return domain.Meta{Actor: domain.Actor{ID: id.String(), Role: r}, Now: now}
}

var (
	asSelf    = metaAs(personID, domain.RoleMember)
	asManager = metaAs(managerID, domain.RoleMember)
	asHR      = metaAs(hrID, domain.RoleHR)
	asAdmin   = metaAs(adminID, domain.RoleAdmin)
	asAnalyst = metaAs(uuid.MustParse("0193a000-0000-7000-8000-000000000006"), domain.RoleAnalyst)
)

func ptr[T any](v T) *T { return &v }

var kindNames = map[domain.Kind]string{
	domain.KindInternal: "internal", domain.KindInvalid: "invalid", domain.KindNotFound: "not found",
	domain.KindConflict: "conflict", domain.KindForbidden: "forbidden",
	domain.KindPrecondition: "precondition", domain.KindUnavailable: "unavailable",
}

// apply decides cmd, which must succeed, gives the event a stand-in hash and
// folds it into j.
func apply(tb testing.TB, j *domain.Journal, cmd domain.Command, m domain.Meta) domain.Event {
	tb.Helper()
	e, err := domain.Decide(j, cmd, m)
	if err != nil {
		tb.Fatalf("Decide(%T): %v", cmd, err)
	}
	e.Hash = fmt.Sprintf("hash-%d", e.Version)
	j.Evolve(e)
	return e
}

// registered returns Ana's journal, registered by an admin under her manager.
func registered(tb testing.TB) *domain.Journal {
	tb.Helper()
	j := domain.NewJournal(personID)
	apply(tb, j, domain.RegisterPerson{Name: "Ana Lima", Email: "ana@example.com", ManagerID: ptr(managerID.String())}, asAdmin)
	return j
}

// fixture is a journal with one of everything: a meeting, an open and a
// kept commitment, a closed PIP and an active one awaiting acknowledgement.
type fixture struct {
	j                *domain.Journal
	meeting          uuid.UUID
	open, kept       uuid.UUID // commitments; open is due 2026-11-27
	pip, closedPIP   uuid.UUID // pip runs 2026-11-02 … 2026-12-14
	goal1, goal2     uuid.UUID // pip's goals
	closedPIPGoal    uuid.UUID
	submittedPeriods []string
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	f := &fixture{j: registered(tb)}
	e := apply(tb, f.j, domain.HoldMeeting{Kind: "performance", HeldAt: "2026-11-16T10:00:00Z", WithID: managerID.String()}, asManager)
	f.meeting = e.Data.(*domain.MeetingHeld).MeetingID
	e = apply(tb, f.j, domain.MakeCommitment{Text: "book 15 first meetings", DueOn: "2026-11-27"}, asManager)
	f.open = e.Data.(*domain.CommitmentMade).CommitmentID
	e = apply(tb, f.j, domain.MakeCommitment{Text: "call back Acme", DueOn: "2026-11-18"}, asManager)
	f.kept = e.Data.(*domain.CommitmentMade).CommitmentID
	apply(tb, f.j, domain.ResolveCommitment{CommitmentID: f.kept, Status: "kept"}, asManager)
	e = apply(tb, f.j, domain.OpenPIP{Reason: "first", StartsOn: "2026-06-01", EndsOn: "2026-07-13", Goals: []domain.GoalInput{{Text: "old goal"}}}, asHR)
	f.closedPIP = e.Data.(*domain.PIPOpened).PIPID
	f.closedPIPGoal = e.Data.(*domain.PIPOpened).Goals[0].GoalID
	apply(tb, f.j, domain.ClosePIP{PIPID: f.closedPIP, Outcome: "succeeded", Note: "done"}, asHR)
	e = apply(tb, f.j, domain.OpenPIP{Reason: "62% of goal for three months", StartsOn: "2026-11-02", EndsOn: "2026-12-14",
		Goals: []domain.GoalInput{{Text: "10 opportunities a month"}, {Text: "win rate 40%"}}}, asHR)
	d := e.Data.(*domain.PIPOpened)
	f.pip, f.goal1, f.goal2 = d.PIPID, d.Goals[0].GoalID, d.Goals[1].GoalID
	apply(tb, f.j, domain.SubmitMetrics{Period: "2026-W46", Values: map[string]float64{"revenue": 1000}, Source: "self"}, asSelf)
	return f
}

// decideCase is one row of a rules table: either wantType (success, then
// check) or wantKind with the field it must name ("" for none).
type decideCase struct {
	name      string
	cmd       domain.Command
	meta      domain.Meta // zero: asManager
	wantType  string
	check     func(t *testing.T, e domain.Event)
	wantKind  domain.Kind
	wantField string
}

func runDecide(t *testing.T, j *domain.Journal, cases []decideCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.meta
			if m.Now.IsZero() {
				m = asManager
			}
			before := j.Version()
			e, err := domain.Decide(j, tc.cmd, m)
			if j.Version() != before {
				t.Errorf("Decide changed the journal: version got %d, want %d", j.Version(), before)
			}
			if tc.wantType == "" {
				wantErr(t, err, tc.wantKind, tc.wantField)
				return
			}
			if err != nil {
				t.Fatalf("Decide(%T): got %v, want a %s event", tc.cmd, err, tc.wantType)
			}
			if e.Type != tc.wantType {
				t.Errorf("Type: got %v, want %v", e.Type, tc.wantType)
			}
			if e.Data == nil || e.Data.EventType() != e.Type {
				t.Fatalf("Data: got %#v, want data of type %s", e.Data, e.Type)
			}
			if tc.check != nil {
				tc.check(t, e)
			}
		})
	}
}

// wantErr checks that err is a *domain.Error of kind k naming field (when set).
func wantErr(tb testing.TB, err error, k domain.Kind, field string) {
	tb.Helper()
	var de *domain.Error
	if !errors.As(err, &de) {
		tb.Fatalf("error: got %v, want a %s *domain.Error", err, kindNames[k])
	}
	if de.Kind != k {
		tb.Fatalf("Kind: got %v, want %v (%v)", kindNames[de.Kind], kindNames[k], err)
	}
	if domain.KindOf(fmt.Errorf("wrapped: %w", err)) != k {
		tb.Errorf("KindOf(wrapped): got %v, want %v", kindNames[domain.KindOf(err)], kindNames[k])
	}
	if k == domain.KindInvalid && len(de.Fields) == 0 {
		tb.Errorf("Fields: got none, want at least one")
	}
	if field == "" {
		return
	}
	for _, f := range de.Fields {
		if f.Field == field {
			if f.Message == "" {
				tb.Errorf("field %q has no message", field)
			}
			return
		}
	}
	tb.Errorf("Fields: got %v, want one naming %q", de.Fields, field)
}

func TestDecideEnvelope(t *testing.T) {
	j := registered(t)
	apply(t, j, domain.SetCadence{EveryDays: 7}, asManager)
	if got, want := j.Version(), uint64(2); got != want {
		t.Fatalf("Version: got %v, want %v", got, want)
	}
	if got, want := j.LastHash(), "hash-2"; got != want {
		t.Fatalf("LastHash: got %v, want %v", got, want)
	}
	occurred := time.Date(2026, 11, 20, 16, 0, 0, 0, time.FixedZone("CET", 3600))
	t.Run("occurred_at defaults to now", func(t *testing.T) {
		e, err := domain.Decide(j, domain.SetCadence{EveryDays: 14}, asManager)
		if err != nil {
			t.Fatal(err)
		}
		if e.ID == uuid.Nil || e.ID.Version() != 7 {
			t.Errorf("ID: got %v, want a UUIDv7", e.ID)
		}
		checks := []struct {
			name      string
			got, want any
		}{
			{"Type", e.Type, domain.TypeCadenceSet},
			{"Schema", e.Schema, 1},
			{"PersonID", e.PersonID, personID},
			{"Version", e.Version, uint64(3)},
			{"PrevHash", e.PrevHash, "hash-2"},
			{"Hash", e.Hash, ""},
			{"Actor", e.Actor, asManager.Actor},
			{"OccurredAt", e.OccurredAt, now},
			{"RecordedAt", e.RecordedAt, now},
			{"ResourceID", e.ResourceID(), e.ID},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
			}
		}
	})
	t.Run("occurred_at given", func(t *testing.T) {
		m := asManager
		m.OccurredAt = occurred
		e, err := domain.Decide(j, domain.SetCadence{EveryDays: 14}, m)
		if err != nil {
			t.Fatal(err)
		}
		if !e.OccurredAt.Equal(occurred) || e.OccurredAt.Location() != time.UTC {
			t.Errorf("OccurredAt: got %v, want %v in UTC", e.OccurredAt, occurred.UTC())
		}
		if !e.RecordedAt.Equal(now) {
			t.Errorf("RecordedAt: got %v, want %v", e.RecordedAt, now)
		}
	})
	t.Run("ids are fresh", func(t *testing.T) {
		a, _ := domain.Decide(j, domain.SetCadence{EveryDays: 7}, asManager)
		b, _ := domain.Decide(j, domain.SetCadence{EveryDays: 7}, asManager)
		if a.ID == b.ID {
			t.Errorf("two decisions got the same id %v", a.ID)
		}
	})
	t.Run("first event chains from empty", func(t *testing.T) {
		e, err := domain.Decide(domain.NewJournal(personID), domain.RegisterPerson{Name: "Ana", Email: "ana@example.com"}, asAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if e.Version != 1 || e.PrevHash != "" {
			t.Errorf("Version, PrevHash: got %v, %q, want 1, \"\"", e.Version, e.PrevHash)
		}
		if e.ResourceID() != personID {
			t.Errorf("ResourceID: got %v, want %v", e.ResourceID(), personID)
		}
	})
}

// everyCommand returns one well-formed command of each type, aimed at f.
func everyCommand(f *fixture) []domain.Command {
	return []domain.Command{
		domain.RegisterPerson{Name: "Ana", Email: "ana@example.com"},
		domain.UpdatePerson{Title: ptr("Senior rep")},
		domain.ChangeManager{ManagerID: ptr(bossID.String())},
		domain.DepartPerson{On: "2026-11-30", Reason: "moved on"},
		domain.ErasePerson{Reason: "request under GDPR art. 17"},
		domain.SetStandard{AppliesTo: "self", EffectiveFrom: "2026-11-01", Targets: []domain.TargetInput{{Metric: "revenue", Target: ptr(200000.0), Kind: "lagging"}}},
		domain.SetCadence{EveryDays: 7},
		domain.SubmitMetrics{Period: "2026-W47", Values: map[string]float64{"revenue": 1}, Source: "manager"},
		domain.HoldMeeting{Kind: "coaching", HeldAt: "2026-11-20T10:00:00Z", WithID: managerID.String()},
		domain.SkipMeeting{ScheduledFor: "2026-11-19", Reason: "sick"},
		domain.MakeCommitment{Text: "call five clients", DueOn: "2026-11-27"},
		domain.FollowUpCommitment{CommitmentID: f.open, Note: "three done"},
		domain.RenegotiateCommitment{CommitmentID: f.open, NewDueOn: "2026-12-04", Reason: "holiday"},
		domain.ResolveCommitment{CommitmentID: f.open, Status: "kept"},
		domain.OpenPIP{Reason: "r", StartsOn: "2026-11-23", EndsOn: "2027-01-04", Goals: []domain.GoalInput{{Text: "g"}}},
		domain.AcknowledgePIP{PIPID: f.pip},
		domain.CheckInPIP{PIPID: f.pip, On: "2026-11-16", Note: "ok"},
		domain.RevisePIP{PIPID: f.pip, Goals: []domain.GoalInput{{Text: "g"}}, Reason: "r"},
		domain.ExtendPIP{PIPID: f.pip, NewEndsOn: "2026-12-28", Reason: "r"},
		domain.ClosePIP{PIPID: f.pip, Outcome: "succeeded", Note: "n"},
	}
}

// metaFor returns an actor allowed to give cmd.
func metaFor(cmd domain.Command) domain.Meta {
	switch cmd.(type) {
	case domain.AcknowledgePIP:
		return asSelf
	case domain.ErasePerson, domain.RegisterPerson, domain.OpenPIP:
		return asHR
	}
	return asManager
}

func TestDecideJournalState(t *testing.T) {
	f := newFixture(t)
	cmds := everyCommand(f)

	t.Run("unregistered", func(t *testing.T) {
		j := domain.NewJournal(personID)
		for _, cmd := range cmds[1:] {
			t.Run(fmt.Sprintf("%T", cmd), func(t *testing.T) {
				_, err := domain.Decide(j, cmd, metaFor(cmd))
				wantErr(t, err, domain.KindNotFound, "")
			})
		}
	})
	t.Run("registered twice", func(t *testing.T) {
		_, err := domain.Decide(f.j, cmds[0], asAdmin)
		wantErr(t, err, domain.KindConflict, "")
	})
	t.Run("every command is accepted on the fixture", func(t *testing.T) {
		for _, cmd := range cmds[1:] {
			t.Run(fmt.Sprintf("%T", cmd), func(t *testing.T) {
				j := f.j
				if _, ok := cmd.(domain.OpenPIP); ok {
					j = registered(t)
				}
				if _, err := domain.Decide(j, cmd, metaFor(cmd)); err != nil {
					t.Errorf("Decide: got %v, want nil", err)
				}
			})
		}
	})

	departed := newFixture(t)
	apply(t, departed.j, domain.DepartPerson{On: "2026-11-20", Reason: "left the company"}, asManager)
	allowed := map[string]bool{
		"domain.UpdatePerson": true, "domain.ResolveCommitment": true, "domain.ClosePIP": true, "domain.ErasePerson": true,
	}
	t.Run("departed", func(t *testing.T) {
		for _, cmd := range everyCommand(departed)[1:] {
			name := fmt.Sprintf("%T", cmd)
			t.Run(name, func(t *testing.T) {
				_, err := domain.Decide(departed.j, cmd, metaFor(cmd))
				if allowed[name] {
					if err != nil {
						t.Errorf("Decide: got %v, want nil", err)
					}
					return
				}
				wantErr(t, err, domain.KindConflict, "")
			})
		}
	})
	t.Run("departed person's commitment is resolved", func(t *testing.T) {
		e, err := domain.Decide(departed.j, domain.ResolveCommitment{CommitmentID: departed.open, Status: "missed", Note: ptr("left before the due date")}, asManager)
		if err != nil {
			t.Fatal(err)
		}
		if e.Type != domain.TypeCommitmentMissed {
			t.Errorf("Type: got %v, want %v", e.Type, domain.TypeCommitmentMissed)
		}
	})

	erased := newFixture(t)
	apply(t, erased.j, domain.ErasePerson{Reason: "GDPR request"}, asHR)
	if !erased.j.Erased() {
		t.Fatalf("Erased: got false, want true")
	}
	t.Run("erased", func(t *testing.T) {
		for _, cmd := range everyCommand(erased) {
			t.Run(fmt.Sprintf("%T", cmd), func(t *testing.T) {
				_, err := domain.Decide(erased.j, cmd, metaFor(cmd))
				wantErr(t, err, domain.KindConflict, "")
			})
		}
	})
}

func TestRegisterPerson(t *testing.T) {
	valid := func(c domain.RegisterPerson) domain.RegisterPerson {
		if c.Name == "" {
			c.Name = "Ana Lima"
		}
		if c.Email == "" {
			c.Email = "ana@example.com"
		}
		return c
	}
	cases := []decideCase{
		{name: "trimmed, with title and manager", cmd: domain.RegisterPerson{Name: "  Ana Lima \t", Email: " ana@example.com ", Title: ptr(" Account executive "), ManagerID: ptr(managerID.String())},
			wantType: domain.TypePersonRegistered, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.PersonRegistered)
				if d.Name != "Ana Lima" || d.Email != "ana@example.com" || d.Title == nil || *d.Title != "Account executive" {
					t.Errorf("data: got %q %q %v, want trimmed text", d.Name, d.Email, d.Title)
				}
				if d.ManagerID == nil || *d.ManagerID != managerID {
					t.Errorf("ManagerID: got %v, want %v", d.ManagerID, managerID)
				}
				if e.Version != 1 || e.ResourceID() != personID {
					t.Errorf("Version, ResourceID: got %v, %v, want 1, %v", e.Version, e.ResourceID(), personID)
				}
			}},
		{name: "no title, top of org", cmd: valid(domain.RegisterPerson{}), wantType: domain.TypePersonRegistered, check: func(t *testing.T, e domain.Event) {
			d := e.Data.(*domain.PersonRegistered)
			if d.Title != nil || d.ManagerID != nil {
				t.Errorf("Title, ManagerID: got %v, %v, want nil, nil", d.Title, d.ManagerID)
			}
		}},
		{name: "200-char name", cmd: valid(domain.RegisterPerson{Name: strings.Repeat("é", 200)}), wantType: domain.TypePersonRegistered},
		{name: "201-char name", cmd: valid(domain.RegisterPerson{Name: strings.Repeat("é", 201)}), wantKind: domain.KindInvalid, wantField: "name"},
		{name: "whitespace-only name", cmd: valid(domain.RegisterPerson{Name: " \t\n "}), wantKind: domain.KindInvalid, wantField: "name"},
		{name: "newline in name", cmd: valid(domain.RegisterPerson{Name: "Ana\nLima"}), wantKind: domain.KindInvalid, wantField: "name"},
		{name: "tab in name", cmd: valid(domain.RegisterPerson{Name: "Ana\tLima"}), wantKind: domain.KindInvalid, wantField: "name"},
		{name: "bell in name", cmd: valid(domain.RegisterPerson{Name: "Ana\aLima"}), wantKind: domain.KindInvalid, wantField: "name"},
		{name: "NUL in name", cmd: valid(domain.RegisterPerson{Name: "Ana\x00"}), wantKind: domain.KindInvalid, wantField: "name"},
		{name: "C1 control in name", cmd: valid(domain.RegisterPerson{Name: "Ana\u0085Lima"}), wantKind: domain.KindInvalid, wantField: "name"},
		{name: "invalid UTF-8 name", cmd: valid(domain.RegisterPerson{Name: "Ana \xff"}), wantKind: domain.KindInvalid, wantField: "name"},
		{name: "not an email", cmd: valid(domain.RegisterPerson{Email: "ana.example.com"}), wantKind: domain.KindInvalid, wantField: "email"},
		{name: "email with display name", cmd: valid(domain.RegisterPerson{Email: "Ana <ana@example.com>"}), wantKind: domain.KindInvalid, wantField: "email"},
		{name: "whitespace-only email", cmd: domain.RegisterPerson{Name: "Ana", Email: "  "}, wantKind: domain.KindInvalid, wantField: "email"},
		{name: "201-char title", cmd: valid(domain.RegisterPerson{Title: ptr(strings.Repeat("x", 201))}), wantKind: domain.KindInvalid, wantField: "title"},
		{name: "manager not a UUID", cmd: valid(domain.RegisterPerson{ManagerID: ptr("manager-1")}), wantKind: domain.KindInvalid, wantField: "manager_id"},
		{name: "manager UUID without dashes", cmd: valid(domain.RegisterPerson{ManagerID: ptr(strings.ReplaceAll(managerID.String(), "-", ""))}), wantKind: domain.KindInvalid, wantField: "manager_id"},
		{name: "manager UUID in braces", cmd: valid(domain.RegisterPerson{ManagerID: ptr("{" + managerID.String() + "}")}), wantKind: domain.KindInvalid, wantField: "manager_id"},
		{name: "nil manager UUID", cmd: valid(domain.RegisterPerson{ManagerID: ptr(uuid.Nil.String())}), wantKind: domain.KindInvalid, wantField: "manager_id"},
		{name: "manages themselves", cmd: valid(domain.RegisterPerson{ManagerID: ptr(personID.String())}), wantKind: domain.KindInvalid, wantField: "manager_id"},
	}
	runDecide(t, domain.NewJournal(personID), cases)

	t.Run("names every bad field", func(t *testing.T) {
		_, err := domain.Decide(domain.NewJournal(personID), domain.RegisterPerson{Name: "", Email: "x"}, asAdmin)
		wantErr(t, err, domain.KindInvalid, "name")
		wantErr(t, err, domain.KindInvalid, "email")
	})
}

func TestUpdatePerson(t *testing.T) {
	cases := []decideCase{
		{name: "name trimmed", cmd: domain.UpdatePerson{Name: ptr("  Ana Souza ")}, wantType: domain.TypePersonUpdated, check: func(t *testing.T, e domain.Event) {
			d := e.Data.(*domain.PersonUpdated)
			if d.Name == nil || *d.Name != "Ana Souza" || d.Email != nil || d.Title != nil {
				t.Errorf("data: got %+v, want only name %q", d, "Ana Souza")
			}
		}},
		{name: "email", cmd: domain.UpdatePerson{Email: ptr("ana@example.org")}, wantType: domain.TypePersonUpdated, check: func(t *testing.T, e domain.Event) {
			if d := e.Data.(*domain.PersonUpdated); d.Email == nil || *d.Email != "ana@example.org" {
				t.Errorf("Email: got %v, want ana@example.org", d.Email)
			}
		}},
		{name: "nothing", cmd: domain.UpdatePerson{}, wantKind: domain.KindInvalid, wantField: "name"},
		{name: "empty name", cmd: domain.UpdatePerson{Name: ptr(" ")}, wantKind: domain.KindInvalid, wantField: "name"},
		{name: "bad email", cmd: domain.UpdatePerson{Email: ptr("ana@")}, wantKind: domain.KindInvalid, wantField: "email"},
		{name: "newline in title", cmd: domain.UpdatePerson{Title: ptr("Rep\nLead")}, wantKind: domain.KindInvalid, wantField: "title"},
	}
	runDecide(t, registered(t), cases)
}

func TestChangeManager(t *testing.T) {
	cases := []decideCase{
		{name: "new manager", cmd: domain.ChangeManager{ManagerID: ptr(bossID.String())},
			wantType: domain.TypeManagerChanged, check: func(t *testing.T, e domain.Event) {
				if d := e.Data.(*domain.ManagerChanged); d.ManagerID == nil || *d.ManagerID != bossID {
					t.Errorf("ManagerID: got %v, want %v", d.ManagerID, bossID)
				}
			}},
		{name: "top of org", cmd: domain.ChangeManager{}, wantType: domain.TypeManagerChanged, check: func(t *testing.T, e domain.Event) {
			if d := e.Data.(*domain.ManagerChanged); d.ManagerID != nil {
				t.Errorf("ManagerID: got %v, want nil", *d.ManagerID)
			}
		}},
		{name: "themselves", cmd: domain.ChangeManager{ManagerID: ptr(personID.String())}, wantKind: domain.KindInvalid, wantField: "manager_id"},
		{name: "not a UUID", cmd: domain.ChangeManager{ManagerID: ptr("boss")}, wantKind: domain.KindInvalid, wantField: "manager_id"},
		{name: "empty id", cmd: domain.ChangeManager{ManagerID: ptr("")}, wantKind: domain.KindInvalid, wantField: "manager_id"},
	}
	runDecide(t, registered(t), cases)
}

func TestDepartPerson(t *testing.T) {
	cases := []decideCase{
		{name: "valid", cmd: domain.DepartPerson{On: "2026-11-30", Reason: " moved to another company \n"}, wantType: domain.TypePersonDeparted,
			check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.PersonDeparted)
				if d.On.String() != "2026-11-30" || d.Reason != "moved to another company" {
					t.Errorf("data: got %v %q, want 2026-11-30 %q", d.On, d.Reason, "moved to another company")
				}
			}},
		{name: "no date", cmd: domain.DepartPerson{Reason: "r"}, wantKind: domain.KindInvalid, wantField: "on"},
		{name: "30 February", cmd: domain.DepartPerson{On: "2026-02-30", Reason: "r"}, wantKind: domain.KindInvalid, wantField: "on"},
		{name: "day first", cmd: domain.DepartPerson{On: "30/11/2026", Reason: "r"}, wantKind: domain.KindInvalid, wantField: "on"},
		{name: "with time", cmd: domain.DepartPerson{On: "2026-11-30T00:00:00Z", Reason: "r"}, wantKind: domain.KindInvalid, wantField: "on"},
		{name: "no reason", cmd: domain.DepartPerson{On: "2026-11-30", Reason: "   "}, wantKind: domain.KindInvalid, wantField: "reason"},
	}
	runDecide(t, registered(t), cases)
}

func TestErasePerson(t *testing.T) {
	cases := []decideCase{
		{name: "by HR", cmd: domain.ErasePerson{Reason: " GDPR request "}, meta: asHR, wantType: domain.TypePersonErased, check: func(t *testing.T, e domain.Event) {
			if d := e.Data.(*domain.PersonErased); d.Reason != "GDPR request" {
				t.Errorf("Reason: got %q, want %q", d.Reason, "GDPR request")
			}
		}},
		{name: "by admin", cmd: domain.ErasePerson{Reason: "r"}, meta: asAdmin, wantType: domain.TypePersonErased},
		{name: "by a member", cmd: domain.ErasePerson{Reason: "r"}, meta: asManager, wantKind: domain.KindForbidden},
		{name: "by the person", cmd: domain.ErasePerson{Reason: "r"}, meta: asSelf, wantKind: domain.KindForbidden},
		{name: "by an analyst", cmd: domain.ErasePerson{Reason: "r"}, meta: asAnalyst, wantKind: domain.KindForbidden},
		{name: "no reason", cmd: domain.ErasePerson{}, meta: asHR, wantKind: domain.KindInvalid, wantField: "reason"},
	}
	runDecide(t, registered(t), cases)
}

func TestSetStandard(t *testing.T) {
	target := func(metric string, v float64, kind string) domain.TargetInput {
		return domain.TargetInput{Metric: metric, Target: &v, Kind: kind}
	}
	std := func(ts ...domain.TargetInput) domain.SetStandard {
		return domain.SetStandard{AppliesTo: "reports", EffectiveFrom: "2026-11-01", Targets: ts}
	}
	many := make([]domain.TargetInput, 51)
	for i := range many {
		many[i] = target(fmt.Sprintf("m%d", i), 1, "leading")
	}
	cases := []decideCase{
		{name: "valid", cmd: domain.SetStandard{AppliesTo: "self", EffectiveFrom: "2026-11-01", Targets: []domain.TargetInput{
			target("revenue", 200000, "lagging"), {Metric: "new_opportunities", Target: ptr(10.0), Kind: "leading", Unit: ptr(" opps ")}}},
			wantType: domain.TypeStandardSet, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.StandardSet)
				if d.AppliesTo != "self" || d.EffectiveFrom.String() != "2026-11-01" || d.Period != "month" || len(d.Targets) != 2 {
					t.Fatalf("data: got %+v, want self from 2026-11-01 per month with 2 targets", d)
				}
				if g := d.Targets[1]; g.Metric != "new_opportunities" || g.Target != 10 || g.Kind != "leading" || g.Unit == nil || *g.Unit != "opps" {
					t.Errorf("Targets[1]: got %+v, want new_opportunities 10 leading opps", g)
				}
			}},
		{name: "50 targets", cmd: std(many[:50]...), wantType: domain.TypeStandardSet},
		{name: "64-char key", cmd: std(target("a"+strings.Repeat("b_9", 21), 1, "leading")), wantType: domain.TypeStandardSet},
		{name: "applies to team", cmd: domain.SetStandard{AppliesTo: "team", EffectiveFrom: "2026-11-01", Targets: many[:1]}, wantKind: domain.KindInvalid, wantField: "applies_to"},
		{name: "no effective date", cmd: domain.SetStandard{AppliesTo: "self", Targets: many[:1]}, wantKind: domain.KindInvalid, wantField: "effective_from"},
		{name: "bad effective date", cmd: domain.SetStandard{AppliesTo: "self", EffectiveFrom: "2026-11", Targets: many[:1]}, wantKind: domain.KindInvalid, wantField: "effective_from"},
		{name: "weekly period", cmd: domain.SetStandard{AppliesTo: "self", EffectiveFrom: "2026-11-01", Period: "week", Targets: many[:1]}, wantKind: domain.KindInvalid, wantField: "period"},
		{name: "no targets", cmd: std(), wantKind: domain.KindInvalid, wantField: "targets"},
		{name: "51 targets", cmd: std(many...), wantKind: domain.KindInvalid, wantField: "targets"},
		{name: "upper-case key", cmd: std(target("Revenue", 1, "lagging")), wantKind: domain.KindInvalid, wantField: "targets[0].metric"},
		{name: "key starts with digit", cmd: std(target("1st", 1, "lagging")), wantKind: domain.KindInvalid, wantField: "targets[0].metric"},
		{name: "key with dash", cmd: std(target("win-rate", 1, "lagging")), wantKind: domain.KindInvalid, wantField: "targets[0].metric"},
		{name: "65-char key", cmd: std(target("a"+strings.Repeat("b", 64), 1, "lagging")), wantKind: domain.KindInvalid, wantField: "targets[0].metric"},
		{name: "repeated key", cmd: std(target("revenue", 1, "lagging"), target("revenue", 2, "lagging")), wantKind: domain.KindInvalid, wantField: "targets[1].metric"},
		{name: "no target", cmd: std(domain.TargetInput{Metric: "revenue", Kind: "lagging"}), wantKind: domain.KindInvalid, wantField: "targets[0].target"},
		{name: "zero target", cmd: std(target("revenue", 0, "lagging")), wantKind: domain.KindInvalid, wantField: "targets[0].target"},
		{name: "negative target", cmd: std(target("revenue", -5, "lagging")), wantKind: domain.KindInvalid, wantField: "targets[0].target"},
		{name: "infinite target", cmd: std(target("revenue", math.Inf(1), "lagging")), wantKind: domain.KindInvalid, wantField: "targets[0].target"},
		{name: "NaN target", cmd: std(target("revenue", math.NaN(), "lagging")), wantKind: domain.KindInvalid, wantField: "targets[0].target"},
		{name: "bad kind", cmd: std(target("revenue", 1, "trailing")), wantKind: domain.KindInvalid, wantField: "targets[0].kind"},
	}
	runDecide(t, registered(t), cases)
}

func TestSetCadence(t *testing.T) {
	cases := []decideCase{
		{name: "7", cmd: domain.SetCadence{EveryDays: 7}, wantType: domain.TypeCadenceSet},
		{name: "14", cmd: domain.SetCadence{EveryDays: 14}, wantType: domain.TypeCadenceSet, check: func(t *testing.T, e domain.Event) {
			if d := e.Data.(*domain.CadenceSet); d.EveryDays != 14 {
				t.Errorf("EveryDays: got %v, want 14", d.EveryDays)
			}
		}},
		{name: "10", cmd: domain.SetCadence{EveryDays: 10}, wantKind: domain.KindInvalid, wantField: "every_days"},
		{name: "0", cmd: domain.SetCadence{}, wantKind: domain.KindInvalid, wantField: "every_days"},
	}
	runDecide(t, registered(t), cases)
}

func TestSubmitMetrics(t *testing.T) {
	vals := map[string]float64{"revenue": 150000, "new_opportunities": 10, "deals_won": 3}
	tooMany := map[string]float64{}
	for i := 0; i < 101; i++ {
		tooMany[fmt.Sprintf("m%d", i)] = 1
	}
	sub := func(period string, v map[string]float64) domain.SubmitMetrics {
		return domain.SubmitMetrics{Period: period, Values: v, Source: "manager"}
	}
	f := newFixture(t) // 2026-W46 already has a submission
	cases := []decideCase{
		{name: "own week", cmd: domain.SubmitMetrics{Period: "2026-W47", Values: vals, Source: "self"}, meta: asSelf,
			wantType: domain.TypeMetricsSubmitted, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.MetricsSubmitted)
				if d.Period.String() != "2026-W47" || d.Source != "self" || d.CorrectionReason != nil || d.Values["deals_won"] != 3 {
					t.Errorf("data: got %+v, want 2026-W47 self without correction", d)
				}
			}},
		{name: "this month by manager", cmd: sub("2026-11", vals), wantType: domain.TypeMetricsSubmitted},
		{name: "import by admin", cmd: domain.SubmitMetrics{Period: "2026-10", Values: vals, Source: "import"}, meta: asAdmin, wantType: domain.TypeMetricsSubmitted},
		{name: "zero value", cmd: sub("2026-W45", map[string]float64{"revenue": 0}), wantType: domain.TypeMetricsSubmitted},
		{name: "100 values", cmd: sub("2026-W45", func() map[string]float64 {
			m := map[string]float64{}
			for i := 0; i < 100; i++ {
				m[fmt.Sprintf("m%d", i)] = 1
			}
			return m
		}()), wantType: domain.TypeMetricsSubmitted},
		{name: "next week", cmd: sub("2026-W48", vals), wantKind: domain.KindInvalid, wantField: "period"},
		{name: "next month", cmd: sub("2026-12", vals), wantKind: domain.KindInvalid, wantField: "period"},
		{name: "next year", cmd: sub("2027-01", vals), wantKind: domain.KindInvalid, wantField: "period"},
		{name: "week 53 of 2025", cmd: sub("2025-W53", vals), wantKind: domain.KindInvalid, wantField: "period"},
		{name: "month 13", cmd: sub("2026-13", vals), wantKind: domain.KindInvalid, wantField: "period"},
		{name: "no period", cmd: sub("", vals), wantKind: domain.KindInvalid, wantField: "period"},
		{name: "no values", cmd: sub("2026-W45", nil), wantKind: domain.KindInvalid, wantField: "values"},
		{name: "101 values", cmd: sub("2026-W45", tooMany), wantKind: domain.KindInvalid, wantField: "values"},
		{name: "upper-case key", cmd: sub("2026-W45", map[string]float64{"Revenue": 1}), wantKind: domain.KindInvalid, wantField: "values.Revenue"},
		{name: "empty key", cmd: sub("2026-W45", map[string]float64{"": 1}), wantKind: domain.KindInvalid, wantField: "values."},
		{name: "negative value", cmd: sub("2026-W45", map[string]float64{"revenue": -1}), wantKind: domain.KindInvalid, wantField: "values.revenue"},
		{name: "infinite value", cmd: sub("2026-W45", map[string]float64{"revenue": math.Inf(1)}), wantKind: domain.KindInvalid, wantField: "values.revenue"},
		{name: "NaN value", cmd: sub("2026-W45", map[string]float64{"revenue": math.NaN()}), wantKind: domain.KindInvalid, wantField: "values.revenue"},
		{name: "self by manager", cmd: domain.SubmitMetrics{Period: "2026-W45", Values: vals, Source: "self"}, wantKind: domain.KindInvalid, wantField: "source"},
		{name: "manager by self", cmd: domain.SubmitMetrics{Period: "2026-W45", Values: vals, Source: "manager"}, meta: asSelf, wantKind: domain.KindInvalid, wantField: "source"},
		{name: "import by manager", cmd: domain.SubmitMetrics{Period: "2026-W45", Values: vals, Source: "import"}, wantKind: domain.KindInvalid, wantField: "source"},
		{name: "import by HR", cmd: domain.SubmitMetrics{Period: "2026-W45", Values: vals, Source: "import"}, meta: asHR, wantKind: domain.KindInvalid, wantField: "source"},
		{name: "unknown source", cmd: domain.SubmitMetrics{Period: "2026-W45", Values: vals, Source: "crm"}, wantKind: domain.KindInvalid, wantField: "source"},
		{name: "no source", cmd: domain.SubmitMetrics{Period: "2026-W45", Values: vals}, wantKind: domain.KindInvalid, wantField: "source"},
		{name: "second submission without reason", cmd: sub("2026-W46", vals), wantKind: domain.KindInvalid, wantField: "correction_reason"},
		{name: "second submission with blank reason", cmd: domain.SubmitMetrics{Period: "2026-W46", Values: vals, Source: "manager", CorrectionReason: ptr(" \n ")},
			wantKind: domain.KindInvalid, wantField: "correction_reason"},
		{name: "second submission with reason", cmd: domain.SubmitMetrics{Period: "2026-W46", Values: vals, Source: "manager", CorrectionReason: ptr("  CRM sync missed two deals\n")},
			wantType: domain.TypeMetricsSubmitted, check: func(t *testing.T, e domain.Event) {
				d := e.Data.(*domain.MetricsSubmitted)
				if d.CorrectionReason == nil || *d.CorrectionReason != "CRM sync missed two deals" {
					t.Errorf("CorrectionReason: got %v, want %q", d.CorrectionReason, "CRM sync missed two deals")
				}
			}},
		{name: "month of a submitted week", cmd: sub("2026-11", vals), wantType: domain.TypeMetricsSubmitted},
		{name: "reason with control character", cmd: domain.SubmitMetrics{Period: "2026-W46", Values: vals, Source: "manager", CorrectionReason: ptr("oops\x1b[31m")},
			wantKind: domain.KindInvalid, wantField: "correction_reason"},
	}
	runDecide(t, f.j, cases)

	t.Run("period that started today", func(t *testing.T) {
		m := asManager
		m.Now = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // Monday of 2026-W48
		if _, err := domain.Decide(f.j, sub("2026-W48", vals), m); err != nil {
			t.Errorf("Decide: got %v, want nil", err)
		}
		m.Now = m.Now.Add(-time.Nanosecond)
		_, err := domain.Decide(f.j, sub("2026-W48", vals), m)
		wantErr(t, err, domain.KindInvalid, "period")
	})
}

// TestActorSpelling checks that the rules about "the person themselves" do
// not depend on how the actor's UUID is spelled.
func TestActorSpelling(t *testing.T) {
	f := newFixture(t)
	upper := domain.Meta{Actor: domain.Actor{ID: strings.ToUpper(personID.String()), Role: domain.RoleMember}, Now: now}
	cases := []decideCase{
		{name: "own numbers", cmd: domain.SubmitMetrics{Period: "2026-W47", Values: map[string]float64{"revenue": 1}, Source: "self"}, meta: upper, wantType: domain.TypeMetricsSubmitted},
		{name: "manager source", cmd: domain.SubmitMetrics{Period: "2026-W47", Values: map[string]float64{"revenue": 1}, Source: "manager"}, meta: upper, wantKind: domain.KindInvalid, wantField: "source"},
		{name: "acknowledge", cmd: domain.AcknowledgePIP{PIPID: f.pip}, meta: upper, wantType: domain.TypePIPAcknowledged},
		{name: "close own PIP", cmd: domain.ClosePIP{PIPID: f.pip, Outcome: "succeeded", Note: "n"}, meta: upper, wantKind: domain.KindForbidden},
		{name: "open own PIP", cmd: domain.OpenPIP{Reason: "r", StartsOn: "2026-11-23", EndsOn: "2027-01-04", Goals: []domain.GoalInput{{Text: "g"}}}, meta: upper, wantKind: domain.KindForbidden},
	}
	runDecide(t, f.j, cases)
}
