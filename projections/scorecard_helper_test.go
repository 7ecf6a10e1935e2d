package projections

import (
	"math"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

func tg(metric string, target float64, kind string) domain.Target {
	return domain.Target{Metric: metric, Target: target, Kind: kind}
}

func standardSet(appliesTo, from string, targets ...domain.Target) *domain.StandardSet {
	d, err := domain.ParseDate(from)
	if err != nil {
		panic(err)
	}
	return &domain.StandardSet{AppliesTo: appliesTo, EffectiveFrom: d, Period: "month", Targets: targets}
}

// workedStandard is the standard of SPEC §3's worked example.
func workedStandard(appliesTo, from string) *domain.StandardSet {
	return standardSet(appliesTo, from,
		tg("revenue", 200000, "lagging"), tg("new_opportunities", 10, "leading"),
		tg("win_rate", 0.4, "lagging"), tg("avg_deal_size", 50000, "lagging"))
}

func submitted(tb testing.TB, period string, values map[string]float64) *domain.MetricsSubmitted {
	tb.Helper()
	return &domain.MetricsSubmitted{Period: period_(tb, period), Values: values, Source: "manager"}
}

func period_(tb testing.TB, s string) domain.Period {
	tb.Helper()
	p, err := domain.ParsePeriod(s)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// team is a feed with a leader and n reps under them.
func team(n int) (f *feed, lead uuid.UUID, reps []uuid.UUID) {
	f = newFeed()
	lead = uuid.New()
	register(f, lead, "Leo", nil)
	reps = ids(n)
	for k, r := range reps {
		register(f, r, string(rune('A'+k))+"na", &lead)
	}
	return f, lead, reps
}

func approx(got *float64, want float64) bool {
	return got != nil && math.Abs(*got-want) < 1e-9
}

func fmtp[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func ratioOf(f Factor) any { return fmtp(f.Ratio) }
