package domain_test

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventjson"
	"github.com/google/uuid"
)

// v1Fixture holds one or more stored version-1 envelopes of every event type.
// It is history: never regenerate it once committed (a later catalog would
// write later schemas); add a v2 fixture next to it instead.
const v1Fixture = "testdata/v1-events.ndjson"

var writeV1Fixture = flag.Bool("write-v1-fixture", false, "write "+v1Fixture+" (only while the catalog is at version 1)")

// Fixed ids of the fixture.
var (
	fxLeader = uuid.MustParse("01900000-0000-7000-8000-00000000aa01")
	fxOther  = uuid.MustParse("01900000-0000-7000-8000-00000000aa02")
	fxAna    = uuid.MustParse("01900000-0000-7000-8000-00000000aa03")
)

// fixtureWriter decides commands with fixed ids and times and seals them.
type fixtureWriter struct {
	t        *testing.T
	journals map[uuid.UUID]*domain.Journal
	n        int
	out      bytes.Buffer
}

func (w *fixtureWriter) id(kind int) uuid.UUID {
	return uuid.MustParse(fmt.Sprintf("01900000-0000-7000-8%03d-%012d", kind, w.n))
}

// add decides cmd on person's journal, pins every generated id, seals the
// event and returns it.
func (w *fixtureWriter) add(person uuid.UUID, actor domain.Actor, cmd domain.Command) domain.Event {
	w.t.Helper()
	j := w.journals[person]
	if j == nil {
		j = domain.NewJournal(person)
		w.journals[person] = j
	}
	w.n++
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(w.n) * time.Hour)
	e, err := domain.Decide(j, cmd, domain.Meta{Actor: actor, Now: now})
	if err != nil {
		w.t.Fatalf("event %d (%T): %v", w.n, cmd, err)
	}
	e.ID = w.id(0)
	switch d := e.Data.(type) {
	case *domain.MeetingHeld:
		d.MeetingID = w.id(1)
	case *domain.CommitmentMade:
		d.CommitmentID = w.id(2)
	case *domain.PIPOpened:
		d.PIPID = w.id(3)
		for i := range d.Goals {
			d.Goals[i].GoalID = w.id(10 + i)
		}
	case *domain.PIPRevised:
		for i := range d.Goals {
			if d.Goals[i].GoalID.String()[:8] != "01900000" { // a new goal: pin its id
				d.Goals[i].GoalID = w.id(20 + i)
			}
		}
	}
	b, err := eventjson.Seal(&e)
	if err != nil {
		w.t.Fatal(err)
	}
	j.Evolve(e)
	w.out.Write(b)
	w.out.WriteByte('\n')
	return e
}

func strp(v string) *string { return &v }

