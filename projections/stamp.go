package projections

import (
	"bytes"
	"slices"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// Stamp records what a read model's answer was computed from, so that a
// cache of answers (the API keeps their encoded JSON) can tell, without
// computing the answer again, whether it would still be the same.
//
// An answer depends on a few journals (the person's, their managers' up the
// tree for the standard in force, the people its summaries name) and, for a
// board, on who is in a manager's team. Stream sequences only grow, so an
// answer computed when the set stood at sequence seq is still the answer as
// long as none of those journals has applied an event after seq, and no one
// joined or left the team since. The list of journals is the one of the
// moment the answer was computed; that is enough, because the list itself
// changes only through an event on one of them (a manager_changed on the
// person or a manager above them) or a team change. Erasure is an event on
// the erased person's journal, so it reaches every answer holding their
// text at once.
//
// The zero Stamp is never current.
type Stamp struct {
	seq      uint64
	journals []uuid.UUID
	team     *uuid.UUID  // the manager whose team the answer lists
	teams    []uuid.UUID // more managers whose teams the answer reads (Merge, StampSince)
	volatile bool        // depends on something no journal tells: never current
}

// Current reports whether an answer stamped st would read the same now.
func (s *Set) Current(st Stamp) bool {
	if st.volatile || len(st.journals) == 0 {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, id := range st.journals {
		if s.journalSeq(id) > st.seq {
			return false
		}
	}
	if st.team != nil {
		if t := s.teams[*st.team]; t != nil && t.seq > st.seq {
			return false
		}
	}
	for _, m := range st.teams {
		if t := s.teams[m]; t != nil && t.seq > st.seq {
			return false
		}
	}
	return true
}

// StampSince stamps an answer read from the journals and teams given
// (who is in each of those managers' teams), every read made after
// Sequence returned seq: the answer holds while none of them changed
// after seq. Taking seq before the reads errs on the safe side: an event
// applied meanwhile makes the answer stale, never a stale answer current.
func (s *Set) StampSince(seq uint64, journals, teams []uuid.UUID) Stamp {
	return Stamp{seq: seq, journals: slices.Clone(journals), teams: slices.Clone(teams)}
}

// Merge stamps an answer made of the answers stamped st and o: it holds
// while both would, from the earlier of their two sequences on.
func (st Stamp) Merge(o Stamp) Stamp {
	m := Stamp{seq: min(st.seq, o.seq), volatile: st.volatile || o.volatile}
	m.journals = append(append(make([]uuid.UUID, 0, len(st.journals)+len(o.journals)), st.journals...), o.journals...)
	m.teams = append(append(m.teams, st.teams...), o.teams...)
	for _, t := range []*uuid.UUID{st.team, o.team} {
		if t != nil {
			m.teams = append(m.teams, *t)
		}
	}
	m.journals, m.teams = distinct(m.journals), distinct(m.teams) // Current reads each once
	return m
}

// distinct sorts ids and drops the repeats.
func distinct(ids []uuid.UUID) []uuid.UUID {
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(ids)
}

// Erasures counts the person.erased events applied so far: a cache of
// answers can then drop every answer that is no longer current at once,
// so that no erased text stays in memory for longer than it takes.
func (s *Set) Erasures() uint64 { return s.erased.Load() }

// journalSeq is the stream sequence of the last event applied to id's
// journal; 0 for someone not registered (yet).
func (s *Set) journalSeq(id uuid.UUID) uint64 {
	if p := s.people[id]; p != nil {
		return p.lastSeq
	}
	return 0
}

// chain returns id and their managers up today's tree and, for a past
// asOf, up the tree as known then (whose standards a past answer reads).
func (s *Set) chain(id uuid.UUID, asOf time.Time) []uuid.UUID {
	out := append([]uuid.UUID{id}, s.managersOf(id, time.Time{})...)
	if !asOf.IsZero() {
		for _, m := range s.managersOf(id, asOf) {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}

// StampedScorecard is Scorecard with its Stamp: the person's journal and
// their managers' (whose standards it may use).
func (s *Set) StampedScorecard(personID uuid.UUID, month domain.Period, asOf time.Time) (Scorecard, Stamp) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.scorecard(personID, month, asOf), Stamp{seq: s.seq, journals: s.chain(personID, asOf)}
}

// StampedBoard is Board with its Stamp: the manager's team, the journals
// of everyone in it (departed or not) and of the managers above.
func (s *Set) StampedBoard(managerID uuid.UUID, month domain.Period, asOf time.Time) (Board, Stamp) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Stamp{seq: s.seq, journals: s.chain(managerID, asOf), team: &managerID}
	for _, p := range s.reportsOf(managerID) {
		st.journals = append(st.journals, p.ID)
	}
	return s.board(managerID, month, asOf, s.scorecard), st
}

// StampedTimeline is Timeline with its Stamp: the person's journal and
// those its summaries read, the new manager's name of a manager_changed
// and the commitment's text of a commitment step.
func (s *Set) StampedTimeline(personID uuid.UUID, q TimelineQuery) ([]Step, uint64, Stamp) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	page, next := s.timeline(personID, q)
	st := Stamp{seq: s.seq, journals: []uuid.UUID{personID}}
	for k := range page {
		s.summaryDeps(&st, page[k].Data)
	}
	return page, next, st
}

// summaryDeps adds the journals the summary of d reads to st.
func (s *Set) summaryDeps(st *Stamp, d domain.Data) {
	var commitment uuid.UUID
	switch d := d.(type) {
	case *domain.ManagerChanged:
		if d.ManagerID != nil {
			st.journals = append(st.journals, *d.ManagerID)
		}
		return
	case *domain.CommitmentFollowedUp:
		commitment = d.CommitmentID
	case *domain.CommitmentRenegotiated:
		commitment = d.CommitmentID
	case *domain.CommitmentKept:
		commitment = d.CommitmentID
	case *domain.CommitmentMissed:
		commitment = d.CommitmentID
	case *domain.CommitmentWithdrawn:
		commitment = d.CommitmentID
	default:
		return
	}
	c := s.commitments[commitment]
	if c == nil {
		st.volatile = true // a commitment made later would change the summary
		return
	}
	if c.person.ID != st.journals[0] {
		st.journals = append(st.journals, c.person.ID)
	}
}

// StampedCommitmentKeeping is CommitmentKeeping with its Stamp: the
// person's journal (their commitments and every step of them are on it).
func (s *Set) StampedCommitmentKeeping(personID uuid.UUID, asOf time.Time, today domain.Date) (Keeping, Stamp) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.commitmentKeeping(personID, asOf, today), Stamp{seq: s.seq, journals: []uuid.UUID{personID}}
}

