package projections

import (
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// scoreJournal indexes one person's journal for the scorecard and the
// standards. It holds step indices only: the numbers and targets stay in
// the step store, once, and each read filters them by recorded_at for
// as_of. Nothing here is text, so erasure has nothing to do.
type scoreJournal struct {
	standards []uint32                   // standard.set steps, in stream order
	months    map[domain.Period][]uint32 // metrics.submitted steps by the month they roll into, in stream order
}

// scoreOf returns p's index, creating it on first use.
func (s *Set) scoreOf(id uuid.UUID) *scoreJournal {
	if s.scores == nil {
		s.scores = map[uuid.UUID]*scoreJournal{}
	}
	j := s.scores[id]
	if j == nil {
		j = &scoreJournal{}
		s.scores[id] = j
	}
	return j
}

// indexStandard records stored step i, a standard.set of p's journal.
func (s *Set) indexStandard(p *person, i uint32) {
	j := s.scoreOf(p.ID)
	j.standards = append(j.standards, i)
}

// indexMetrics records stored step i, a metrics.submitted of p's journal,
// under the month its period rolls into.
func (s *Set) indexMetrics(p *person, i uint32, period domain.Period) {
	if period.IsZero() {
		return
	}
	j := s.scoreOf(p.ID)
	if j.months == nil {
		j.months = map[domain.Period][]uint32{}
	}
	m := period.Month()
	j.months[m] = append(j.months[m], i)
}

// submission is one metrics.submitted as the scorecard reads it.
type submission struct {
	period domain.Period
	source string
	keys   []string
	vals   []float64
}

// submissionAt reads stored step data as a submission. The store keeps
// the compact form; an event erased on arrival keeps the domain form.
func submissionAt(d domain.Data) (submission, bool) {
	switch m := d.(type) {
	case *metricsData:
		return submission{period: m.period.unpack(), source: m.shape.source, keys: m.keys(), vals: m.vals}, true
	case *domain.MetricsSubmitted:
		out := submission{period: m.Period, source: m.Source}
		for k, v := range m.Values {
			out.keys = append(out.keys, k)
			out.vals = append(out.vals, v)
		}
		return out, true
	}
	return submission{}, false
}

// periodOf returns the period of stored metrics data.
func periodOf(d domain.Data) domain.Period {
	sub, _ := submissionAt(d)
	return sub.period
}

// known reports whether stored step st was recorded at or before asOf; the
// zero asOf knows everything.
func known(st *step, asOf time.Time) bool {
	if asOf.IsZero() {
		return true
	}
	sec := asOf.Unix()
	return st.rec < sec || (st.rec == sec && int64(st.recNs) <= int64(asOf.Nanosecond()))
}
