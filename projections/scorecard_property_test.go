package projections

import (
	"math"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// TestScorecardAsOfEqualsRebuild: for random standards and submissions on a
// fixed tree, the scorecard and board as of t equal those of a rebuild of
// the events recorded up to t, and applying in two halves equals one
// rebuild.
func TestScorecardAsOfEqualsRebuild(t *testing.T) {
	months := []domain.Period{{Year: 2026, Mon: 9}, {Year: 2026, Mon: 10}, {Year: 2026, Mon: 11}, {Year: 2026, Mon: 12}, {Year: 2027, Mon: 1}}
	rapid.Check(t, func(t *rapid.T) {
		f, lead, reps := team(3)
		people := append([]uuid.UUID{lead}, reps...)
		keys := rapid.SampledFrom([]string{"new_opportunities", "deals_won", "revenue", "activities", "demos", "win_rate"})
		n := rapid.IntRange(0, 40).Draw(t, "events")
		for range n {
			p := rapid.SampledFrom(people).Draw(t, "person")
			day := domain.NewDate(2026, 8, 20).AddDays(rapid.IntRange(0, 150).Draw(t, "day"))
			if rapid.IntRange(0, 3).Draw(t, "kind") == 0 {
				var targets []domain.Target
				for _, k := range []string{"revenue", "new_opportunities", "win_rate", "avg_deal_size", "deals_won", "demos"} {
					if rapid.Bool().Draw(t, "has "+k) {
						targets = append(targets, tg(k, float64(rapid.IntRange(1, 50).Draw(t, "target"))*rapid.SampledFrom([]float64{0.01, 1, 1000}).Draw(t, "scale"), "leading"))
					}
				}
				if len(targets) > 0 {
					f.add(p, member(lead), &domain.StandardSet{AppliesTo: rapid.SampledFrom([]string{"self", "reports"}).Draw(t, "applies"), EffectiveFrom: day, Period: "month", Targets: targets})
				}
				continue
			}
			per := domain.WeekPeriod(day)
			if rapid.Bool().Draw(t, "monthly") {
				per = domain.MonthPeriod(day)
			}
			vals := map[string]float64{}
			for range rapid.IntRange(1, 4).Draw(t, "values") {
				vals[keys.Draw(t, "key")] = float64(rapid.IntRange(0, 20).Draw(t, "value")) * rapid.SampledFrom([]float64{0.1, 1, 10000}).Draw(t, "unit")
			}
			f.add(p, member(lead), &domain.MetricsSubmitted{Period: per, Values: vals, Source: "manager"})
		}
		full := f.set()
		cut := rapid.IntRange(len(people), len(f.events)).Draw(t, "cut")
		asOf := f.events[cut-1].RecordedAt
		prefix := NewSet()
		f.applyTo(prefix, 0, cut)
		inc := NewSet()
		f.applyTo(inc, 0, cut)
		f.applyTo(inc, cut, len(f.events))
		for _, m := range months {
			for _, p := range people {
				a, b := full.Scorecard(p, m, asOf), prefix.Scorecard(p, m, time.Time{})
				a.AsOf = nil
				if x, y := mustJSON(t, a), mustJSON(t, b); x != y {
					t.Fatalf("as of %v:\n%s\nrebuild up to it:\n%s", asOf, x, y)
				}
				if x, y := mustJSON(t, full.Scorecard(p, m, time.Time{})), mustJSON(t, inc.Scorecard(p, m, time.Time{})); x != y {
					t.Fatalf("incremental differs from rebuild:\n%s\n%s", x, y)
				}
			}
			a, b := full.Board(lead, m, asOf), prefix.Board(lead, m, time.Time{})
			a.AsOf = nil
			for k := range a.Rows {
				a.Rows[k].Scorecard.AsOf = nil
			}
			if x, y := mustJSON(t, a), mustJSON(t, b); x != y {
				t.Fatalf("board as of %v:\n%s\nrebuild:\n%s", asOf, x, y)
			}
		}
		// The funnels and brief boards read the month sums the fold keeps:
		// they must say what the scorecards and full boards say, whether
		// the events came in one go or two.
		for _, s := range []*Set{full, inc} {
			for _, p := range people {
				atts, _ := s.StampedAttainments(p, months)
				for k, m := range months {
					want := full.Scorecard(p, m, time.Time{}).Funnel.Attainment
					if (atts[k] == nil) != (want == nil) || atts[k] != nil && math.Float64bits(*atts[k]) != math.Float64bits(*want) {
						t.Fatalf("attainment of %s: %s, the scorecard's %s", m, mustJSON(t, atts[k]), mustJSON(t, want))
					}
				}
			}
			briefs, _ := s.StampedBoardBriefs(lead, months)
			for k, m := range months {
				if x, y := mustJSON(t, briefs[k]), mustJSON(t, brief(full.Board(lead, m, time.Time{}))); x != y {
					t.Fatalf("brief board of %s:\n%s\nthe full board's:\n%s", m, x, y)
				}
			}
		}
	})
}

// brief is what a brief board of b holds.
func brief(b Board) BoardBrief {
	out := BoardBrief{Period: b.Period, MarketSignal: b.MarketSignal, Totals: b.Totals, Rows: []BriefRow{}}
	out.Totals.Metrics = nil
	for _, r := range b.Rows {
		f := r.Scorecard.Funnel
		out.Rows = append(out.Rows, BriefRow{PersonID: r.PersonID, Name: r.Name, Attainment: f.Attainment, PrimaryGap: f.PrimaryGap})
	}
	return out
}
