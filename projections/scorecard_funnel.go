package projections

import "math"

// Funnel factors revenue attainment: revenue = new_opportunities ×
// win_rate × avg_deal_size, so attainment = actual revenue / model target
// = ratio(opportunities) × ratio(win_rate) × ratio(deal_size), and
// ln(attainment) = Σ ln(ratio).
//
// The model target is the product of the standard's three funnel targets.
// A standard need not state all three: win_rate may come from the
// deals_won and new_opportunities targets, avg_deal_size from the revenue
// and deals_won targets (target_from "derived"), and when exactly one
// factor is still missing but a revenue target is set, that factor is
// implied as revenue / the other two (target_from "implied"), so the model
// target equals the revenue target. When the three multiply out to
// something else than the standard's revenue target, the product stays the
// model target and both numbers are reported (standard_revenue_target and
// revenue_target_difference = standard − model). When two or more factors
// have no target, the funnel is not complete: attainment is against the
// revenue target alone, the factors without a target have null ratios, and
// primary_gap is only given by the zero rules (no opportunities →
// activity; opportunities but no wins → conversion).
//
// In a month with submissions, a funnel metric that none of them reports
// counts as 0. A month without any submission has a null attainment and
// primary_gap. With inconsistent numbers (revenue without a won deal) the
// identity cannot hold; attainment is still actual revenue / model target.
type Funnel struct {
	Attainment              *float64 `json:"attainment"`
	Revenue                 *float64 `json:"revenue"` // actual
	ModelTarget             *float64 `json:"model_target"`
	StandardRevenueTarget   *float64 `json:"standard_revenue_target"`
	RevenueTargetDifference *float64 `json:"revenue_target_difference"`
	Complete                bool     `json:"complete"` // all three factors have a target
	Factors                 Factors  `json:"factors"`
	PrimaryGap              *string  `json:"primary_gap"`       // activity, conversion, deal_size; null at ≥ 100% or without data
	RecommendedFocus        *string  `json:"recommended_focus"` // focus, coaching, targeting
	MarketShiftSuspected    bool     `json:"market_shift_suspected"`
	MarketNote              string   `json:"market_note,omitempty"` // set by the team board with the market signal
}

// Factors are the three ratios of the funnel.
type Factors struct {
	Opportunities Factor `json:"opportunities"`
	WinRate       Factor `json:"win_rate"`
	DealSize      Factor `json:"deal_size"`
}

// Factor is one funnel factor. Share is its part of the total log
// shortfall of the short factors (0 when not short, null without a ratio);
// the shares of the short factors sum to 1.
type Factor struct {
	Actual     *float64 `json:"actual"`
	Target     *float64 `json:"target"`
	TargetFrom string   `json:"target_from,omitempty"` // standard, derived or implied
	Ratio      *float64 `json:"ratio"`
	Share      *float64 `json:"share"`
}

// The gaps, in funnel order, and what each calls for.
var (
	gaps  = [3]string{"activity", "conversion", "deal_size"}
	focus = map[string]string{"activity": "focus", "conversion": "coaching", "deal_size": "targeting", "market": "communication"}
)

// funnelOf is the funnel of a month with sums a against std.
func funnelOf(std *ResolvedStandard, a funnelSums) Funnel {
	return withSums(funnelBase(std), a)
}

// funnelBase is the funnel of std before any numbers: its targets.
func funnelBase(std *ResolvedStandard) Funnel {
	var f Funnel
	targets, from, revTarget := funnelTargets(std)
	f.Complete = targets[0] != nil && targets[1] != nil && targets[2] != nil
	switch {
	case f.Complete:
		m := clean(*targets[0] * *targets[1] * *targets[2])
		f.ModelTarget = &m
		if revTarget != nil {
			d := clean(*revTarget - m)
			f.StandardRevenueTarget, f.RevenueTargetDifference = revTarget, &d
		}
	case revTarget != nil:
		f.ModelTarget = revTarget
	}
	fs := [3]*Factor{&f.Factors.Opportunities, &f.Factors.WinRate, &f.Factors.DealSize}
	for k, x := range fs {
		x.Target, x.TargetFrom = targets[k], from[k]
	}
	return f
}

// funnelNums holds the numbers and words one funnel points to, so that
// they take one allocation, not one each (a board has 48 funnels).
type funnelNums struct {
	rev, opp, win, deal, att float64
	ratio, share             [3]float64
	gap, focus               string
}

