package projections

import (
	"slices"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// ResolvedStandard is the standard in force for a person on a day, and
// whose journal it was set on.
type ResolvedStandard struct {
	SourcePersonID uuid.UUID       `json:"source_person_id"`
	AppliesTo      string          `json:"applies_to"` // self, or reports (a manager's team standard)
	EffectiveFrom  domain.Date     `json:"effective_from"`
	Period         string          `json:"period"`
	Targets        []domain.Target `json:"targets"`
	SetAt          time.Time       `json:"set_at"`   // recorded_at of the standard.set
	Sequence       uint64          `json:"sequence"` // its stream sequence
}

// target returns the target for metric, if the standard sets one.
func (r *ResolvedStandard) target(metric string) (domain.Target, bool) {
	for _, t := range r.Targets {
		if t.Metric == metric {
			return t, true
		}
	}
	return domain.Target{}, false
}

// Standard returns the standard in force for personID on day on, as known
// at asOf (recorded_at ≤ asOf; the zero asOf knows everything): the
// person's own "self" standard with the latest effective_from ≤ on, else
// the "reports" standard of the nearest manager up the org tree, as known
// at asOf too, that has one in force. Of two standards with the same
// effective_from the later one recorded wins. A reassignment recorded
// after asOf is not known then: the walk follows the managers of that
// time (SPEC §3: as_of answers what was known at that moment). It stops
// at a cycle. ok is false when no standard is in force.
func (s *Set) Standard(personID uuid.UUID, on domain.Date, asOf time.Time) (ResolvedStandard, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.standard(personID, on, asOf)
}

// TeamStandard returns the "reports" standard that managerID set and that
// is in force on day on for their reports (a report's own "self"
// standard still comes first for them). ok is false when there is none.
func (s *Set) TeamStandard(managerID uuid.UUID, on domain.Date) (ResolvedStandard, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if i, ok := s.inForce(managerID, "reports", on, time.Time{}); ok {
		return s.resolvedAt(managerID, i), true
	}
	return ResolvedStandard{}, false
}

func (s *Set) standard(personID uuid.UUID, on domain.Date, asOf time.Time) (ResolvedStandard, bool) {
	if i, ok := s.inForce(personID, "self", on, asOf); ok {
		return s.resolvedAt(personID, i), true
	}
	for _, m := range s.managersOf(personID, asOf) {
		if i, ok := s.inForce(m, "reports", on, asOf); ok {
			return s.resolvedAt(m, i), true
		}
	}
	return ResolvedStandard{}, false
}

// inForce returns the step of id's latest standard for appliesTo that is
// effective on day on and known at asOf.
func (s *Set) inForce(id uuid.UUID, appliesTo string, on domain.Date, asOf time.Time) (uint32, bool) {
	j := s.scoreOf(id)
	if j == nil {
		return 0, false
	}
	var best uint32
	var bestFrom domain.Date
	found := false
	for _, i := range j.standards {
		st := s.steps.at(i)
		d, ok := st.data.(*domain.StandardSet)
		if !ok || d.AppliesTo != appliesTo || d.EffectiveFrom.After(on) || !known(st, asOf) {
			continue
		}
		if !found || !d.EffectiveFrom.Before(bestFrom) { // stream order: a tie goes to the later
			best, bestFrom, found = i, d.EffectiveFrom, true
		}
	}
	return best, found
}

func (s *Set) resolvedAt(source uuid.UUID, i uint32) ResolvedStandard {
	st := s.steps.at(i)
	d := st.data.(*domain.StandardSet)
	return ResolvedStandard{
		SourcePersonID: source, AppliesTo: d.AppliesTo, EffectiveFrom: d.EffectiveFrom, Period: d.Period,
		Targets: slices.Clone(d.Targets), SetAt: st.recordedAt(), Sequence: st.seq,
	}
}

// managersOf returns id's manager, theirs, and so on up the tree as known
// at asOf (zero: today's tree), stopping before an id repeats.
func (s *Set) managersOf(id uuid.UUID, asOf time.Time) []uuid.UUID {
	var out []uuid.UUID
	for p := s.people[id]; p != nil; {
		m := s.managerAt(p, asOf)
		if m == nil || *m == id || slices.Contains(out, *m) {
			break
		}
		out = append(out, *m)
		p = s.people[*m]
	}
	return out
}

// managerAt returns p's manager as known at asOf: the manager_id of the
// latest person.registered or manager.changed recorded by then (nil when
// none was; zero asOf: the current manager).
func (s *Set) managerAt(p *person, asOf time.Time) *uuid.UUID {
	if asOf.IsZero() {
		return p.ManagerID
	}
	for k := len(p.steps) - 1; k >= 0; k-- {
		st := s.steps.at(p.steps[k])
		if !known(st, asOf) {
			continue
		}
		switch d := st.data.(type) {
		case *domain.ManagerChanged:
			return d.ManagerID
		case *domain.PersonRegistered:
			return d.ManagerID
		}
	}
	return nil
}
