package projections

import (
	"slices"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// Trend granularities.
const (
	TrendWeek  = "week"
	TrendMonth = "month"
)

// TrendQuery asks for one metric's trend over a range of weeks or months.
type TrendQuery struct {
	Metric      string
	ManagerID   *uuid.UUID    // nil: the whole org; else everyone below this manager in today's tree
	Granularity string        // TrendWeek or TrendMonth
	From, To    domain.Period // both included; either kind of period, see TrendRange
	AsOf        time.Time     // zero: everything known
}

// Trends is a metric's trend: only aggregates, never a person's id or name
// (analysts read it). ManagerID echoes the query.
type Trends struct {
	Metric      string        `json:"metric"`
	Derived     bool          `json:"derived"` // win_rate, avg_deal_size: computed from the sums, targets not scaled
	ManagerID   *uuid.UUID    `json:"manager_id"`
	Scope       string        `json:"scope"` // org or team
	Granularity string        `json:"granularity"`
	From        domain.Period `json:"from"`
	To          domain.Period `json:"to"`
	AsOf        *time.Time    `json:"as_of"`
	People      int           `json:"people"` // in the scope today
	Buckets     []TrendBucket `json:"buckets"`
}

// TrendBucket is one week or month of a trend.
//
// Reps counts the people of the scope with a submission counted in the
// bucket. Total is the metric summed over them (a derived metric is
// computed from the summed deals_won, new_opportunities and revenue); null
// when none of them reported it. Attainment is each rep's actual / target
// against the standard in force (as on their scorecard); RepsWithTarget
// counts those who have both, MedianAttainment is their median (the mean
// of the middle two for an even count) and ShareBelow90 the share of them
// below 90%, both null when RepsWithTarget is 0.
type TrendBucket struct {
	Period           domain.Period `json:"period"`
	Start            domain.Date   `json:"start"`
	End              domain.Date   `json:"end"`
	Reps             int           `json:"reps"`
	Total            *float64      `json:"total"`
	RepsWithTarget   int           `json:"reps_with_target"`
	MedianAttainment *float64      `json:"median_attainment"`
	RepsBelow90      int           `json:"reps_below_90"`
	ShareBelow90     *float64      `json:"share_below_90"`
}

// TrendRange turns from and to into the first and last bucket of
// granularity g and returns how many buckets lie between them, both
// included (0 when from is after to). A month asked by weeks stands for
// the weeks that roll into it (whose Thursday is in it); a week asked by
// months for the month it rolls into.
func TrendRange(g string, from, to domain.Period) (first, last domain.Period, n int) {
	if g == TrendWeek {
		first, last = from, to
		if !from.IsWeek() {
			first = firstWeekOf(from)
		}
		if !to.IsWeek() {
			last = domain.WeekPeriod(firstWeekOf(nextMonth(to)).Start().AddDays(-7))
		}
		days := first.Start().DaysUntil(last.Start())
		if days < 0 {
			return first, last, 0
		}
		return first, last, days/7 + 1
	}
	first, last = from.Month(), to.Month()
	n = (last.Year-first.Year)*12 + int(last.Mon) - int(first.Mon) + 1
	return first, last, max(n, 0)
}

// firstWeekOf returns the first ISO week that rolls into month m: the one
// holding the first Thursday of m.
func firstWeekOf(m domain.Period) domain.Period {
	d := m.Start()
	for d.Time().Weekday() != time.Thursday {
		d = d.AddDays(1)
	}
	return domain.WeekPeriod(d)
}

func nextMonth(m domain.Period) domain.Period {
	return domain.MonthPeriod(domain.DateOf(m.Start().Time().AddDate(0, 1, 0)))
}

// Trends returns q's trend. Each bucket reads what each person's scorecard
// reads (the same roll-up and the same standard resolution): a month
// bucket is the person's month exactly as on their scorecard. A week
// bucket holds the person's latest submission for that ISO week; a
// monthly submission, which cannot be split into weeks, counts only in
// month buckets. Weekly attainment is against the standard in force for
// the month the week rolls into, its monthly targets scaled to the week
// (target × 7 / days in that month); targets of the derived metrics
// (rates) are not scaled. People are those in the scope in today's tree
// (a rep who moved brings their history along), departed ones included
// for the buckets where they have data.
func (s *Set) Trends(q TrendQuery) Trends {
	s.mu.RLock()
	defer s.mu.RUnlock()
	first, last, n := TrendRange(q.Granularity, q.From, q.To)
	t := Trends{
		Metric: q.Metric, Derived: isDerived(q.Metric), ManagerID: q.ManagerID, Scope: "org",
		Granularity: q.Granularity, From: first, To: last, Buckets: make([]TrendBucket, 0, n),
	}
	if q.ManagerID != nil {
		t.Scope = "team"
	}
	if !q.AsOf.IsZero() {
		a := q.AsOf.UTC()
		t.AsOf = &a
	}
	people := s.trendScope(q.ManagerID)
	t.People = len(people)
	for k, p := 0, first; k < n; k++ {
		t.Buckets = append(t.Buckets, s.trendBucket(q, p, people))
		if p.IsWeek() {
			p = domain.WeekPeriod(p.Start().AddDays(7))
		} else {
			p = nextMonth(p)
		}
	}
	return t
}

// trendScope returns everyone (managerID nil) or everyone below
// *managerID in today's tree, in registration order.
func (s *Set) trendScope(managerID *uuid.UUID) []uuid.UUID {
	var out []uuid.UUID
	for _, p := range s.order {
		if managerID == nil || slices.Contains(s.managersOf(p.ID, time.Time{}), *managerID) {
			out = append(out, p.ID)
		}
	}
	return out
}

func (s *Set) trendBucket(q TrendQuery, period domain.Period, people []uuid.UUID) TrendBucket {
	b := TrendBucket{Period: period, Start: period.Start(), End: period.End()}
	month := period.Month()
	sums := map[string]float64{}
	reported := false
	var attainments []float64
	for _, id := range people {
		actuals, refs := s.rollUp(id, period, q.AsOf)
		if len(refs) == 0 {
			continue
		}
		b.Reps++
		for k, v := range actuals {
			sums[k] += v
		}
		_, has := actuals[q.Metric]
		reported = reported || has
		var std *ResolvedStandard
		if r, ok := s.standard(id, month.Start(), q.AsOf); ok {
			if period.IsWeek() {
				r = weekly(r, month)
			}
			std = &r
		}
		for _, row := range metricRows(std, actuals) {
			if row.Metric == q.Metric && row.Attainment != nil {
				attainments = append(attainments, *row.Attainment)
			}
		}
	}
	if isDerived(q.Metric) {
		b.Total = derivedActuals(sums)[q.Metric]
	} else if reported {
		v := clean(sums[q.Metric])
		b.Total = &v
	}
	b.RepsWithTarget = len(attainments)
	if len(attainments) > 0 {
		slices.Sort(attainments)
		mid := len(attainments) / 2
		m := attainments[mid]
		if len(attainments)%2 == 0 {
			m = (attainments[mid-1] + m) / 2
		}
		m = clean(m)
		b.MedianAttainment = &m
		for _, a := range attainments {
			if a < marketBelow {
				b.RepsBelow90++
			}
		}
		sh := clean(float64(b.RepsBelow90) / float64(len(attainments)))
		b.ShareBelow90 = &sh
	}
	return b
}

// weekly returns r with its monthly targets scaled to one week of month:
// × 7 / the month's days. Rates (the derived metrics) stay as they are.
func weekly(r ResolvedStandard, month domain.Period) ResolvedStandard {
	days := float64(month.Start().DaysUntil(month.End()) + 1)
	for k, x := range r.Targets {
		if !isDerived(x.Metric) {
			r.Targets[k].Target = clean(x.Target * 7 / days)
		}
	}
	return r
}
