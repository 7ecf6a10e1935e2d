package projections

import (
	"math"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
)

// TestScorecardFunnel runs the diagnosis of SPEC §3 over one month of data.
// Ratios are opportunities / win rate / deal size; nil means null.
func TestScorecardFunnel(t *testing.T) {
	worked := workedStandard("reports", "2026-01-01")
	tests := []struct {
		name       string
		standard   *domain.StandardSet
		values     map[string]float64 // nil: no submission
		attainment any
		ratios     [3]any
		shares     [3]any
		gap, focus any
	}{
		{"worked example", worked, map[string]float64{"new_opportunities": 10, "deals_won": 3, "revenue": 150000},
			0.75, [3]any{1.0, 0.75, 1.0}, [3]any{0.0, 1.0, 0.0}, "conversion", "coaching"},
		{"activity", worked, map[string]float64{"new_opportunities": 5, "deals_won": 2, "revenue": 100000},
			0.5, [3]any{0.5, 1.0, 1.0}, [3]any{1.0, 0.0, 0.0}, "activity", "focus"},
		{"deal size", worked, map[string]float64{"new_opportunities": 10, "deals_won": 4, "revenue": 120000},
			0.6, [3]any{1.0, 1.0, 0.6}, [3]any{0.0, 0.0, 1.0}, "deal_size", "targeting"},
		{"no data", worked, nil,
			nil, [3]any{nil, nil, nil}, [3]any{nil, nil, nil}, nil, nil},
		{"zero opportunities", worked, map[string]float64{"activities": 20},
			0.0, [3]any{0.0, nil, nil}, [3]any{1.0, nil, nil}, "activity", "focus"},
		{"opportunities but no wins", worked, map[string]float64{"new_opportunities": 5, "deals_won": 0, "revenue": 0},
			0.0, [3]any{0.5, 0.0, nil}, [3]any{0.0, 1.0, nil}, "conversion", "coaching"},
		{"over goal", worked, map[string]float64{"new_opportunities": 12, "deals_won": 5, "revenue": 260000},
			1.3, [3]any{1.2, 1.0416666666666667, 1.04}, [3]any{0.0, 0.0, 0.0}, nil, nil},
		{"exactly on goal", worked, map[string]float64{"new_opportunities": 10, "deals_won": 4, "revenue": 200000},
			1.0, [3]any{1.0, 1.0, 1.0}, [3]any{0.0, 0.0, 0.0}, nil, nil},
		{"over goal with one short factor", worked, map[string]float64{"new_opportunities": 20, "deals_won": 6, "revenue": 300000},
			1.5, [3]any{2.0, 0.75, 1.0}, [3]any{0.0, 1.0, 0.0}, nil, nil},
		{"two short factors, tie goes to the first", worked, map[string]float64{"new_opportunities": 8, "deals_won": 3, "revenue": 120000},
			0.6, [3]any{0.8, 0.9375, 0.8}, [3]any{0.436829205374, 0.126341589253, 0.436829205374}, "activity", "focus"},
		{"no standard", nil, map[string]float64{"new_opportunities": 10, "deals_won": 3, "revenue": 150000},
			nil, [3]any{nil, nil, nil}, [3]any{nil, nil, nil}, nil, nil},
		{"revenue target only with opportunities (incomplete)",
			standardSet("reports", "2026-01-01", tg("revenue", 200000, "lagging"), tg("new_opportunities", 10, "leading")),
			map[string]float64{"new_opportunities": 10, "deals_won": 3, "revenue": 150000},
			0.75, [3]any{1.0, nil, nil}, [3]any{0.0, nil, nil}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, lead, reps := team(1)
			if tt.standard != nil {
				f.add(lead, member(lead), tt.standard)
			}
			if tt.values != nil {
				f.add(reps[0], member(lead), submitted(t, "2026-10", tt.values))
			}
			card := f.set().Scorecard(reps[0], period_(t, "2026-10"), f.at.Add(24*time.Hour))
			fn := card.Funnel
			if got := fmtp(fn.Attainment); got != tt.attainment {
				t.Errorf("attainment = %v, want %v", got, tt.attainment)
			}
			fs := [3]Factor{fn.Factors.Opportunities, fn.Factors.WinRate, fn.Factors.DealSize}
			for k, x := range fs {
				if got := ratioOf(x); got != tt.ratios[k] && !(got != nil && tt.ratios[k] != nil && math.Abs(got.(float64)-tt.ratios[k].(float64)) < 1e-9) {
					t.Errorf("ratio %d = %v, want %v", k, got, tt.ratios[k])
				}
				if got := fmtp(x.Share); got != tt.shares[k] && !(got != nil && tt.shares[k] != nil && math.Abs(got.(float64)-tt.shares[k].(float64)) < 1e-9) {
					t.Errorf("share %d = %v, want %v", k, got, tt.shares[k])
				}
			}
			if got := fmtp(fn.PrimaryGap); got != tt.gap {
				t.Errorf("primary_gap = %v, want %v", got, tt.gap)
			}
			if got := fmtp(fn.RecommendedFocus); got != tt.focus {
				t.Errorf("recommended_focus = %v, want %v", got, tt.focus)
			}
			if fn.MarketShiftSuspected {
				t.Error("market_shift_suspected on a single scorecard")
			}
			if fn.Attainment != nil && fn.Complete {
				sum := 0.0
				for _, x := range fs {
					if x.Ratio != nil {
						sum += math.Log(*x.Ratio)
					}
				}
				if *fn.Attainment > 0 && math.Abs(sum-math.Log(*fn.Attainment)) > 1e-9 {
					t.Errorf("Σ ln(ratio) = %v, want ln(attainment) = %v", sum, math.Log(*fn.Attainment))
				}
			}
		})
	}
}

