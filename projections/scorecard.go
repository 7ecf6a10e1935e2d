package projections

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// Scorecard is one person's month against the standard in force on its
// first day (SPEC §3). Every number the scorecard computes is rounded to
// 12 significant digits, so 0.3/0.4 reads 0.75, not 0.7499999999999999.
type Scorecard struct {
	PersonID    uuid.UUID         `json:"person_id"`
	Period      domain.Period     `json:"period"`
	AsOf        *time.Time        `json:"as_of"` // nil: everything known (the API fills in the time it answered)
	Standard    *ResolvedStandard `json:"standard"`
	Metrics     []MetricRow       `json:"metrics"`
	Funnel      Funnel            `json:"funnel"`
	Submissions []SubmissionRef   `json:"submissions"` // what the actuals are made of
}

// MetricRow is one metric's actual against its target. Target is nil for a
// metric without a target, Actual for a target without data; Attainment is
// Actual / Target when both are known.
type MetricRow struct {
	Metric     string   `json:"metric"`
	Kind       *string  `json:"kind"` // from the target; built-in metrics without one have their usual kind
	Unit       *string  `json:"unit,omitempty"`
	Derived    bool     `json:"derived,omitempty"` // win_rate and avg_deal_size, computed from the sums
	Target     *float64 `json:"target"`
	Actual     *float64 `json:"actual"`
	Attainment *float64 `json:"attainment"`
}

// SubmissionRef names a submission counted in the month.
type SubmissionRef struct {
	Period     domain.Period `json:"period"`
	Source     string        `json:"source"`
	RecordedAt time.Time     `json:"recorded_at"`
	Sequence   uint64        `json:"sequence"`
}

// The built-in metric keys, and the derived ones.
const (
	metricActivities   = "activities"
	metricOpportunites = "new_opportunities"
	metricWon          = "deals_won"
	metricLost         = "deals_lost"
	metricRevenue      = "revenue"
	metricWinRate      = "win_rate"
	metricDealSize     = "avg_deal_size"
)

// builtinKind is the kind of a built-in metric that has no target.
var builtinKind = map[string]string{
	metricActivities: "leading", metricOpportunites: "leading",
	metricWon: "lagging", metricLost: "lagging", metricRevenue: "lagging",
	metricWinRate: "lagging", metricDealSize: "lagging",
}

// Scorecard returns personID's scorecard for month (a month period) as
// known at asOf (recorded_at ≤ asOf; zero: everything). Weekly submissions
// roll into the month holding the ISO week's Thursday; a later submission
// for the same period replaces the earlier one whole (a correction restates
// the period's numbers, it does not patch them); a monthly submission
// replaces the month's weekly ones. A person with no data, or unknown, gets
// a scorecard with null actuals, never an error.
func (s *Set) Scorecard(personID uuid.UUID, month domain.Period, asOf time.Time) Scorecard {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.scorecard(personID, month, asOf)
}

func (s *Set) scorecard(personID uuid.UUID, month domain.Period, asOf time.Time) Scorecard {
	month = month.Month()
	card := Scorecard{PersonID: personID, Period: month, Metrics: []MetricRow{}, Submissions: []SubmissionRef{}}
	if !asOf.IsZero() {
		t := asOf.UTC()
		card.AsOf = &t
	}
	if std, ok := s.standard(personID, month.Start(), asOf); ok {
		card.Standard = &std
	}
	actuals, refs := s.rollUp(personID, month, asOf)
	card.Submissions = refs
	card.Metrics = metricRows(card.Standard, actuals)
	card.Funnel = funnelOf(card.Standard, funnelSums{opp: actuals[metricOpportunites], won: actuals[metricWon], rev: actuals[metricRevenue], has: len(refs) > 0})
	return card
}

// rollUp returns the period's summed values and the submissions counted:
// for a month, as Scorecard says; for an ISO week (the trends), that
// week's latest submission alone (a monthly one cannot be split into weeks).
func (s *Set) rollUp(personID uuid.UUID, month domain.Period, asOf time.Time) (map[string]float64, []SubmissionRef) {
	j := s.scoreOf(personID)
	if j == nil {
		return nil, []SubmissionRef{}
	}
	var buf [8]uint32
	counted := s.counted(j.month(month.Month()), month, asOf, buf[:0])
	sums := map[string]float64{}
	refs := make([]SubmissionRef, 0, len(counted))
	for _, i := range counted {
		st := s.steps.at(i)
		sb, _ := submissionAt(st.data)
		for k, key := range sb.keys {
			sums[key] += sb.vals[k]
		}
		refs = append(refs, SubmissionRef{Period: sb.period, Source: sb.source, RecordedAt: st.recordedAt(), Sequence: st.seq})
	}
	for k, v := range sums {
		sums[k] = clean(v)
	}
	return sums, refs
}

