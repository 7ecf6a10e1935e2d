package projections

import (
	"slices"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

func TestPeopleTree(t *testing.T) {
	p := ids(6)
	owner, leader, lead2, rep, rep2, newBoss := p[0], p[1], p[2], p[3], p[4], p[5]
	f := newFeed()
	register(f, owner, "Olga", nil)
	register(f, leader, "Leo", &owner)
	register(f, lead2, "Lia", &leader)
	register(f, rep, "Ana", &lead2)
	register(f, rep2, "Rui", &lead2)
	register(f, newBoss, "Nina", nil)
	s := f.set()

	tests := []struct {
		name           string
		viewer, target uuid.UUID
		want           bool
	}{
		{"self", rep, rep, true},
		{"direct manager", lead2, rep, true},
		{"two levels up", leader, rep, true},
		{"three levels up", owner, rep, true},
		{"report cannot see manager", rep, lead2, false},
		{"peer", rep2, rep, false},
		{"other tree", newBoss, rep, false},
		{"unknown viewer", uuid.New(), rep, false},
		{"unknown target", owner, uuid.New(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.InView(tt.viewer, tt.target); got != tt.want {
				t.Errorf("InView = %v, want %v", got, tt.want)
			}
		})
	}
	if got, want := s.ManagerChain(rep), []uuid.UUID{rep, lead2, leader, owner}; !slices.Equal(got, want) {
		t.Errorf("ManagerChain = %v, want %v", got, want)
	}
	if got := s.People(&lead2); len(got) != 2 || got[0].ID != rep || got[1].ID != rep2 {
		t.Errorf("People(lead2) = %v, want Ana then Rui", got)
	}
	if got := s.People(nil); len(got) != 6 || got[0].ID != owner || got[0].Sequence != 1 {
		t.Errorf("People(nil) = %v", got)
	}

	// lead2 (with her team) moves to newBoss: continuity follows the tree.
	f.add(lead2, hrActor, &domain.ManagerChanged{ManagerID: &newBoss})
	f.add(rep2, member(rep2), &domain.PersonDeparted{On: date(t, "2026-12-01"), Reason: "moved on"})
	s = f.set()
	moved := []struct {
		name           string
		viewer, target uuid.UUID
		want           bool
	}{
		{"old chain loses view", leader, rep, false},
		{"old owner loses view", owner, lead2, false},
		{"new manager sees report's report", newBoss, rep, true},
		{"new manager sees moved person", newBoss, lead2, true},
		{"departed still in tree", lead2, rep2, true},
	}
	for _, tt := range moved {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.InView(tt.viewer, tt.target); got != tt.want {
				t.Errorf("InView = %v, want %v", got, tt.want)
			}
		})
	}
	if got, _ := s.Person(rep2); got.DepartedOn == nil || got.DepartedOn.String() != "2026-12-01" {
		t.Errorf("DepartedOn = %v, want 2026-12-01", got.DepartedOn)
	}
	if got := s.People(&lead2); len(got) != 2 {
		t.Errorf("People(lead2) after departure = %d people, want 2", len(got))
	}
	if steps, _ := s.Timeline(newBoss, TimelineQuery{}); len(steps) != 1 {
		t.Errorf("newBoss timeline = %v", types(steps))
	}
	if tl, _ := s.Timeline(lead2, TimelineQuery{}); tl[len(tl)-1].Summary != "Now reports to Nina" {
		t.Errorf("summary = %q", tl[len(tl)-1].Summary)
	}
}

func TestPeopleCycleSafe(t *testing.T) {
	p := ids(3)
	a, b, c := p[0], p[1], p[2]
	f := newFeed()
	register(f, a, "A", nil)
	register(f, b, "B", &a)
	register(f, c, "C", &b)
	f.add(a, hrActor, &domain.ManagerChanged{ManagerID: &c}) // forged: a cycle a→c→b→a
	f.add(c, hrActor, &domain.ManagerChanged{ManagerID: &c}) // forged: c manages itself
	s := f.set()
	if got, want := s.ManagerChain(a), []uuid.UUID{a, c}; !slices.Equal(got, want) {
		t.Errorf("ManagerChain(a) = %v, want %v", got, want)
	}
	if got, want := s.ManagerChain(b), []uuid.UUID{b, a, c}; !slices.Equal(got, want) {
		t.Errorf("ManagerChain(b) = %v, want %v", got, want)
	}
	if s.InView(uuid.New(), a) {
		t.Error("InView(stranger, a) = true in a cycle")
	}
	if !s.InView(c, b) {
		t.Error("InView(c, b) = false")
	}
}

func TestUnknownAndForgedEvents(t *testing.T) {
	p := ids(2)
	f := newFeed()
	ghost := p[0]
	f.add(ghost, hrActor, &domain.CommitmentMade{CommitmentID: uuid.New(), Text: "x"})
	f.add(ghost, hrActor, &domain.ManagerChanged{ManagerID: &p[1]})
	f.add(ghost, hrActor, &domain.PIPClosed{PIPID: uuid.New()})
	register(f, ghost, "Late", nil)
	register(f, ghost, "Twice", nil)
	f.add(ghost, hrActor, &domain.PIPAcknowledged{PIPID: uuid.New()})
	f.add(ghost, hrActor, &domain.CommitmentKept{CommitmentID: uuid.New()})
	s := f.set()
	if got := s.Sequence(); got != 7 {
		t.Errorf("Sequence = %d, want 7", got)
	}
	got, ok := s.Person(ghost)
	if !ok || got.Name != "Late" || got.ManagerID != nil || got.Version != 7 {
		t.Errorf("Person = %+v, %v", got, ok)
	}
	if steps, _ := s.Timeline(ghost, TimelineQuery{}); len(steps) != 3 {
		t.Errorf("timeline = %v, want registration and the two later events", types(steps))
	}
	if len(s.Commitments(ghost)) != 0 || len(s.PIPs("")) != 0 {
		t.Error("forged events created models")
	}
}
