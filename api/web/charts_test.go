package web

import (
	"context"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

var updateCharts = flag.Bool("update-charts", false, "write testdata/charts.golden from the current drawing code")

// TestChartsGolden: the charts draw exactly the SVG recorded in
// testdata/charts.golden for bars, trends and columns with missing,
// negative, zero, small, large and over-scale values, so a change to how
// they are written (not what they show) cannot change a byte. Run with
// -update-charts after an intended change, and look at the pages.
func TestChartsGolden(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	var b strings.Builder
	for _, bars := range [][]bar{
		{{"Opportunities", "6 of 10", f(0.6)}, {"Win rate", "40% of 40%", f(1)}, {"Deal size", "$52,000 of $50,000", f(1.04)}},
		{{"Opportunities", "— of 10", nil}, {"Win rate", "0% of 40%", f(0)}, {"Deal size", "<b>&</b>", f(2.75)}},
		{{"Opportunities", "3.5 of 7", f(0.5)}, {"Win rate", "x", f(-0.2)}, {"Deal size", "y", f(1.4999)}},
	} {
		for weakest := -1; weakest < 3; weakest++ {
			draw(&b, funnelBars(bars, weakest))
			b.WriteString("\n")
		}
	}
	for _, pts := range [][]point{
		{},
		{{"Jan", f(0.8)}},
		{{"Jan", f(0.62)}, {"Feb", nil}, {"Mar", f(1.37)}, {"Apr", f(0)}, {"May", f(-0.1)}, {"Jun", f(0.999)}},
		{{"Jul", nil}, {"Aug", nil}},
		{{"Sep", f(3.25)}, {"Oct", f(0.0004)}, {"Nov", f(1)}},
	} {
		draw(&b, trendLine(pts))
		b.WriteString("\n")
		draw(&b, barChart("Revenue <by> month", pts, pct))
		b.WriteString("\n")
	}
	draw(&b, barChart("nothing", []point{{"Jan", f(0)}, {"Feb", f(-3)}}, num))
	got := b.String()
	const path = "testdata/charts.golden"
	if *updateCharts {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d differs:\n got %.400s\nwant %.400s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%d lines, want %d", len(gl), len(wl))
	}
}

// draw renders d onto b, as a page does.
func draw(b *strings.Builder, d drawing) {
	if err := d.Render(context.Background(), b); err != nil {
		panic(err)
	}
}

// TestSVGNumbersAsStrconv: svg.f writes what strconv's 'f' format writes,
// for coordinates and what lies next to them: ties at the rounded digit
// (exact in binary and not), their neighbours, whole numbers, random
// values of every size, negatives and values beyond the fast path.
func TestSVGNumbersAsStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	var w svg
	check := func(v float64) {
		t.Helper()
		for prec := range 3 {
			w.b = w.b[:0]
			got := string(w.f(v, prec).b)
			if want := strconv.FormatFloat(v, 'f', prec, 64); got != want {
				t.Fatalf("f(%v, %d) = %s, strconv %s", v, prec, got, want)
			}
		}
	}
	for k := range 100_000 {
		half := float64(k) / 20 // x.x5 and x.5: ties at one decimal and at none
		check(half)
		check(math.Nextafter(half, 0))
		check(math.Nextafter(half, math.Inf(1)))
		check(float64(k) / 8) // ties exact in binary
		check(r.Float64() * 560)
		check(r.Float64() * math.Pow(10, float64(r.IntN(16))))
		check(-r.Float64() * 100)
	}
	for _, v := range []float64{0, math.Copysign(0, -1), 0.05, 0.15, 0.25, 0.35, 0.45, 2.5, 3.5, 1e12, 1e12 - 0.05, 999999999999.95, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		check(v)
	}
}
