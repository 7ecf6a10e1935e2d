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
// stream order, and the month's funnel sums as known now: the team
// board's heat-map and the rep page's trend read them instead of rolling
// up six months of every rep on each view. The fold keeps them
// (Set.addMetrics), so they are part of the read model, rebuilt with it,
// never filled in by a read.
type monthSteps struct {
	month domain.Period
	steps []uint32
	now   funnelSums // unrounded, summed in the order rollUp sums (monthNow rounds)
	own   bool       // the month's own submission is counted, alone
	spill bool       // more weeks than weeks holds (not an ISO month): sum by counted
	n     uint8      // weeks in use
	weeks [5]weekStep
}

// weekStep is the latest submission of one ISO week of a month: a month
// holds four or five (the weeks whose Thursday it holds), kept by week,
// so that a correction sums the month's weeks again without looking for
// them among every step.
type weekStep struct {
	key  int32 // weekKey
	step uint32
}

// funnelSums are a month's summed funnel metrics; has is false for a
// month without a counted submission.
type funnelSums struct {
	opp, won, rev float64
	has           bool
}

// add sums the funnel metrics of stored metrics data d.
func (f *funnelSums) add(d domain.Data) {
	var keys []string
	var vals []float64
	switch m := d.(type) {
	case *metricsData:
		keys, vals = m.keys(), m.vals
	default:
		sb, _ := submissionAt(d)
		keys, vals = sb.keys, sb.vals
	}
	for k, key := range keys {
		switch key {
		case metricOpportunites:
			f.opp += vals[k]
		case metricWon:
			f.won += vals[k]
		case metricRevenue:
			f.rev += vals[k]
		}
	}
	f.has = true
}

// rounded is f with each sum rounded as the scorecard rounds its sums.
func (f funnelSums) rounded() funnelSums {
	return funnelSums{opp: clean(f.opp), won: clean(f.won), rev: clean(f.rev), has: f.has}
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
// and updates its month's sums as rollUp would count them: the month's
// own submission alone, else the latest submission of each week, summed
// by week. The month's next week, the common case, is one more in the
// sum, in the order rollUp sums; a correction or a late week sums the
// month's weeks again (at most five).
func (s *Set) addMetrics(p *person, i uint32, period domain.Period) {
	k := p.score.addMetrics(i, period)
	if k < 0 {
		return
	}
	ms := &p.score.months[k]
	d := s.steps.at(i).data
	if !period.IsWeek() { // the month's own submission: counted alone, the later replacing the earlier
		ms.own, ms.now = true, funnelSums{}
		ms.now.add(d)
		return
	}
	key := int32(weekKey(period))
	j, found := slices.BinarySearchFunc(ms.weeks[:ms.n], key, func(w weekStep, k int32) int { return cmp.Compare(w.key, k) })
	switch {
	case found:
		ms.weeks[j].step = i // a correction restates the week whole
	case int(ms.n) < len(ms.weeks):
		copy(ms.weeks[j+1:ms.n+1], ms.weeks[j:ms.n])
		ms.weeks[j], ms.n = weekStep{key: key, step: i}, ms.n+1
	default:
		ms.spill = true
	}
	switch {
	case ms.own: // the month's own submission stands: a week changes nothing counted
	case ms.spill:
		var buf [8]uint32
		ms.now = funnelSums{}
		for _, c := range s.counted(ms.steps, ms.month, time.Time{}, buf[:0]) {
			ms.now.add(s.steps.at(c).data)
		}
	case !found && j == int(ms.n)-1: // the next week: one more in the sum
		ms.now.add(d)
	default:
		ms.now = funnelSums{}
		for _, w := range ms.weeks[:ms.n] {
			ms.now.add(s.steps.at(w.step).data)
		}
	}
}

// monthNow returns the funnel of month m as known now.
func (j *scoreJournal) monthNow(m domain.Period) funnelSums {
	if k, ok := slices.BinarySearchFunc(j.months, m, cmpMonth); ok {
		return j.months[k].now.rounded()
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