// TestScorecardWorkedExampleExact pins the worked example bit for bit.
func TestScorecardWorkedExampleExact(t *testing.T) {
	f, lead, reps := team(1)
	f.add(lead, member(lead), workedStandard("reports", "2026-01-01"))
	f.add(reps[0], member(lead), submitted(t, "2026-10", map[string]float64{"new_opportunities": 10, "deals_won": 3, "revenue": 150000}))
	card := f.set().Scorecard(reps[0], period_(t, "2026-10"), f.at.Add(24*time.Hour))
	fn := card.Funnel
	if *fn.Attainment != 0.75 || *fn.ModelTarget != 200000 || *fn.Factors.Opportunities.Ratio != 1.0 ||
		*fn.Factors.WinRate.Ratio != 0.75 || *fn.Factors.DealSize.Ratio != 1.0 || *fn.Factors.WinRate.Actual != 0.3 ||
		*fn.Factors.DealSize.Actual != 50000 || *fn.PrimaryGap != "conversion" || *fn.RecommendedFocus != "coaching" ||
		*fn.Factors.WinRate.Share != 1 || *fn.Factors.Opportunities.Share != 0 || *fn.RevenueTargetDifference != 0 {
		t.Fatalf("worked example = %s", mustJSON(t, fn))
	}
	if card.Standard == nil || card.Standard.SourcePersonID != lead || card.Standard.EffectiveFrom.String() != "2026-01-01" {
		t.Fatalf("standard = %+v, want the leader's from 2026-01-01", card.Standard)
	}
}

