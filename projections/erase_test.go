package projections

import (
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// everything returns every read result of the Set, as JSON.
func everything(tb testing.TB, s *Set, today domain.Date) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString(mustJSON(tb, s.People(nil)))
	for _, p := range s.People(nil) {
		person, _ := s.Person(p.ID)
		steps, _ := s.Timeline(p.ID, TimelineQuery{Limit: 1 << 20})
		b.WriteString(mustJSON(tb, []any{person, s.People(&p.ID), s.ManagerChain(p.ID), s.Commitments(p.ID), s.PIPsOf(p.ID), steps}))
		for _, c := range s.Commitments(p.ID) {
			one, _ := s.Commitment(p.ID, c.ID)
			b.WriteString(mustJSON(tb, []any{one, one.Overdue(today)}))
		}
	}
	for _, x := range s.PIPs("") {
		one, _ := s.PIP(x.ID)
		b.WriteString(mustJSON(tb, []any{one, one.Schedule(today)}))
	}
	b.WriteString(mustJSON(tb, []any{s.PIPs("active"), s.PIPs("closed"), s.Sequence()}))
	return b.String()
}

func TestErasure(t *testing.T) {
	p := ids(3)
	lead, ana, report := p[0], p[1], p[2]
	pipID, goal := uuid.New(), uuid.New()
	f := newFeed()
	register(f, lead, "Leo", nil)
	f.add(ana, hrActor, &domain.PersonRegistered{Name: "Zelda Quintana", Email: "zq@secret.example", Title: str("Xylophone Executive"), ManagerID: &lead})
	register(f, report, "Rui", nil)
	f.add(report, hrActor, &domain.ManagerChanged{ManagerID: &ana}) // Rui's timeline names Ana
	f.add(ana, member(ana), &domain.PersonUpdated{Title: str("Quasar Lead"), Email: str("zq2@secret.example")})
	f.add(ana, member(lead), &domain.MeetingHeld{MeetingID: uuid.New(), Kind: "coaching", WithID: lead, Notes: str("Obsidian notes"), Diagnosis: &domain.Diagnosis{Primary: "conversion", Note: str("Marmalade stage")}})
	f.add(ana, member(ana), &domain.MetricsSubmitted{Period: domain.Period{Year: 2026, Mon: 10}, Values: map[string]float64{"revenue": 150000}, Source: "self"})
	f.add(ana, member(ana), &domain.MetricsSubmitted{Period: domain.Period{Year: 2026, Mon: 10}, Values: map[string]float64{"revenue": 160000}, Source: "self", CorrectionReason: str("Tangerine typo")})
	f.add(ana, member(lead), &domain.MeetingSkipped{ScheduledFor: date(t, "2026-11-03"), Reason: "Walrus offsite"})
	c := uuid.New()
	f.add(ana, member(lead), &domain.CommitmentMade{CommitmentID: c, Text: "Pineapple outreach", DueOn: date(t, "2026-11-27")})
	f.add(ana, member(lead), &domain.CommitmentFollowedUp{CommitmentID: c, Note: "Giraffe progress"})
	f.add(ana, member(lead), &domain.CommitmentRenegotiated{CommitmentID: c, NewDueOn: date(t, "2026-12-04"), Reason: "Hazelnut reason"})
	f.add(ana, member(lead), &domain.CommitmentMissed{CommitmentID: c, Note: str("Kumquat excuse")})
	f.add(ana, hrActor, &domain.PIPOpened{PIPID: pipID, Reason: "Vermilion reason", StartsOn: date(t, "2026-11-02"), EndsOn: date(t, "2027-01-01"), CheckInEveryDays: 7, Goals: []domain.PIPGoal{{GoalID: goal, Text: "Saffron goal"}}})
	f.add(ana, member(ana), &domain.PIPAcknowledged{PIPID: pipID, Comment: str("Lavender comment")})
	f.add(ana, member(lead), &domain.PIPCheckedIn{PIPID: pipID, On: date(t, "2026-11-09"), Note: "Turquoise note", Goals: []domain.GoalStatus{{GoalID: goal, Status: "at_risk", Note: str("Cobalt goal note")}}})
	f.add(ana, hrActor, &domain.PIPRevised{PIPID: pipID, Reason: "Magenta revision", Goals: []domain.PIPGoal{{GoalID: goal, Text: "Indigo goal"}}})
	f.add(ana, hrActor, &domain.PIPExtended{PIPID: pipID, NewEndsOn: date(t, "2027-01-10"), Reason: "Ochre extension"})
	f.add(ana, hrActor, &domain.PIPClosed{PIPID: pipID, Outcome: "not_met", Note: "Umber closing"})
	f.add(ana, hrActor, &domain.PersonDeparted{On: date(t, "2026-12-31"), Reason: "Sepia departure"})
	secrets := []string{"Zelda", "Quintana", "zq@secret", "zq2@secret", "Xylophone", "Quasar", "Obsidian", "Marmalade", "Tangerine", "Walrus",
		"Pineapple", "Giraffe", "Hazelnut", "Kumquat", "Vermilion", "Saffron", "Lavender", "Turquoise", "Cobalt", "Magenta", "Indigo", "Ochre", "Umber", "Sepia", "Jasper"}

	s := NewSet()
	f.applyTo(s, 0, len(f.events))
	today := date(t, "2026-12-15")
	before := everything(t, s, today)
	for _, w := range secrets[:len(secrets)-1] {
		if !strings.Contains(before, w) {
			t.Fatalf("test setup: %q not in the models before erasure", w)
		}
	}
	heldTimeline, _ := s.Timeline(ana, TimelineQuery{Limit: 100})
	heldPIP, _ := s.PIP(pipID)
	held := mustJSON(t, []any{heldTimeline, heldPIP})

	n := len(f.events)
	f.add(ana, hrActor, &domain.PersonErased{Reason: "Jasper request"})
	f.add(ana, hrActor, &domain.PersonUpdated{Name: str("Zelda again")}) // forged: text after erasure
	f.applyTo(s, n, len(f.events))
	after := everything(t, s, today)
	for _, w := range secrets {
		if strings.Contains(after, w) {
			t.Errorf("%q still readable after erasure", w)
		}
	}
	if !strings.Contains(after, `"Registered [erased] ([erased])"`) || !strings.Contains(after, "Now reports to [erased]") {
		t.Error("summaries do not read [erased]")
	}
	person, _ := s.Person(ana)
	if !person.Erased || person.Name != domain.Erased || person.Email != domain.Erased || *person.Title != domain.Erased {
		t.Errorf("person = %+v", person)
	}
	// Numbers, dates, ids and structure stay.
	cm, _ := s.Commitment(ana, c)
	x, _ := s.PIP(pipID)
	steps, _ := s.Timeline(ana, TimelineQuery{TypePrefix: "metrics.", Limit: 10})
	switch {
	case cm.Text != domain.Erased || cm.DueOn.String() != "2026-12-04" || cm.Status != "missed" || len(cm.History) != 4:
		t.Errorf("commitment = %+v", cm)
	case x.Reason != domain.Erased || x.Goals[0].Text != domain.Erased || x.Goals[0].GoalID != goal || *x.Goals[0].Status != "at_risk" || *x.Goals[0].Note != domain.Erased:
		t.Errorf("pip = %+v", x)
	case x.CheckIns[0].Note != domain.Erased || *x.Acknowledgements[0].Comment != domain.Erased || len(x.GoalVersions) != 2:
		t.Errorf("pip = %+v", x)
	case steps[1].Data.(*domain.MetricsSubmitted).Values["revenue"] != 160000 || *steps[1].Data.(*domain.MetricsSubmitted).CorrectionReason != domain.Erased:
		t.Errorf("metrics = %+v", steps[1].Data)
	case !strings.Contains(steps[1].Summary, "Corrected numbers for 2026-10"):
		t.Errorf("summary = %q", steps[1].Summary)
	}
	// What readers held before the erasure is theirs: it was not changed under them.
	if got := mustJSON(t, []any{heldTimeline, heldPIP}); got != held {
		t.Error("results handed out before the erasure changed")
	}
	// The other journals keep their own text.
	if p, _ := s.Person(lead); p.Name != "Leo" {
		t.Errorf("lead = %q", p.Name)
	}
}
