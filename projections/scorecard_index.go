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
// stream order, and the month's funnel as known now: the team board's
// heat-map reads it instead of rolling up six months of every rep on each
// view. The fold keeps it (Set.addMetrics), so it is part of the read
// model, rebuilt with it, never filled in by a read.
type monthSteps struct {
	month domain.Period
	steps []uint32
	now   funnelSums
}

// funnelSums are a month's summed funnel metrics, each rounded as the
// scorecard rounds its sums; has is false for a month without a counted
// submission.
type funnelSums struct {
	opp, won, rev float64
	has           bool
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
// under the month its period rolls into, and returns that month's index
// (-1 without a period). Submissions mostly come month after month, so
// the month is looked for from the end.
func (j *scoreJournal) addMetrics(i uint32, period domain.Period) int {
	if period.IsZero() {
		return -1
	}
	m := period.Month()
	k := len(j.months)
	for k > 0 && cmpMonth(j.months[k-1], m) > 0 {
		k--
	}
	if k > 0 && cmpMonth(j.months[k-1], m) == 0 {
		j.months[k-1].steps = append(j.months[k-1].steps, i)
		return k - 1
	}
	j.months = slices.Insert(j.months, k, monthSteps{month: m, steps: []uint32{i}})
	return k
}

// addMetrics indexes stored step i, a metrics.submitted of p's journal,
// and sums its month's funnel again.
func (s *Set) addMetrics(p *person, i uint32, period domain.Period) {
	if k := p.score.addMetrics(i, period); k >= 0 {
		ms := &p.score.months[k]
		var buf [8]uint32
		ms.now = s.sumFunnel(s.counted(ms.steps, ms.month, time.Time{}, buf[:0]))
	}
}

// sumFunnel sums the funnel metrics of the counted steps, in their order
// and rounded as rollUp sums them, so the two agree to the bit.
func (s *Set) sumFunnel(counted []uint32) funnelSums {
	var f funnelSums
	for _, i := range counted {
		sb, _ := submissionAt(s.steps.at(i).data)
		for k, key := range sb.keys {
			switch key {
			case metricOpportunites:
				f.opp += sb.vals[k]
			case metricWon:
				f.won += sb.vals[k]
			case metricRevenue:
				f.rev += sb.vals[k]
			}
		}
	}
	f.opp, f.won, f.rev, f.has = clean(f.opp), clean(f.won), clean(f.rev), len(counted) > 0
	return f
}

// monthNow returns the funnel of month m as known now.
func (j *scoreJournal) monthNow(m domain.Period) funnelSums {
	if k, ok := slices.BinarySearchFunc(j.months, m, cmpMonth); ok {
		return j.months[k].now
	}
	return funnelSums{}
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
	switch m := d.(type) {
	case *metricsData:
		return m.period.unpack()
	case *domain.MetricsSubmitted:
		return m.Period
	}
	return domain.Period{}
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