func writeFixture(t *testing.T) []byte {
	w := &fixtureWriter{t: t, journals: map[uuid.UUID]*domain.Journal{}}
	admin := domain.Actor{ID: "admin-service", Role: domain.RoleAdmin}
	hr := domain.Actor{ID: "hr-service", Role: domain.RoleHR}
	leader := domain.Actor{ID: fxLeader.String(), Role: domain.RoleMember}
	ana := domain.Actor{ID: fxAna.String(), Role: domain.RoleMember}
	w.add(fxLeader, admin, domain.RegisterPerson{Name: "Leo Leader", Email: "leo@example.com"})
	w.add(fxOther, admin, domain.RegisterPerson{Name: "Otto Other", Email: "otto@example.com"})
	w.add(fxAna, admin, domain.RegisterPerson{Name: "Ana Lima", Email: "ana@example.com", Title: strp("Account Executive"), ManagerID: strp(fxLeader.String())})
	w.add(fxAna, admin, domain.UpdatePerson{Title: strp("Senior Account Executive")})
	w.add(fxLeader, leader, domain.SetStandard{AppliesTo: "reports", EffectiveFrom: "2026-01-01", Targets: []domain.TargetInput{
		{Metric: "revenue", Target: ptr(200000.0), Kind: "lagging", Unit: strp("USD")},
		{Metric: "new_opportunities", Target: ptr(10.0), Kind: "leading"}}})
	w.add(fxLeader, leader, domain.SetCadence{EveryDays: 7})
	w.add(fxAna, ana, domain.SubmitMetrics{Period: "2026-W05", Source: "self", Values: map[string]float64{"activities": 40, "new_opportunities": 2}})
	w.add(fxAna, leader, domain.SubmitMetrics{Period: "2026-01", Source: "manager", Values: map[string]float64{"revenue": 150000, "deals_won": 3}})
	m := w.add(fxAna, leader, domain.HoldMeeting{Kind: "performance", HeldAt: "2026-02-27T15:00:00Z", WithID: fxLeader.String(),
		DurationMinutes: ptr(30), Notes: strp("Pipeline is thin"), Diagnosis: &domain.DiagnosisInput{Primary: "activity", Note: strp("half the opportunities")}})
	w.add(fxAna, leader, domain.SkipMeeting{ScheduledFor: "2026-02-20", Reason: "travel"})
	c1 := w.add(fxAna, ana, domain.MakeCommitment{Text: "book 15 first meetings by Friday", DueOn: "2026-03-06",
		MeetingID: strp(m.Data.(*domain.MeetingHeld).MeetingID.String()), Metric: &domain.CommitmentMetric{Key: "activities", Target: 15}})
	cid := c1.Data.(*domain.CommitmentMade).CommitmentID
	w.add(fxAna, leader, domain.FollowUpCommitment{CommitmentID: cid, Note: "9 booked", Progress: ptr(0.6)})
	w.add(fxAna, leader, domain.RenegotiateCommitment{CommitmentID: cid, NewDueOn: "2026-03-09", Reason: "holiday"})
	w.add(fxAna, leader, domain.ResolveCommitment{CommitmentID: cid, Status: "kept", Note: strp("16 booked")})
	c2 := w.add(fxAna, ana, domain.MakeCommitment{Text: "call 5 old clients", DueOn: "2026-03-02"})
	w.add(fxAna, leader, domain.ResolveCommitment{CommitmentID: c2.Data.(*domain.CommitmentMade).CommitmentID, Status: "missed"})
	c3 := w.add(fxAna, ana, domain.MakeCommitment{Text: "shadow a senior rep", DueOn: "2026-03-10"})
	w.add(fxAna, leader, domain.ResolveCommitment{CommitmentID: c3.Data.(*domain.CommitmentMade).CommitmentID, Status: "withdrawn", Note: strp("rep left")})
	p := w.add(fxAna, hr, domain.OpenPIP{Reason: "three months under 60%", StartsOn: "2026-02-01", EndsOn: "2026-04-01",
		Goals: []domain.GoalInput{{Text: "10 new opportunities a month", Metric: strp("new_opportunities"), Target: ptr(10.0)}}})
	pip := p.Data.(*domain.PIPOpened)
	goal := pip.Goals[0].GoalID.String()
	w.add(fxAna, ana, domain.AcknowledgePIP{PIPID: pip.PIPID, Comment: strp("understood")})
	w.add(fxAna, hr, domain.CheckInPIP{PIPID: pip.PIPID, On: "2026-02-08", Note: "first week",
		Goals: []domain.GoalStatusInput{{GoalID: goal, Status: "at_risk", Note: strp("4 so far")}}})
	w.add(fxAna, hr, domain.RevisePIP{PIPID: pip.PIPID, Reason: "add a goal",
		Goals: []domain.GoalInput{{GoalID: &goal, Text: "10 new opportunities a month"}, {Text: "weekly pipeline review"}}})
	w.add(fxAna, hr, domain.ExtendPIP{PIPID: pip.PIPID, NewEndsOn: "2026-04-15", Reason: "sick leave"})
	w.add(fxAna, hr, domain.ClosePIP{PIPID: pip.PIPID, Outcome: "succeeded", Note: "goals met"})
	w.add(fxAna, admin, domain.ChangeManager{ManagerID: strp(fxOther.String())})
	w.add(fxAna, hr, domain.DepartPerson{On: "2026-03-02", Reason: "moved abroad"})
	w.add(fxAna, hr, domain.ErasePerson{Reason: "request under GDPR art. 17"})
	return w.out.Bytes()
}