// weekKey orders the ISO weeks that roll into one month as their starts
// do (they share their ISO year: each has its Thursday in the month); 0
// for a month.
func weekKey(p domain.Period) int {
	if !p.IsWeek() {
		return 0
	}
	return p.Year*100 + p.Week
}

// counted returns, appended to buf, the steps of steps (a month's
// metrics.submitted steps in stream order) that period's numbers are made
// of as known at asOf, by period start: the latest submission of each
// period (a correction restates it whole), and for a month, the month's
// own submission alone when it has one; for an ISO week, that week's
// latest submission alone.
func (s *Set) counted(steps []uint32, period domain.Period, asOf time.Time, buf []uint32) []uint32 {
	type sub struct {
		period domain.Period
		order  int // weekKey: the weeks of a month sort by it as by their start
		step   uint32
	}
	var subBuf [8]sub
	latest := subBuf[:0] // one per period; a month holds four or five weeks
	for _, i := range steps {
		st := s.steps.at(i)
		if !known(st, asOf) {
			continue
		}
		if p := periodOf(st.data); !p.IsZero() {
			if k := slices.IndexFunc(latest, func(x sub) bool { return x.period == p }); k >= 0 {
				latest[k].step = i // stream order: the later replaces the earlier
			} else {
				latest = append(latest, sub{period: p, order: weekKey(p), step: i})
			}
		}
	}
	// Only the weeks' order matters: a month's own submission is counted
	// alone, and so is a week asked for.
	slices.SortFunc(latest, func(a, b sub) int { return a.order - b.order })
	if k := slices.IndexFunc(latest, func(x sub) bool { return x.period == period }); k >= 0 {
		latest = latest[k : k+1]
	} else if period.IsWeek() {
		latest = nil
	}
	for _, l := range latest {
		buf = append(buf, l.step)
	}
	return buf
}

// metricRows lists the standard's targets in its order, then the other
// metrics with data by key. The derived win_rate and avg_deal_size are
// computed from the month's sums (values submitted under those keys are
// ignored: a rate cannot be summed) and listed when targeted or computable.
func metricRows(std *ResolvedStandard, actuals map[string]float64) []MetricRow {
	derived := derivedActuals(actuals)
	actual := func(key string) *float64 {
		if isDerived(key) {
			return derived[key]
		}
		if v, ok := actuals[key]; ok {
			return &v
		}
		return nil
	}
	rows := make([]MetricRow, 0, len(actuals)+2)
	var listedBuf [16]string
	listed := listedBuf[:0] // a handful of metrics: a scan beats a map
	if std != nil {
		for _, t := range std.Targets {
			target, kind := t.Target, t.Kind
			row := MetricRow{Metric: t.Metric, Kind: &kind, Unit: t.Unit, Derived: isDerived(t.Metric), Target: &target, Actual: actual(t.Metric)}
			if row.Actual != nil {
				a := clean(*row.Actual / target)
				row.Attainment = &a
			}
			rows = append(rows, row)
			listed = append(listed, t.Metric)
		}
	}
	rest := slices.Sorted(maps.Keys(actuals))
	rest = append(rest, metricWinRate, metricDealSize)
	for _, key := range rest {
		if slices.Contains(listed, key) || (isDerived(key) && derived[key] == nil) {
			continue
		}
		listed = append(listed, key)
		row := MetricRow{Metric: key, Derived: isDerived(key), Actual: actual(key)}
		if k, ok := builtinKind[key]; ok {
			row.Kind = &k
		}
		rows = append(rows, row)
	}
	return rows
}

func isDerived(key string) bool { return key == metricWinRate || key == metricDealSize }

// DerivedFrom names the submitted metrics a derived one is computed from
// (win_rate = deals_won / new_opportunities, avg_deal_size = revenue /
// deals_won), nil for a metric that is submitted itself. A form asking for
// a week's numbers asks for these instead of the derived one.
func DerivedFrom(key string) []string {
	switch key {
	case metricWinRate:
		return []string{metricWon, metricOpportunites}
	case metricDealSize:
		return []string{metricRevenue, metricWon}
	}
	return nil
}

