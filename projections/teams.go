package projections

import (
	"slices"

	"github.com/google/uuid"
)

// directReports is one manager's direct reports in today's tree, in
// registration order, departed ones included, and the stream sequence of
// the last event that changed who is in it. It spares the board a walk
// over everyone, and tells a cached board when its rows may have changed.
type directReports struct {
	reports []*person
	seq     uint64
}

// joinTeam files a newly registered p under their manager.
func (s *Set) joinTeam(p *person, seq uint64) {
	if p.ManagerID != nil {
		s.teamOf(*p.ManagerID, seq).add(p)
	}
}

// changeManager moves p, whose manager_changed is stored step i, from
// their old manager's team to the new one's.
func (s *Set) changeManager(p *person, i uint32, to *uuid.UUID) {
	seq := s.steps.at(i).seq
	if p.ManagerID != nil {
		s.teamOf(*p.ManagerID, seq).remove(p)
	}
	p.ManagerID = to
	if to != nil {
		s.teamOf(*to, seq).add(p)
	}
}

// teamOf returns managerID's team, noting a change at seq.
func (s *Set) teamOf(managerID uuid.UUID, seq uint64) *directReports {
	if s.teams == nil {
		s.teams = map[uuid.UUID]*directReports{}
	}
	t := s.teams[managerID]
	if t == nil {
		t = &directReports{}
		s.teams[managerID] = t
	}
	t.seq = seq
	return t
}

// add inserts p in registration order (a move brings in someone
// registered earlier than the newest report).
func (t *directReports) add(p *person) {
	k, _ := slices.BinarySearchFunc(t.reports, p.Sequence, func(q *person, seq uint64) int {
		switch {
		case q.Sequence < seq:
			return -1
		case q.Sequence > seq:
			return 1
		}
		return 0
	})
	t.reports = slices.Insert(t.reports, k, p)
}

func (t *directReports) remove(p *person) {
	if k := slices.Index(t.reports, p); k >= 0 {
		t.reports = slices.Delete(t.reports, k, k+1)
	}
}

// reportsOf returns managerID's direct reports in registration order; the
// slice is the index's own: read it under the lock, never change it.
func (s *Set) reportsOf(managerID uuid.UUID) []*person {
	if t := s.teams[managerID]; t != nil {
		return t.reports
	}
	return nil
}
