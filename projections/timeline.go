package projections

import (
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// TimelineQuery selects a page of one person's timeline.
type TimelineQuery struct {
	TypePrefix string    // e.g. "commitment." or "pip"; "" all
	From, To   time.Time // by occurred_at, inclusive From, exclusive To; zero = unbounded
	After      uint64    // cursor: only entries with Sequence > After
	Limit      int       // page size; <= 0 means DefaultLimit
}

// DefaultLimit is the page size of a TimelineQuery without a Limit.
const DefaultLimit = 50

// Timeline returns one person's entries in stream order and, when more
// remain, the cursor for the next page (the sequence of the last entry
// returned); 0 when this is the last page. An unknown person has no entries.
func (s *Set) Timeline(personID uuid.UUID, q TimelineQuery) ([]Step, uint64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.timeline(personID, q)
}

func (s *Set) timeline(personID uuid.UUID, q TimelineQuery) ([]Step, uint64) {
	out := []Step{}
	p := s.people[personID]
	if p == nil {
		return out, 0
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	start := sort.Search(len(p.steps), func(k int) bool { return s.steps.at(p.steps[k]).seq > q.After })
	for _, i := range p.steps[start:] {
		if !s.matches(s.steps.at(i), &q) {
			continue
		}
		if len(out) == limit {
			return out, out[len(out)-1].Sequence
		}
		out = append(out, s.stepAt(i))
	}
	return out, 0
}

func (s *Set) matches(st *step, q *TimelineQuery) bool {
	if q.TypePrefix != "" && !strings.HasPrefix(s.types[st.typ], q.TypePrefix) {
		return false
	}
	if q.From.IsZero() && q.To.IsZero() {
		return true
	}
	at := st.occurredAt()
	return (q.From.IsZero() || !at.Before(q.From)) && (q.To.IsZero() || at.Before(q.To))
}