// TestScorecardTargets covers standards that do not state the funnel
// plainly, and custom metrics.
func TestScorecardTargets(t *testing.T) {
	values := map[string]float64{"new_opportunities": 10, "deals_won": 3, "revenue": 150000, "demos": 9, "referrals": 2}
	tests := []struct {
		name                string
		standard            *domain.StandardSet
		model, stdRev, diff any
		targets             [3]any
		from                [3]string
		complete            bool
		attainment, gap     any
	}{
		{"targets that do not multiply out",
			standardSet("reports", "2026-01-01", tg("revenue", 250000, "lagging"), tg("new_opportunities", 10, "leading"), tg("win_rate", 0.4, "lagging"), tg("avg_deal_size", 50000, "lagging")),
			200000.0, 250000.0, 50000.0, [3]any{10.0, 0.4, 50000.0}, [3]string{"standard", "standard", "standard"}, true, 0.75, "conversion"},
		{"deal size implied by the revenue target",
			standardSet("reports", "2026-01-01", tg("revenue", 200000, "lagging"), tg("new_opportunities", 10, "leading"), tg("win_rate", 0.4, "lagging")),
			200000.0, 200000.0, 0.0, [3]any{10.0, 0.4, 50000.0}, [3]string{"standard", "standard", "implied"}, true, 0.75, "conversion"},
		{"win rate and deal size derived from deals_won",
			standardSet("reports", "2026-01-01", tg("revenue", 200000, "lagging"), tg("new_opportunities", 10, "leading"), tg("deals_won", 4, "lagging")),
			200000.0, 200000.0, 0.0, [3]any{10.0, 0.4, 50000.0}, [3]string{"standard", "derived", "derived"}, true, 0.75, "conversion"},
		{"no revenue target",
			standardSet("reports", "2026-01-01", tg("new_opportunities", 10, "leading"), tg("win_rate", 0.4, "lagging"), tg("avg_deal_size", 50000, "lagging")),
			200000.0, nil, nil, [3]any{10.0, 0.4, 50000.0}, [3]string{"standard", "standard", "standard"}, true, 0.75, "conversion"},
		{"two factors missing",
			standardSet("reports", "2026-01-01", tg("revenue", 200000, "lagging"), tg("new_opportunities", 10, "leading")),
			200000.0, nil, nil, [3]any{10.0, nil, nil}, [3]string{"standard", "", ""}, false, 0.75, nil},
		{"no funnel at all",
			standardSet("reports", "2026-01-01", tg("demos", 12, "leading")),
			nil, nil, nil, [3]any{nil, nil, nil}, [3]string{}, false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, lead, reps := team(1)
			f.add(lead, member(lead), tt.standard)
			f.add(reps[0], member(lead), submitted(t, "2026-10", values))
			fn := f.set().Scorecard(reps[0], period_(t, "2026-10"), f.at.Add(24*time.Hour)).Funnel
			if fmtp(fn.ModelTarget) != tt.model || fmtp(fn.StandardRevenueTarget) != tt.stdRev || fmtp(fn.RevenueTargetDifference) != tt.diff {
				t.Errorf("model %v standard %v difference %v, want %v %v %v", fmtp(fn.ModelTarget), fmtp(fn.StandardRevenueTarget), fmtp(fn.RevenueTargetDifference), tt.model, tt.stdRev, tt.diff)
			}
			for k, x := range []Factor{fn.Factors.Opportunities, fn.Factors.WinRate, fn.Factors.DealSize} {
				if fmtp(x.Target) != tt.targets[k] || x.TargetFrom != tt.from[k] {
					t.Errorf("factor %d target %v from %q, want %v from %q", k, fmtp(x.Target), x.TargetFrom, tt.targets[k], tt.from[k])
				}
			}
			if fn.Complete != tt.complete || fmtp(fn.Attainment) != tt.attainment || fmtp(fn.PrimaryGap) != tt.gap {
				t.Errorf("complete %v attainment %v gap %v, want %v %v %v", fn.Complete, fmtp(fn.Attainment), fmtp(fn.PrimaryGap), tt.complete, tt.attainment, tt.gap)
			}
		})
	}
}