// derivedActuals computes win_rate and avg_deal_size where their
// denominators are not zero.
func derivedActuals(actuals map[string]float64) map[string]*float64 {
	out := map[string]*float64{}
	if opp := actuals[metricOpportunites]; opp > 0 {
		v := clean(actuals[metricWon] / opp)
		out[metricWinRate] = &v
	}
	if won := actuals[metricWon]; won > 0 {
		v := clean(actuals[metricRevenue] / won)
		out[metricDealSize] = &v
	}
	return out
}

// clean rounds a computed number to 12 significant digits: float noise
// goes, every business number stays. A result beyond float64 (only absurd
// inputs near its limits overflow) is clamped to ±MaxFloat64, and NaN
// reads 0, so a response is always valid JSON.
func clean(v float64) float64 {
	switch {
	case math.IsNaN(v):
		return 0
	case math.IsInf(v, 1):
		return math.MaxFloat64
	case math.IsInf(v, -1):
		return -math.MaxFloat64
	case v == math.Trunc(v) && math.Abs(v) < 1e12:
		return v // a whole number of at most 12 digits: already itself
	}
	if r, ok := round12(v); ok {
		return r
	}
	return round12Decimal(v)
}

// round12Decimal is clean by way of the decimal text: v formatted with 12
// significant digits, then parsed. It is the definition round12 keeps to.
func round12Decimal(v float64) float64 {
	var buf [32]byte
	r, err := strconv.ParseFloat(string(strconv.AppendFloat(buf[:0], v, 'g', 12, 64)), 64)
	if err != nil {
		return v
	}
	return r
}

// exact10 are the powers of ten a float64 holds exactly.
var exact10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// round12 is clean in arithmetic, about 10 times faster than the decimal
// text (a board rounds some 400 numbers): v is scaled by an exact power of
// ten to a whole number n of 12 digits, rounded, and scaled back. The scaled
// number m is the exact product (or quotient) rounded once, so where m is
// above n + 1/2 the exact one is too (n + 1/2 is itself a float64 below
// 2^52), and where it is below, so is the exact one; only at m = n + 1/2
// exactly does the rounding error decide, and math.FMA gives that error
// exactly. n is then the 12-digit decimal AppendFloat writes; n and the
// power are exact, so the one rounding of n / 10^k (or n × 10^k) is the
// nearest float64 to that decimal, which is what ParseFloat returns.
// Anything else (an exact tie, a magnitude off the exact powers) answers ok
// false, and the decimal text decides. A ratio of a rounded ratio to a
// target (a win rate against 0.40) lands on n + 1/2 often, which is why the
// tie is decided here rather than by the text.
// TestRound12AsDecimal holds the two to the same bits.
func round12(v float64) (r float64, ok bool) {
	a := math.Abs(v)
	if !(a >= 1e-11 && a < 1e33) {
		return 0, false
	}
	// a × 10^k has 12 digits before the point. a is in [2^(e-1), 2^e), so
	// floor(log10 a) is floor((e-1)·log10 2) or one more: k is tried with
	// the first and, when a × 10^k reaches 12 digits and more, the second.
	_, e := math.Frexp(a)
	k := 11 - int(math.Floor(float64(e-1)*log10of2))
	m, ok := scale10(a, k)
	if ok && m >= 1e12 {
		k--
		m, ok = scale10(a, k)
	}
	if !ok {
		return 0, false
	}
	n := math.Floor(m)
	if n < 1e11 || n >= 1e12 {
		return 0, false
	}
	switch frac := m - n; {
	case frac > 0.5:
		n++
	case frac == 0.5:
		switch above := scaleError(a, k, m); {
		case above > 0:
			n++
		case above == 0:
			return 0, false // v × 10^k is n + 1/2 exactly
		}
	}
	if k >= 0 {
		r = n / exact10[k]
	} else {
		r = n * exact10[-k]
	}
	return math.Copysign(r, v), true
}

// scaleError's sign is that of the exact a × 10^k less m, the float64
// scale10 returned for it: the product's rounding error (exact by FMA), or
// for a quotient the remainder a - m × 10^-k (exact, as a correctly
// rounded quotient's remainder is), which has the same sign.
func scaleError(a float64, k int, m float64) float64 {
	if k >= 0 {
		return math.FMA(a, exact10[k], -m)
	}
	return math.FMA(-m, exact10[-k], a)
}

const log10of2 = 0.30102999566398119521373889472449302676818988146210854131

// scale10 is a × 10^k, for the k whose power of ten is exact.
func scale10(a float64, k int) (float64, bool) {
	switch {
	case k >= 0 && k < len(exact10):
		return a * exact10[k], true
	case k < 0 && -k < len(exact10):
		return a / exact10[-k], true
	}
	return 0, false
}
