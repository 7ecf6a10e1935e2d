package projections

import (
	"math/rand/v2"
	"testing"
)

// TestBriefNumbersAsWithSums holds the team board's cell numbers to the
// full funnel's: for standards of every combination of targets at every
// scale and sums of every size (none, zero, small, large), briefNumbers
// gives withSums's attainment and primary gap, or neither where it has
// none.
func TestBriefNumbersAsWithSums(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 21))
	metrics := []string{"revenue", "new_opportunities", "win_rate", "avg_deal_size", "deals_won"}
	num := func() float64 {
		return float64(r.IntN(60)) * []float64{0.01, 0.1, 1, 1000, 10000}[r.IntN(5)]
	}
	gaps := map[string]int{}
	for range 200_000 {
		var std *ResolvedStandard
		if r.IntN(8) > 0 {
			std = &ResolvedStandard{}
			for _, m := range metrics {
				if r.IntN(3) > 0 {
					std.Targets = append(std.Targets, tg(m, float64(1+r.IntN(50))*[]float64{0.01, 1, 1000}[r.IntN(3)], "leading"))
				}
			}
		}
		base := funnelBase(std)
		a := funnelSums{opp: num(), won: num(), rev: num(), has: r.IntN(10) > 0}
		want := withSums(base, a)
		att, gap, hasAtt, hasGap := briefNumbers(base, a)
		if hasAtt != (want.Attainment != nil) || hasGap != (want.PrimaryGap != nil) ||
			(hasAtt && att != *want.Attainment) || (hasGap && gap != *want.PrimaryGap) {
			t.Fatalf("standard %+v, sums %+v: brief %v %q (%v, %v), the funnel's attainment %v gap %v", std, a, att, gap, hasAtt, hasGap, want.Attainment, want.PrimaryGap)
		}
		if hasGap {
			gaps[gap]++
		}
	}
	for _, g := range []string{"activity", "conversion", "deal_size"} {
		if gaps[g] < 1000 {
			t.Errorf("only %d cells with the gap %s: the cases do not reach it", gaps[g], g)
		}
	}
}
