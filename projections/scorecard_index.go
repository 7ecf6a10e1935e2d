package projections

import (
	"cmp"
	"slices"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// scoreJournal indexes one person's journal for the scorecard and the
// standards. It holds step indices only: the numbers and targets stay in
// the step store, once, and each read filters them by recorded_at for
// as_of. Nothing here is text, so erasure has nothing to do.
type scoreJournal struct {
	standards []uint32     // standard.set steps, in stream order
	months    []monthSteps // metrics.submitted steps by the month they roll into, months ascending
}

// monthSteps are the metrics.submitted steps that roll into one month, in
// stream order.
type monthSteps struct {
	month domain.Period
	steps []uint32
}

// month returns the steps that roll into month m.
func (j *scoreJournal) month(m domain.Period) []uint32 {
	if k, ok := slices.BinarySearchFunc(j.months, m, cmpMonth); ok {
		return j.months[k].steps
	}
	return nil
}

func cmpMonth(a monthSteps, m domain.Period) int {
	return cmp.Or(cmp.Compare(a.month.Year, m.Year), cmp.Compare(a.month.Mon, m.Mon))
}

// scoreOf returns the index of the journal of id, or nil when it has none.
func (s *Set) scoreOf(id uuid.UUID) *scoreJournal {
	if p := s.people[id]; p != nil {
		return &p.score
	}
	return nil
}

// addStandard records stored step i, a standard.set of the journal.
func (j *scoreJournal) addStandard(i uint32) {
	j.standards = append(j.standards, i)
}

// addMetrics records stored step i, a metrics.submitted of the journal,
// under the month its period rolls into. Submissions mostly come month
// after month, so the month is looked for from the end.
func (j *scoreJournal) addMetrics(i uint32, period domain.Period) {
	if period.IsZero() {
		return
	}
	m := period.Month()
	k := len(j.months)
	for k > 0 && cmpMonth(j.months[k-1], m) > 0 {
		k--
	}
	if k > 0 && cmpMonth(j.months[k-1], m) == 0 {
		j.months[k-1].steps = append(j.months[k-1].steps, i)
		return
	}
	j.months = slices.Insert(j.months, k, monthSteps{month: m, steps: []uint32{i}})
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
