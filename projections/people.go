package projections

import (
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// Person is one registered person and their place in the org tree.
type Person struct {
	ID           uuid.UUID    `json:"id"`
	Name         string       `json:"name"`
	Email        string       `json:"email"`
	Title        *string      `json:"title,omitempty"`
	ManagerID    *uuid.UUID   `json:"manager_id"`
	DepartedOn   *domain.Date `json:"departed_on,omitempty"`
	Erased       bool         `json:"erased"`
	Version      uint64       `json:"version"`       // the journal's version: Version of its last event
	RegisteredAt time.Time    `json:"registered_at"` // recorded_at of person.registered
	Sequence     uint64       `json:"-"`             // stream sequence of the registration (list order, cursors)
}

// person is a Person with the indexes of their journal. The pointers in
// Person are never written through: a change replaces them.
type person struct {
	Person
	steps       []uint32 // every stored step of the journal, in stream order
	lastSeq     uint64   // the stream sequence of the last of them (Set.Current reads it for every cached answer)
	commitments []*commitment
	open        []*commitment // the open ones, in the order they were made
	keeping     keptCounts    // what the totals of commitment keeping count, as the fold goes
	pips        []*pip
	score       scoreJournal // standards and submissions, for the scorecard
	cadence     cadenceSteps // meetings, cadences and manager changes, for the cadence model
}

func (s *Set) register(seq uint64, e *domain.Event, d *domain.PersonRegistered) *person {
	p := &person{Person: Person{
		ID: e.PersonID, Name: d.Name, Email: d.Email, Title: d.Title, ManagerID: d.ManagerID,
		RegisteredAt: e.RecordedAt.UTC(), Sequence: seq,
	}}
	s.people[p.ID] = p
	s.order = append(s.order, p)
	s.joinTeam(p, seq)
	return p
}

// addStep adds stored step i, of stream sequence seq, to p's journal.
func (p *person) addStep(i uint32, seq uint64) {
	p.steps = append(p.steps, i)
	p.lastSeq = seq
}

func (p *person) update(d *domain.PersonUpdated) {
	if d.Name != nil {
		p.Name = *d.Name
	}
	if d.Email != nil {
		p.Email = *d.Email
	}
	if d.Title != nil {
		p.Title = d.Title
	}
}

// Person returns a registered person.
func (s *Set) Person(id uuid.UUID) (Person, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.people[id]
	if p == nil {
		return Person{}, false
	}
	return p.Person, true
}

// People returns everyone (managerID nil) or the direct reports of
// *managerID, ordered by registration sequence.
func (s *Set) People(managerID *uuid.UUID) []Person {
	s.mu.RLock()
	defer s.mu.RUnlock()
	all := s.order
	if managerID != nil {
		all = s.reportsOf(*managerID) // the teams index (teams.go), not a walk over everyone
	}
	out := make([]Person, 0, len(all))
	for _, p := range all {
		out = append(out, p.Person)
	}
	return out
}

// InView reports whether viewer may see target's journal: viewer is target,
// or above target in the current org tree. Departed people stay in the
// tree. A cycle (which the domain forbids) ends the walk.
func (s *Set) InView(viewer, target uuid.UUID) bool {
	if viewer == target {
		return true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.people[target]
	for n := 0; p != nil && p.ManagerID != nil && n <= len(s.people); n++ {
		if *p.ManagerID == viewer {
			return true
		}
		p = s.people[*p.ManagerID]
	}
	return false
}

// ManagerChain returns id itself, then its manager, then theirs, up to the
// top of the org; it stops before an id repeats (a cycle) and after an id
// that is not registered.
func (s *Set) ManagerChain(id uuid.UUID) []uuid.UUID {
	s.mu.RLock()
	defer s.mu.RUnlock()
	chain := []uuid.UUID{id}
	for p := s.people[id]; p != nil && p.ManagerID != nil; p = s.people[*p.ManagerID] {
		m := *p.ManagerID
		for _, seen := range chain {
			if seen == m {
				return chain
			}
		}
		chain = append(chain, m)
	}
	return chain
}

// name returns a person's display name for summaries, or their id.
func (s *Set) name(id uuid.UUID) string {
	if p := s.people[id]; p != nil {
		return p.Name
	}
	return id.String()
}
