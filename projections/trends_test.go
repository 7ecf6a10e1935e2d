package projections

import (
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// trendOrg: owner → lead → a, b, c, d; owner → other → e. The lead's team
// standard is the worked one; e has a self standard of 100,000 revenue.
// October 2026 (W40–W44 roll into it): a 150,000 (0.75), b in weeks
// 100,000 (0.5, W41 corrected), c 240,000 (1.2), d nothing, e 90,000
// (0.9). corrected is the time b's W41 correction was recorded.
type trendOrg struct {
	set                               *Set
	owner, lead, other, a, b, c, d, e uuid.UUID
	corrected                         time.Time
	moveC                             func() *Set // the set after c moved to other
	feed                              *feed
}

func newTrendOrg(t *testing.T) *trendOrg {
	o := &trendOrg{}
	id := ids(8)
	o.owner, o.lead, o.other, o.a, o.b, o.c, o.d, o.e = id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7]
	f := newFeed()
	register(f, o.owner, "Olga", nil)
	register(f, o.lead, "Leo", &o.owner)
	for _, r := range []uuid.UUID{o.a, o.b, o.c, o.d} {
		register(f, r, "Rep", &o.lead)
	}
	register(f, o.other, "Otto", &o.owner)
	register(f, o.e, "Eve", &o.other)
	f.add(o.lead, member(o.lead), workedStandard("reports", "2026-01-01"))
	f.add(o.e, member(o.other), standardSet("self", "2026-01-01", tg("revenue", 100000, "lagging")))
	f.add(o.a, member(o.a), submitted(t, "2026-10", map[string]float64{"new_opportunities": 10, "deals_won": 3, "revenue": 150000}))
	f.add(o.b, member(o.b), submitted(t, "2026-W40", map[string]float64{"new_opportunities": 2, "deals_won": 1, "revenue": 50000}))
	f.add(o.b, member(o.b), submitted(t, "2026-W41", map[string]float64{"new_opportunities": 1, "deals_won": 1, "revenue": 50000}))
	fix := submitted(t, "2026-W41", map[string]float64{"new_opportunities": 3, "deals_won": 1, "revenue": 50000})
	fix.CorrectionReason = str("one opportunity was missed")
	o.corrected = f.add(o.b, member(o.lead), fix).RecordedAt
	f.add(o.c, member(o.c), submitted(t, "2026-10", map[string]float64{"new_opportunities": 10, "deals_won": 4, "revenue": 240000}))
	f.add(o.e, member(o.e), submitted(t, "2026-10", map[string]float64{"new_opportunities": 5, "deals_won": 2, "revenue": 90000}))
	o.set, o.feed = f.set(), f
	o.moveC = func() *Set {
		f.add(o.c, member(o.owner), &domain.ManagerChanged{ManagerID: &o.other})
		return f.set()
	}
	return o
}

func TestTrendRange(t *testing.T) {
	for _, tc := range []struct {
		g, from, to, first, last string
		n                        int
	}{
		{"week", "2026-10", "2026-10", "2026-W40", "2026-W44", 5},  // Oct 1 and 29 are Thursdays
		{"week", "2026-11", "2026-11", "2026-W45", "2026-W48", 4},  // Nov 2026 has four Thursdays
		{"week", "2026-W50", "2027-01", "2026-W50", "2027-W04", 8}, // 2026 has 53 weeks
		{"week", "2026-W44", "2026-W40", "2026-W44", "2026-W40", 0},
		{"month", "2025-11", "2026-10", "2025-11", "2026-10", 12},
		{"month", "2026-W53", "2026-W53", "2026-12", "2026-12", 1},
		{"month", "2026-W44", "2026-11", "2026-10", "2026-11", 2},
		{"month", "2026-11", "2026-10", "2026-11", "2026-10", 0},
	} {
		first, last, n := TrendRange(tc.g, period_(t, tc.from), period_(t, tc.to))
		if first.String() != tc.first || last.String() != tc.last || n != tc.n {
			t.Errorf("TrendRange(%s, %s, %s) = %s, %s, %d; want %s, %s, %d", tc.g, tc.from, tc.to, first, last, n, tc.first, tc.last, tc.n)
		}
	}
}

