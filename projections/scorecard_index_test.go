package projections

import (
	"slices"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
)

// Submissions arrive mostly month after month, but late and corrected
// ones land in earlier months: every step is found under its month, in
// stream order, and the months stay sorted.
func TestAddMetricsMonths(t *testing.T) {
	p := &person{}
	periods := []string{"2026-03", "2026-W14", "2026-04", "2025-12", "2026-W10", "2026-04", "2024-W01", "2026-05"}
	want := map[string][]uint32{}
	for i, ps := range periods {
		period, err := domain.ParsePeriod(ps)
		if err != nil {
			t.Fatal(err)
		}
		p.score.addMetrics(uint32(i), period)
		m := period.Month().String()
		want[m] = append(want[m], uint32(i))
	}
	p.score.addMetrics(99, domain.Period{}) // no period: not indexed
	if !slices.IsSortedFunc(p.score.months, func(a, b monthSteps) int { return cmpMonth(a, b.month) }) {
		t.Errorf("months not sorted: %v", p.score.months)
	}
	if len(p.score.months) != len(want) {
		t.Errorf("%d months indexed, want %d", len(p.score.months), len(want))
	}
	for m, steps := range want {
		month, _ := domain.ParsePeriod(m)
		if got := p.score.month(month); !slices.Equal(got, steps) {
			t.Errorf("month %s: steps %v, want %v", m, got, steps)
		}
	}
	if got := p.score.month(domain.MonthPeriod(domain.NewDate(2026, 1, 15))); got != nil {
		t.Errorf("a month with no submission has steps %v", got)
	}
}
