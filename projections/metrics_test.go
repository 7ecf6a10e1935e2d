package projections

import (
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
)

func TestPackPeriod(t *testing.T) {
	for _, tc := range []struct {
		p  domain.Period
		ok bool
	}{
		{domain.Period{Year: 2026, Mon: time.November}, true},
		{domain.Period{Year: 2026, Week: 53}, true},
		{domain.Period{Year: 0, Mon: time.January}, true},
		{domain.Period{Year: 9999, Week: 1}, true},
		{domain.Period{}, true},
		{domain.Period{Year: 10000, Mon: time.January}, false},
		{domain.Period{Year: -1, Mon: time.January}, false},
		{domain.Period{Year: 2026, Week: 54}, false},
		{domain.Period{Year: 2026, Mon: 13}, false},
	} {
		got, ok := packPeriod(tc.p)
		if ok != tc.ok || ok && got.unpack() != tc.p {
			t.Errorf("packPeriod(%+v) = %+v, %v; want the same period back: %v", tc.p, got.unpack(), ok, tc.ok)
		}
	}
}

// TestFloatSlab: values taken from one slab never overlap, and appending
// to one copies instead of overwriting the next.
func TestFloatSlab(t *testing.T) {
	var f floatSlab
	var all [][]float64
	for n := range 3000 {
		v := f.take(n % 7)
		for k := range v {
			v[k] = float64(n)
		}
		all = append(all, v)
	}
	_ = append(all[10], -1)
	for n, v := range all {
		if len(v) != n%7 || cap(v) != len(v) {
			t.Fatalf("take(%d): len %d cap %d", n%7, len(v), cap(v))
		}
		for _, x := range v {
			if x != float64(n) {
				t.Fatalf("slice %d holds %v: overwritten", n, v)
			}
		}
	}
	if big := f.take(slabSize + 1); len(big) != slabSize+1 {
		t.Errorf("take beyond a slab: len %d", len(big))
	}
}

// TestMetricsOutOfRangePeriod: a submission whose period does not pack is
// kept as the domain's form and still reads back.
func TestMetricsOutOfRangePeriod(t *testing.T) {
	s := NewSet()
	f := newFeed()
	p := ids(1)[0]
	register(f, p, "Ana", nil)
	f.add(p, member(p), &domain.MetricsSubmitted{Period: domain.Period{Year: 12026, Mon: 1}, Values: map[string]float64{"revenue": 5}, Source: "self"})
	f.add(p, member(p), &domain.MetricsSubmitted{Period: domain.Period{Year: 2026, Mon: 1}, Values: map[string]float64{"revenue": 7}, Source: "self"})
	f.applyTo(s, 0, len(f.events))
	steps, _ := s.Timeline(p, TimelineQuery{Limit: 10})
	if len(steps) != 3 {
		t.Fatalf("timeline has %d steps, want 3", len(steps))
	}
	for k, want := range []float64{5, 7} {
		d, ok := steps[k+1].Data.(*domain.MetricsSubmitted)
		if !ok || d.Values["revenue"] != want || d.Period != f.events[k+1].Data.(*domain.MetricsSubmitted).Period {
			t.Errorf("step %d reads %+v", k+1, steps[k+1].Data)
		}
	}
	if _, ok := s.steps.at(1).data.(*domain.MetricsSubmitted); !ok {
		t.Errorf("the unpackable period is stored as %T", s.steps.at(1).data)
	}
	if _, ok := s.steps.at(2).data.(*metricsData); !ok {
		t.Errorf("a usual period is stored as %T", s.steps.at(2).data)
	}
}