func TestScorecardMetricRows(t *testing.T) {
	f, lead, reps := team(1)
	f.add(lead, member(lead), standardSet("reports", "2026-01-01",
		tg("revenue", 200000, "lagging"), tg("demos", 12, "leading"), tg("activities", 100, "leading"), tg("win_rate", 0.4, "lagging")))
	f.add(reps[0], member(lead), submitted(t, "2026-10", map[string]float64{
		"new_opportunities": 10, "deals_won": 3, "revenue": 150000, "demos": 9, "referrals": 2, "win_rate": 0.9}))
	card := f.set().Scorecard(reps[0], period_(t, "2026-10"), f.at.Add(24*time.Hour))
	type row struct {
		metric             string
		kind               any
		target, actual, at any
		derived            bool
	}
	want := []row{
		{"revenue", "lagging", 200000.0, 150000.0, 0.75, false},
		{"demos", "leading", 12.0, 9.0, 0.75, false},      // custom, with a target
		{"activities", "leading", 100.0, nil, nil, false}, // a target without data
		{"win_rate", "lagging", 0.4, 0.3, 0.75, true},     // derived: the submitted 0.9 is ignored
		{"deals_won", "lagging", nil, 3.0, nil, false},
		{"new_opportunities", "leading", nil, 10.0, nil, false},
		{"referrals", nil, nil, 2.0, nil, false}, // custom, without a target
		{"avg_deal_size", "lagging", nil, 50000.0, nil, true},
	}
	if len(card.Metrics) != len(want) {
		t.Fatalf("metrics = %s, want %d rows", mustJSON(t, card.Metrics), len(want))
	}
	for k, w := range want {
		m := card.Metrics[k]
		got := row{m.Metric, fmtp(m.Kind), fmtp(m.Target), fmtp(m.Actual), fmtp(m.Attainment), m.Derived}
		if got != w {
			t.Errorf("row %d = %+v, want %+v", k, got, w)
		}
	}
}

// TestScorecardRollUp checks ISO weeks roll into the month of their
// Thursday, and which submissions replace which.
func TestScorecardRollUp(t *testing.T) {
	f, lead, reps := team(1)
	rep := reps[0]
	weeks := map[string]float64{
		"2026-W01": 1,     // Mon 29 Dec 2025, Thu 1 Jan 2026 → January 2026
		"2026-W44": 10,    // Mon 26 Oct, Thu 29 Oct → October
		"2026-W45": 100,   // Mon 2 Nov → November
		"2026-W49": 1000,  // Mon 30 Nov, Thu 3 Dec → December
		"2026-W53": 10000, // 2026 has 53 ISO weeks: Thu 31 Dec 2026 → December
		"2027-W01": 1e5,   // Mon 4 Jan 2027 → January 2027
	}
	for _, w := range []string{"2026-W01", "2026-W44", "2026-W45", "2026-W49", "2026-W53", "2027-W01"} {
		f.add(rep, member(lead), submitted(t, w, map[string]float64{"activities": weeks[w]}))
	}
	tests := []struct {
		month   string
		want    any
		periods []string
	}{
		{"2025-12", nil, nil},
		{"2026-01", 1.0, []string{"2026-W01"}},
		{"2026-10", 10.0, []string{"2026-W44"}},
		{"2026-11", 100.0, []string{"2026-W45"}},
		{"2026-12", 11000.0, []string{"2026-W49", "2026-W53"}},
		{"2027-01", 1e5, []string{"2027-W01"}},
	}
	check := func(s *Set, month string, want any, periods []string) {
		t.Helper()
		card := s.Scorecard(rep, period_(t, month), f.at.Add(24*time.Hour))
		var got any
		for _, m := range card.Metrics {
			if m.Metric == "activities" {
				got = fmtp(m.Actual)
			}
		}
		var gotPeriods []string
		for _, r := range card.Submissions {
			gotPeriods = append(gotPeriods, r.Period.String())
		}
		if got != want || mustJSON(t, gotPeriods) != mustJSON(t, periods) {
			t.Errorf("%s: activities %v from %v, want %v from %v", month, got, gotPeriods, want, periods)
		}
	}
	s := f.set()
	for _, tt := range tests {
		check(s, tt.month, tt.want, tt.periods)
	}

	// A later submission of a week replaces it whole; a monthly one replaces the weeks.
	f.add(rep, member(lead), submitted(t, "2026-W45", map[string]float64{"activities": 150}))
	f.add(rep, member(lead), submitted(t, "2026-W46", map[string]float64{"activities": 50}))
	check(f.set(), "2026-11", 200.0, []string{"2026-W45", "2026-W46"})
	f.add(rep, member(lead), submitted(t, "2026-11", map[string]float64{"activities": 180, "new_opportunities": 4}))
	check(f.set(), "2026-11", 180.0, []string{"2026-11"})
	f.add(rep, member(lead), submitted(t, "2026-W47", map[string]float64{"activities": 70}))
	check(f.set(), "2026-11", 180.0, []string{"2026-11"}) // a week after the monthly does not add
}

