package projections

import (
	"sort"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/domain"
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

// TimelineNewest returns up to limit of one person's entries of type
// prefix typePrefix with a Sequence below before, newest first, and
// whether older ones remain, with the Stamp of the answer (as
// StampedTimeline's). It builds only the entries it returns: a page
// showing the latest entries need not build the whole timeline. Their
// summaries write dates and periods with w. The entries are a page's:
// without Hash, and a metrics submission's Data is nil (its summary says
// what it holds; its values are not expanded into a map to be dropped).
func (s *Set) TimelineNewest(personID uuid.UUID, typePrefix string, before uint64, limit int, w Words) ([]Step, bool, Stamp) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Stamp{seq: s.seq, journals: []uuid.UUID{personID}}
	p := s.people[personID]
	if p == nil {
		return nil, false, st
	}
	q := TimelineQuery{TypePrefix: typePrefix}
	end := sort.Search(len(p.steps), func(k int) bool { return s.steps.at(p.steps[k]).seq >= before })
	out := make([]Step, 0, max(0, min(limit, end)))
	for k := end - 1; k >= 0; k-- {
		i := p.steps[k]
		if !s.matches(s.steps.at(i), &q) {
			continue
		}
		if len(out) == limit {
			return out, true, st
		}
		out = append(out, s.pageStep(i, w))
		s.summaryDeps(&st, out[len(out)-1].Data)
	}
	return out, false, st
}

// Journal returns one person's domain journal after the first n events of
// their journal, folded from only the events of parts (domain.PartOf): the
// state domain.Decide rules on, for a dry run of a command (a form offered
// only when it would be accepted). For commands of domain.Reads in parts it
// decides as the whole journal does; domain.PartsAll folds every event. Its
// version is that of the n-th event all the same. Metrics submissions are
// folded in without their values, which the journal does not hold (it keeps
// which periods have numbers): expanding every week's values into a map was
// most of a dry run's cost.
func (s *Set) Journal(personID uuid.UUID, n uint64, parts domain.Part) *domain.Journal {
	j := domain.NewJournal(personID)
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.people[personID]
	if p == nil {
		return j
	}
	steps := p.steps[:min(uint64(len(p.steps)), n)]
	var ms domain.MetricsSubmitted // Evolve keeps none of an event's data: one will do
	for k, i := range steps {
		d := s.steps.at(i).data
		if m, ok := d.(*metricsData); ok {
			if parts&domain.PartPeriods == 0 {
				continue
			}
			ms = domain.MetricsSubmitted{Period: m.period.unpack(), Source: m.shape.source, CorrectionReason: m.corr}
			d = &ms
		} else if domain.PartOf(d)&parts == 0 {
			continue
		}
		j.Evolve(domain.Event{Version: uint64(k) + 1, Data: d})
	}
	if len(steps) > 0 {
		j.Evolve(domain.Event{Version: uint64(len(steps))}) // the version, whatever was left out
	}
	return j
}