// TestV1FixtureLoads decodes every stored version-1 envelope through
// eventjson.Decode (and so through the upcasters): old history must always load.
func TestV1FixtureLoads(t *testing.T) {
	if *writeV1Fixture {
		for _, typ := range domain.EventTypes() {
			if domain.SchemaOf(typ) != 1 {
				t.Fatalf("%s is at schema %d: the v1 fixture is history, do not rewrite it", typ, domain.SchemaOf(typ))
			}
		}
		if err := os.WriteFile(v1Fixture, writeFixture(t), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(v1Fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		ok, _, _, err := eventjson.VerifyHash(sc.Bytes())
		if err != nil || !ok {
			t.Fatalf("line %d: the stored hash no longer verifies (%v)", line, err)
		}
		e, err := eventjson.Decode(sc.Bytes())
		if err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		if e.Data.EventType() != e.Type || e.Schema != domain.SchemaOf(e.Type) || e.PersonID == uuid.Nil || e.ID == uuid.Nil {
			t.Fatalf("line %d: %s decoded as %T, schema %d, person %s", line, e.Type, e.Data, e.Schema, e.PersonID)
		}
		if err := checkKeyFields(e); err != nil {
			t.Errorf("line %d (%s): %v", line, e.Type, err)
		}
		seen[e.Type]++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, typ := range domain.EventTypes() {
		if seen[typ] == 0 {
			missing = append(missing, typ)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("the v1 fixture lacks %v", missing)
	}
}

// checkKeyFields checks the fields each type's readers rely on.
func checkKeyFields(e domain.Event) error {
	bad := func(what string) error { return fmt.Errorf("%s lost in decoding: %+v", what, e.Data) }
	switch d := e.Data.(type) {
	case *domain.PersonRegistered:
		if d.Name == "" || d.Email == "" {
			return bad("name or email")
		}
		if e.PersonID == fxAna && (d.ManagerID == nil || *d.ManagerID != fxLeader || d.Title == nil) {
			return bad("manager_id or title")
		}
	case *domain.PersonUpdated:
		if d.Title == nil || *d.Title == "" {
			return bad("title")
		}
	case *domain.ManagerChanged:
		if d.ManagerID == nil || *d.ManagerID != fxOther {
			return bad("manager_id")
		}
	case *domain.PersonDeparted:
		if d.On.String() != "2026-03-02" || d.Reason == "" {
			return bad("on or reason")
		}
	case *domain.PersonErased:
		if d.Reason == "" {
			return bad("reason")
		}
	case *domain.StandardSet:
		if d.AppliesTo != "reports" || d.EffectiveFrom.String() != "2026-01-01" || len(d.Targets) != 2 || d.Targets[0].Target != 200000 {
			return bad("standard")
		}
	case *domain.CadenceSet:
		if d.EveryDays != 7 {
			return bad("every_days")
		}
	case *domain.MetricsSubmitted:
		if d.Period.IsZero() || len(d.Values) != 2 || d.Source == "" {
			return bad("period, values or source")
		}
	case *domain.MeetingHeld:
		if d.MeetingID == uuid.Nil || d.WithID != fxLeader || d.Kind != "performance" || d.Diagnosis == nil || d.Diagnosis.Primary != "activity" || d.HeldAt.IsZero() {
			return bad("meeting")
		}
	case *domain.MeetingSkipped:
		if d.ScheduledFor.IsZero() || d.Reason == "" {
			return bad("scheduled_for or reason")
		}
	case *domain.CommitmentMade:
		if d.CommitmentID == uuid.Nil || d.Text == "" || d.DueOn.IsZero() {
			return bad("commitment")
		}
	case *domain.CommitmentFollowedUp:
		if d.CommitmentID == uuid.Nil || d.Progress == nil || *d.Progress != 0.6 {
			return bad("follow-up")
		}
	case *domain.CommitmentRenegotiated:
		if d.CommitmentID == uuid.Nil || d.NewDueOn.String() != "2026-03-09" {
			return bad("new_due_on")
		}
	case *domain.CommitmentKept:
		if d.CommitmentID == uuid.Nil {
			return bad("commitment_id")
		}
	case *domain.CommitmentMissed:
		if d.CommitmentID == uuid.Nil {
			return bad("commitment_id")
		}
	case *domain.CommitmentWithdrawn:
		if d.CommitmentID == uuid.Nil || d.Reason == "" {
			return bad("reason")
		}
	case *domain.PIPOpened:
		if d.PIPID == uuid.Nil || d.CheckInEveryDays != 7 || len(d.Goals) != 1 || d.Goals[0].GoalID == uuid.Nil || d.StartsOn.DaysUntil(d.EndsOn) != 59 {
			return bad("PIP")
		}
	case *domain.PIPAcknowledged:
		if d.PIPID == uuid.Nil || e.Actor.ID != fxAna.String() {
			return bad("pip_id or the acknowledging person")
		}
	case *domain.PIPCheckedIn:
		if d.PIPID == uuid.Nil || len(d.Goals) != 1 || d.Goals[0].Status != "at_risk" {
			return bad("check-in")
		}
	case *domain.PIPRevised:
		if d.PIPID == uuid.Nil || len(d.Goals) != 2 {
			return bad("goals")
		}
	case *domain.PIPExtended:
		if d.NewEndsOn.String() != "2026-04-15" {
			return bad("new_ends_on")
		}
	case *domain.PIPClosed:
		if d.Outcome != "succeeded" {
			return bad("outcome")
		}
	default:
		return fmt.Errorf("no key-field check for %T: add one", d)
	}
	return nil
}