// TestScorecardAsOf: what was known before a correction, and after.
func TestScorecardAsOf(t *testing.T) {
	f, lead, reps := team(1)
	f.add(lead, member(lead), workedStandard("reports", "2026-01-01"))
	first := f.add(reps[0], member(lead), submitted(t, "2026-10", map[string]float64{"new_opportunities": 10, "deals_won": 3, "revenue": 150000}))
	fix := submitted(t, "2026-10", map[string]float64{"new_opportunities": 10, "deals_won": 4, "revenue": 200000})
	fix.CorrectionReason = str("a late deal")
	second := f.add(reps[0], member(lead), fix)
	s := f.set()
	tests := []struct {
		name string
		asOf time.Time
		want any
		seq  uint64
	}{
		{"before any data", first.RecordedAt.Add(-time.Nanosecond), nil, 0},
		{"at the first submission", first.RecordedAt, 0.75, first.Sequence},
		{"before the correction", second.RecordedAt.Add(-time.Nanosecond), 0.75, first.Sequence},
		{"at the correction", second.RecordedAt, 1.0, second.Sequence},
		{"everything", time.Time{}, 1.0, second.Sequence},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			card := s.Scorecard(reps[0], period_(t, "2026-10"), tt.asOf)
			var seq uint64
			if len(card.Submissions) == 1 {
				seq = card.Submissions[0].Sequence
			}
			if got := fmtp(card.Funnel.Attainment); got != tt.want || seq != tt.seq {
				t.Errorf("attainment %v from sequence %d, want %v from %d", got, seq, tt.want, tt.seq)
			}
			if (card.AsOf == nil) != tt.asOf.IsZero() {
				t.Errorf("as_of = %v, want %v", card.AsOf, tt.asOf)
			}
		})
	}
}

// TestScorecardExtremes: numbers near float64's limits still give finite JSON.
func TestScorecardExtremes(t *testing.T) {
	f, lead, reps := team(1)
	f.add(lead, member(lead), standardSet("reports", "2026-01-01",
		tg("new_opportunities", math.SmallestNonzeroFloat64, "leading"), tg("win_rate", math.SmallestNonzeroFloat64, "lagging"),
		tg("avg_deal_size", math.MaxFloat64, "lagging"), tg("revenue", math.MaxFloat64, "lagging")))
	f.add(reps[0], member(lead), submitted(t, "2026-W40", map[string]float64{"new_opportunities": math.MaxFloat64, "deals_won": 1, "revenue": math.MaxFloat64}))
	f.add(reps[0], member(lead), submitted(t, "2026-W41", map[string]float64{"new_opportunities": math.MaxFloat64, "deals_won": 1e-300, "revenue": math.MaxFloat64}))
	s := f.set()
	mustJSON(t, s.Scorecard(reps[0], period_(t, "2026-10"), time.Time{}))
	mustJSON(t, s.Board(lead, period_(t, "2026-10"), time.Time{}))
}
