package projections

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRound12AsDecimal holds clean's arithmetic path to its definition,
// the 12-digit decimal text, bit for bit: the ratios and sums a scorecard
// computes, numbers of every magnitude, and numbers built to sit on or
// near a rounding boundary of the 12th digit, where the arithmetic must
// step aside.
func TestRound12AsDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	fast, ratios, ratiosFast := 0, 0, 0
	check := func(v float64) bool {
		t.Helper()
		want := round12Decimal(v)
		got, ok := round12(v)
		if !ok {
			return false
		}
		fast++
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("round12(%v) = %v (%#x), the decimal text %v (%#x)", v, got, math.Float64bits(got), want, math.Float64bits(want))
		}
		if c := clean(v); math.Float64bits(c) != math.Float64bits(want) {
			t.Fatalf("clean(%v) = %v, the decimal text %v", v, c, want)
		}
		return true
	}
	ratio := func(v float64) {
		t.Helper()
		ratios++
		if check(v) {
			ratiosFast++
		}
	}
	for range 100_000 {
		// The scorecard's ratios: wins / opportunities, revenue / wins,
		// actual / target, attainment.
		a, b := float64(r.IntN(100_000)), float64(1+r.IntN(100_000))
		ratio(a / b)
		ratio(b / 3)
		ratio(float64(r.IntN(10_000_000)) / 7 / 13)
		ratio(a * 0.1)
		ratio(r.Float64())
		ratio(-r.Float64() * 1000)
		// A rounded ratio against a target: a win rate against 0.40, a
		// deal size against 50,000. Half of these land on a tie at the
		// 13th digit, which only the rounding error decides.
		ratio(clean(a/b) / 0.4)
		ratio(clean(float64(r.IntN(10_000_000))/b) / 50_000)
		ratio(clean(a/b) / clean(float64(1+r.IntN(1000))/float64(1+r.IntN(1000))))
		// Any magnitude, any bits.
		check(math.Float64frombits(r.Uint64()))
		check(r.NormFloat64() * math.Pow(10, float64(r.IntN(70)-35)))
		// On and next to a boundary: n + 1/2 at the 12th digit, then a
		// float step either side.
		n := float64(100_000_000_000 + r.Int64N(900_000_000_000))
		half := (n + 0.5) / math.Pow(10, float64(r.IntN(30)-8))
		check(half)
		check(math.Nextafter(half, math.Inf(1)))
		check(math.Nextafter(half, math.Inf(-1)))
		check(n / math.Pow(10, float64(r.IntN(30)-8)))
	}
	for _, v := range []float64{0.75, 0.3 / 0.4, 0.1 + 0.2, 2.0 / 3, 1e-11, 9.999999999995e-12, 1e33, 0.99999999999951, 0.9999999999995, 123456789012.5, 5e-324, math.MaxFloat64} {
		check(v)
	}
	// At and around every power of ten in reach (log10 of them is where an
	// estimate of the exponent goes wrong).
	for e := -12; e <= 34; e++ {
		p := math.Pow(10, float64(e))
		for _, v := range []float64{p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1)), p * 1.5, p * 1.0000000000005, p * 0.99999999999951, p * 9.9999999999994} {
			check(v)
			check(-v)
		}
	}
	if ratiosFast < ratios*999/1000 {
		t.Fatalf("the arithmetic path answered %d of %d ratios: it should answer nearly all", ratiosFast, ratios)
	}
	t.Logf("the arithmetic path answered %d of %d ratios, %d values in all", ratiosFast, ratios, fast)
}

// BenchmarkClean measures clean on the ratios a board computes.
//
//	go test ./projections -run '^$' -bench Clean -benchmem
func BenchmarkClean(b *testing.B) {
	vs := make([]float64, 1024)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range vs {
		vs[i] = float64(r.IntN(40)) / float64(1+r.IntN(60))
	}
	for _, f := range []struct {
		name string
		fn   func(float64) float64
	}{{"clean", clean}, {"decimal", round12Decimal}} {
		b.Run(f.name, func(b *testing.B) {
			var sink float64
			for i := 0; b.Loop(); i++ {
				sink += f.fn(vs[i%len(vs)])
			}
			_ = sink
		})
	}
}