// KeepingBrief is what the rep page shows of a person's commitment
// keeping, as known now: the totals, and the commitments it lists.
type KeepingBrief struct {
	Totals      KeepingCounts
	Commitments []CommitmentLife // as CommitmentKeeping has them, each History empty
}

// StampedKeepingBrief returns the totals of StampedCommitmentKeeping as
// known now, and n of its commitments: every open one, overdue first and
// then by due date (in the order made where those tie), then the resolved
// ones newest first. It reads the counts the fold keeps and the open
// commitments, so a person's resolved commitments cost nothing beyond
// the n shown.
func (s *Set) StampedKeepingBrief(personID uuid.UUID, today domain.Date, n int) (KeepingBrief, Stamp) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Stamp{seq: s.seq, journals: []uuid.UUID{personID}}
	out := KeepingBrief{Commitments: []CommitmentLife{}}
	p := s.people[personID]
	if p == nil {
		out.Totals.rates()
		return out, st
	}
	k := p.keeping
	out.Totals = KeepingCounts{Made: k.made, Kept: k.kept, Missed: k.missed, Withdrawn: k.withdrawn,
		Renegotiated: k.renegotiated, KeptOnTime: k.keptOnTime, Open: len(p.open)}
	shown := make([]*commitment, 0, n)
	for _, c := range p.open {
		if c.due.Before(today) {
			out.Totals.Overdue++
		}
		shown = append(shown, c)
	}
	out.Totals.rates()
	// By due date, which puts the overdue ones (due before today) first.
	slices.SortStableFunc(shown, func(a, b *commitment) int { return a.due.Time().Compare(b.due.Time()) })
	shown = shown[:min(n, len(shown))]
	for i := len(p.commitments) - 1; i >= 0 && len(shown) < n; i-- {
		if c := p.commitments[i]; c.status != statusOpen {
			shown = append(shown, c)
		}
	}
	for _, c := range shown {
		cl, _, _ := s.commitmentLife(c, time.Time{}, today, false)
		out.Commitments = append(out.Commitments, cl)
	}
	return out, st
}