func TestTrends(t *testing.T) {
	o := newTrendOrg(t)
	moved := o.moveC()
	// Hand-computed; w is 200,000 × 7 / 31, the lead's revenue target scaled to a week of October.
	w := 200000 * 7 / 31.0
	type want struct {
		period      string
		reps        int
		total       any // nil or float64
		withTarget  int
		median      any
		below       int
		shareBelow  any
		approximate bool // median compared within 1e-9
	}
	for _, tc := range []struct {
		name  string
		set   *Set
		q     TrendQuery
		asOf  bool // q.AsOf just before b's correction
		want  []want
		scope string
		ppl   int
	}{
		{name: "org revenue by month", set: o.set, q: TrendQuery{Metric: "revenue", Granularity: "month"}, scope: "org", ppl: 8,
			want: []want{
				{period: "2026-09"},
				// [0.5 0.75 0.9 1.2]: median (0.75+0.9)/2; 0.5 and 0.75 below 90%.
				{period: "2026-10", reps: 4, total: 580000.0, withTarget: 4, median: 0.825, below: 2, shareBelow: 0.5},
			}},
		{name: "team revenue by month", set: o.set, q: TrendQuery{Metric: "revenue", ManagerID: &o.lead, Granularity: "month"}, scope: "team", ppl: 4,
			want: []want{
				{period: "2026-09"},
				{period: "2026-10", reps: 3, total: 490000.0, withTarget: 3, median: 0.75, below: 2, shareBelow: 0.666666666667},
			}},
		{name: "owner's subtree is the org less the owner", set: o.set, q: TrendQuery{Metric: "revenue", ManagerID: &o.owner, Granularity: "month"}, scope: "team", ppl: 7,
			want: []want{
				{period: "2026-09"},
				{period: "2026-10", reps: 4, total: 580000.0, withTarget: 4, median: 0.825, below: 2, shareBelow: 0.5},
			}},
		{name: "derived win rate from the sums", set: o.set, q: TrendQuery{Metric: "win_rate", Granularity: "month"}, scope: "org", ppl: 8,
			want: []want{
				{period: "2026-09"},
				// 11 won of 30; e's standard has no win_rate target: a 0.75, b 1, c 1.
				{period: "2026-10", reps: 4, total: 0.366666666667, withTarget: 3, median: 1.0, below: 1, shareBelow: 0.333333333333},
			}},
		{name: "a metric nobody reports", set: o.set, q: TrendQuery{Metric: "demos", Granularity: "month"}, scope: "org", ppl: 8,
			want: []want{{period: "2026-09"}, {period: "2026-10", reps: 4}}},
		{name: "weeks: only weekly submissions, scaled targets", set: o.set, q: TrendQuery{Metric: "revenue", ManagerID: &o.lead, Granularity: "week"}, scope: "team", ppl: 4,
			want: []want{
				{period: "2026-W40", reps: 1, total: 50000.0, withTarget: 1, median: 50000 / w, shareBelow: 0.0, approximate: true},
				{period: "2026-W41", reps: 1, total: 50000.0, withTarget: 1, median: 50000 / w, shareBelow: 0.0, approximate: true},
				{period: "2026-W42"}, {period: "2026-W43"}, {period: "2026-W44"},
			}},
		{name: "weekly rates are not scaled", set: o.set, q: TrendQuery{Metric: "win_rate", ManagerID: &o.lead, Granularity: "week"}, scope: "team", ppl: 4,
			want: []want{
				{period: "2026-W40", reps: 1, total: 0.5, withTarget: 1, median: 1.25, shareBelow: 0.0},
				{period: "2026-W41", reps: 1, total: 0.333333333333, withTarget: 1, median: 0.833333333333, below: 1, shareBelow: 1.0},
				{period: "2026-W42"}, {period: "2026-W43"}, {period: "2026-W44"},
			}},
		{name: "as_of before the correction", set: o.set, asOf: true, q: TrendQuery{Metric: "new_opportunities", ManagerID: &o.lead, Granularity: "week"}, scope: "team", ppl: 4,
			want: []want{
				// 10 × 7 / 31 a week: 2 → 0.62, 1 → 0.31.
				{period: "2026-W40", reps: 1, total: 2.0, withTarget: 1, median: 2 / (10 * 7 / 31.0), below: 1, shareBelow: 1.0, approximate: true},
				{period: "2026-W41", reps: 1, total: 1.0, withTarget: 1, median: 1 / (10 * 7 / 31.0), below: 1, shareBelow: 1.0, approximate: true},
				{period: "2026-W42"}, {period: "2026-W43"}, {period: "2026-W44"},
			}},
		{name: "a moved rep takes their history along (old team)", set: moved, q: TrendQuery{Metric: "revenue", ManagerID: &o.lead, Granularity: "month"}, scope: "team", ppl: 3,
			want: []want{{period: "2026-09"}, {period: "2026-10", reps: 2, total: 250000.0, withTarget: 2, median: 0.625, below: 2, shareBelow: 1.0}}},
		{name: "a moved rep takes their history along (new team)", set: moved, q: TrendQuery{Metric: "revenue", ManagerID: &o.other, Granularity: "month"}, scope: "team", ppl: 2,
			// c now reads other's standard: none (e's is self only), so c has no target.
			want: []want{{period: "2026-09"}, {period: "2026-10", reps: 2, total: 330000.0, withTarget: 1, median: 0.9, shareBelow: 0.0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			if len(tc.want) > 0 && tc.want[0].period[5] == 'W' {
				q.From, q.To = period_(t, tc.want[0].period), period_(t, tc.want[len(tc.want)-1].period)
			} else {
				q.From, q.To = period_(t, "2026-09"), period_(t, "2026-10")
			}
			if tc.asOf {
				q.AsOf = o.corrected.Add(-time.Nanosecond)
			}
			got := tc.set.Trends(q)
			if got.Scope != tc.scope || got.People != tc.ppl || got.Metric != q.Metric || len(got.Buckets) != len(tc.want) {
				t.Fatalf("trends = %s", mustJSON(t, got))
			}
			for k, w := range tc.want {
				b := got.Buckets[k]
				median := fmtp(b.MedianAttainment)
				if w.approximate && w.median != nil && approx(b.MedianAttainment, w.median.(float64)) {
					median = w.median
				}
				if b.Period.String() != w.period || b.Reps != w.reps || fmtp(b.Total) != w.total || b.RepsWithTarget != w.withTarget ||
					median != w.median || b.RepsBelow90 != w.below || fmtp(b.ShareBelow90) != w.shareBelow {
					t.Errorf("bucket %d = %s, want %+v", k, mustJSON(t, b), w)
				}
			}
		})
	}
}

// A monthly submission replaces the weeks in the month bucket (as on the
// scorecard) but does not appear in the week buckets.
func TestTrendsMonthlyReplacesWeeksOnlyByMonth(t *testing.T) {
	f, lead, reps := team(1)
	f.add(lead, member(lead), workedStandard("reports", "2026-01-01"))
	f.add(reps[0], member(lead), submitted(t, "2026-W40", map[string]float64{"revenue": 70000}))
	f.add(reps[0], member(lead), submitted(t, "2026-10", map[string]float64{"revenue": 180000}))
	s := f.set()
	byMonth := s.Trends(TrendQuery{Metric: "revenue", ManagerID: &lead, Granularity: "month", From: period_(t, "2026-10"), To: period_(t, "2026-10")})
	byWeek := s.Trends(TrendQuery{Metric: "revenue", ManagerID: &lead, Granularity: "week", From: period_(t, "2026-10"), To: period_(t, "2026-10")})
	if b := byMonth.Buckets[0]; !approx(b.Total, 180000) || !approx(b.MedianAttainment, 0.9) || b.RepsBelow90 != 0 {
		t.Errorf("month = %s", mustJSON(t, b))
	}
	if b := byWeek.Buckets[0]; b.Period.String() != "2026-W40" || !approx(b.Total, 70000) || byWeek.Buckets[1].Reps != 0 {
		t.Errorf("weeks = %s", mustJSON(t, byWeek))
	}
	if card := s.Scorecard(reps[0], period_(t, "2026-10"), time.Time{}); !approx(card.Funnel.Revenue, 180000) {
		t.Errorf("scorecard revenue = %v", fmtp(card.Funnel.Revenue))
	}
}

func TestTrendsGolden(t *testing.T) {
	s, lead, _, asOf := goldenTeam(t)
	matchGolden(t, "trends.json", map[string]Trends{
		"monthly_revenue": s.Trends(TrendQuery{Metric: "revenue", ManagerID: &lead, Granularity: TrendMonth,
			From: period_(t, "2026-09"), To: period_(t, "2026-10"), AsOf: asOf}),
		"weekly_new_opportunities": s.Trends(TrendQuery{Metric: "new_opportunities", Granularity: TrendWeek,
			From: period_(t, "2026-10"), To: period_(t, "2026-10"), AsOf: asOf}),
	})
}
