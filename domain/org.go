package domain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// Rules that read state outside the journal they append to, and how each
// holds under concurrency:
//
//   - Org structure (registration under a manager, manager change,
//     departure): the manager exists and has not departed, no reporting
//     cycle, no departure while the person still manages someone. Decided
//     by DecideOrg against an Org folded from every journal's person events
//     up to a stream sequence L; the event is appended in one atomic batch
//     with an org marker that is conditional on L being still the last
//     sequence of every person subject (eventstore/org.go). Two concurrent
//     structural changes cannot both pass: the second's marker fails and it
//     is decided again on the fresh Org. A retry that still breaks a rule
//     is a 409 (or 422 for a manager who was never registered).
//   - A meeting's with_id names a registered person (the leader): checked
//     against the projections only. It is safe without a condition because
//     a registration is never undone (departure and erasure keep the
//     person registered), so a person seen registered stays registered.
//   - A commitment's meeting_id names a meeting of the same journal: it is
//     decided against that journal (CommitmentMade.decide reads j), which
//     its append is conditional on, so it reads no other journal.
//   - A member's access (who is in whose subtree) is read from the
//     projections; it is authorization, not an invariant of the stored
//     facts, and a racing move can at worst let a request through that was
//     allowed a moment before.

// Org is the reporting structure as the stream holds it: who is
// registered, who reports to whom, who has departed.
type Org struct {
	people  map[uuid.UUID]*orgNode
	reports map[uuid.UUID]map[uuid.UUID]struct{} // manager → direct reports, departed or not
}

type orgNode struct {
	manager  uuid.UUID // uuid.Nil: top of the org
	departed bool
}

// NewOrg returns an empty org.
func NewOrg() *Org {
	return &Org{people: map[uuid.UUID]*orgNode{}, reports: map[uuid.UUID]map[uuid.UUID]struct{}{}}
}

// Structural reports whether cmd changes the org's structure, so that its
// append must be decided by DecideOrg under the org condition.
func Structural(cmd Command) bool {
	switch c := cmd.(type) {
	case RegisterPerson, ChangeManager, DepartPerson:
		return true
	case WithID:
		return Structural(c.Command)
	}
	return false
}

// StructuralType reports whether events of this type change the org.
func StructuralType(t string) bool {
	return t == TypePersonRegistered || t == TypeManagerChanged || t == TypePersonDeparted
}

// Evolve folds one event; events that do not change the org are ignored.
func (o *Org) Evolve(e Event) {
	switch d := e.Data.(type) {
	case *PersonRegistered:
		if _, ok := o.people[e.PersonID]; ok {
			return
		}
		o.people[e.PersonID] = &orgNode{}
		o.move(e.PersonID, d.ManagerID)
	case *ManagerChanged:
		if _, ok := o.people[e.PersonID]; ok {
			o.move(e.PersonID, d.ManagerID)
		}
	case *PersonDeparted:
		if n, ok := o.people[e.PersonID]; ok {
			n.departed = true
		}
	}
}

func (o *Org) move(id uuid.UUID, mgr *uuid.UUID) {
	n := o.people[id]
	if n.manager != uuid.Nil {
		delete(o.reports[n.manager], id)
	}
	n.manager = uuid.Nil
	if mgr != nil {
		n.manager = *mgr
		if o.reports[*mgr] == nil {
			o.reports[*mgr] = map[uuid.UUID]struct{}{}
		}
		o.reports[*mgr][id] = struct{}{}
	}
}

// Has reports whether id is registered.
func (o *Org) Has(id uuid.UUID) bool { _, ok := o.people[id]; return ok }

// Departed reports whether id is registered and has departed.
func (o *Org) Departed(id uuid.UUID) bool { n, ok := o.people[id]; return ok && n.departed }

// Manager returns id's manager; false at the top of the org or when id is
// not registered.
func (o *Org) Manager(id uuid.UUID) (uuid.UUID, bool) {
	n, ok := o.people[id]
	if !ok || n.manager == uuid.Nil {
		return uuid.Nil, false
	}
	return n.manager, true
}

// People returns every registered person, in no particular order.
func (o *Org) People() []uuid.UUID {
	out := make([]uuid.UUID, 0, len(o.people))
	for id := range o.people {
		out = append(out, id)
	}
	return out
}

// ActiveReports returns id's direct reports who have not departed, sorted.
func (o *Org) ActiveReports(id uuid.UUID) []uuid.UUID {
	var out []uuid.UUID
	for r := range o.reports[id] {
		if !o.people[r].departed {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// chainHas reports whether who is mgr or above mgr; the walk is bounded so
// that a forged cycle in the stream cannot loop it.
func (o *Org) chainHas(mgr, who uuid.UUID) bool {
	for id, n := mgr, 0; id != uuid.Nil && n <= len(o.people); n++ {
		if id == who {
			return true
		}
		node, ok := o.people[id]
		if !ok {
			return false
		}
		id = node.manager
	}
	return false
}

// DecideOrg checks an event, already decided for its own journal, against
// the org. The rules:
//  1. a registration's or a manager change's manager is registered
//     (KindInvalid on manager_id otherwise) and has not departed
//     (KindConflict);
//  2. a manager change never makes a cycle: the person is not the new
//     manager nor anyone above them (KindConflict);
//  3. a departure leaves nobody reporting to the departed person: their
//     active reports are moved first (KindConflict, naming them).
//
// Events that do not change the org pass.
func DecideOrg(o *Org, e Event) error {
	var mgr *uuid.UUID
	switch d := e.Data.(type) {
	case *PersonRegistered:
		mgr = d.ManagerID
	case *ManagerChanged:
		mgr = d.ManagerID
		if mgr != nil && o.chainHas(*mgr, e.PersonID) {
			return &Error{Kind: KindConflict, Message: fmt.Sprintf("moving %s under %s would make a reporting cycle: %s reports to %s", e.PersonID, *mgr, *mgr, e.PersonID),
				Fields: []FieldError{{Field: "manager_id", Message: "reports (directly or not) to this person: it would make a reporting cycle"}}}
		}
	case *PersonDeparted:
		if rs := o.ActiveReports(e.PersonID); len(rs) > 0 {
			ids := make([]string, len(rs))
			for i, r := range rs {
				ids[i] = r.String()
			}
			return &Error{Kind: KindConflict, Message: fmt.Sprintf("%s still manages %d people (%s); move them to another manager first", e.PersonID, len(rs), strings.Join(ids, ", "))}
		}
		return nil
	default:
		return nil
	}
	if mgr == nil {
		return nil
	}
	switch {
	case !o.Has(*mgr):
		return Invalid(FieldError{Field: "manager_id", Message: "names no registered person"})
	case o.Departed(*mgr):
		return &Error{Kind: KindConflict, Message: fmt.Sprintf("manager %s has departed; choose a manager who has not", *mgr),
			Fields: []FieldError{{Field: "manager_id", Message: "has departed"}}}
	}
	return nil
}