// withSums is base (a funnelBase, whose targets it shares: neither is
// written to after) with the month's sums a.
func withSums(f Funnel, a funnelSums) Funnel {
	if !a.has {
		return f
	}
	n := &funnelNums{opp: a.opp, rev: a.rev}
	won := a.won
	f.Revenue = &n.rev
	fs := [3]*Factor{&f.Factors.Opportunities, &f.Factors.WinRate, &f.Factors.DealSize}
	fs[0].Actual = &n.opp
	if n.opp > 0 {
		n.win = clean(won / n.opp)
		fs[1].Actual = &n.win
	}
	if won > 0 {
		n.deal = clean(n.rev / won)
		fs[2].Actual = &n.deal
	}
	var has [3]bool
	for k, x := range fs {
		if x.Actual != nil && x.Target != nil {
			n.ratio[k] = clean(*x.Actual / *x.Target)
			x.Ratio, has[k] = &n.ratio[k], true
		}
	}
	shares(fs, &n.share)
	if f.ModelTarget != nil {
		n.att = clean(n.rev / *f.ModelTarget)
		f.Attainment = &n.att
		if g, ok := primaryGap(n.att, n.opp, won, n.ratio, has, f.Complete); ok {
			n.gap, n.focus = g, focus[g]
			f.PrimaryGap, f.RecommendedFocus = &n.gap, &n.focus
		}
	}
	return f
}

// funnelTargets returns the targets of opportunities, win rate and deal
// size, where each came from, and the standard's revenue target.
func funnelTargets(std *ResolvedStandard) (t [3]*float64, from [3]string, rev *float64) {
	if std == nil {
		return t, from, nil
	}
	get := func(m string) *float64 {
		if x, ok := std.target(m); ok {
			v := x.Target
			return &v
		}
		return nil
	}
	opp, won, rev := get(metricOpportunites), get(metricWon), get(metricRevenue)
	t = [3]*float64{opp, get(metricWinRate), get(metricDealSize)}
	if t[1] == nil && won != nil && opp != nil {
		v := clean(*won / *opp)
		t[1], from[1] = &v, "derived"
	}
	if t[2] == nil && rev != nil && won != nil {
		v := clean(*rev / *won)
		t[2], from[2] = &v, "derived"
	}
	missing, product := -1, 1.0
	for k, x := range t {
		switch {
		case x != nil:
			product *= *x
		case missing == -1:
			missing = k
		default:
			missing = 3 // two or more: nothing to imply
		}
	}
	if missing >= 0 && missing < 3 && rev != nil {
		v := clean(*rev / product)
		t[missing], from[missing] = &v, "implied"
	}
	for k := range t {
		if t[k] != nil && from[k] == "" {
			from[k] = "standard"
		}
	}
	return t, from, rev
}

// shares sets each factor's part of the log shortfall. A zero ratio is an
// infinite shortfall: the zero factors share it all.
func shares(fs [3]*Factor, slots *[3]float64) {
	var total float64
	zeros := 0
	for _, x := range fs {
		if x.Ratio == nil {
			continue
		}
		switch r := *x.Ratio; {
		case r == 0:
			zeros++
		case r < 1:
			total += math.Log(r)
		}
	}
	for k, x := range fs {
		if x.Ratio == nil {
			continue
		}
		var sh float64
		switch r := *x.Ratio; {
		case zeros > 0 && r == 0:
			sh = 1 / float64(zeros)
		case zeros == 0 && r < 1:
			sh = clean(math.Log(r) / total)
		}
		slots[k] = sh
		x.Share = &slots[k]
	}
}

// primaryGap names the factor with the most negative log ratio (the first
// in funnel order on a tie) of those that have one (has); ok is false at
// ≥ 100% or without one.
func primaryGap(attainment, opp, won float64, ratio [3]float64, has [3]bool, complete bool) (g string, ok bool) {
	switch {
	case attainment >= 1:
		return "", false
	case opp == 0:
		return gaps[0], true
	case won == 0:
		return gaps[1], true
	case !complete:
		return "", false
	}
	best := math.Inf(1)
	for k, r := range ratio {
		if has[k] && math.Log(r) < best {
			best, g = math.Log(r), gaps[k]
		}
	}
	return g, g != ""
}

// briefNumbers are the attainment and primary gap withSums gives base with
// the sums a, without the rest of the funnel (the team board's cells):
// the same numbers, rounded the same way, nothing allocated. hasAtt and
// hasGap say whether the funnel has them.
func briefNumbers(base Funnel, a funnelSums) (att float64, gap string, hasAtt, hasGap bool) {
	if !a.has || base.ModelTarget == nil {
		return 0, "", false, false
	}
	targets := [3]*float64{base.Factors.Opportunities.Target, base.Factors.WinRate.Target, base.Factors.DealSize.Target}
	actual, known := [3]float64{a.opp}, [3]bool{true, a.opp > 0, a.won > 0}
	if a.opp > 0 {
		actual[1] = clean(a.won / a.opp)
	}
	if a.won > 0 {
		actual[2] = clean(a.rev / a.won)
	}
	var ratio [3]float64
	var has [3]bool
	for k, t := range targets {
		if known[k] && t != nil {
			ratio[k], has[k] = clean(actual[k] / *t), true
		}
	}
	att = clean(a.rev / *base.ModelTarget)
	gap, hasGap = primaryGap(att, a.opp, a.won, ratio, has, base.Complete)
	return att, gap, true, hasGap
}
