package web

import (
	"context"
	"html"
	"io"
	"math"
	"strconv"
	"sync"
)

// Every chart is drawn twice, for a wide and a narrow column, and the
// stylesheet shows one: an SVG scales its text with its width, so a single
// drawing read 13 px on a desktop would read 7 px on a 390 px phone. Both
// keep their text inside the drawing (nothing clipped at the edges).

// chartWidths are the two drawings' widths in SVG units: each is about the
// width it is shown at, so its text stays near its nominal size.
var chartWidths = []struct {
	class string
	w     float64
}{{"wide", 560}, {"narrow", 330}}

// bar is one funnel factor for the bar chart.
type bar struct {
	Label  string   // "Opportunities"
	Detail string   // "6 of 10"
	Ratio  *float64 // actual / target
}

// svg writes a drawing: text, and numbers as fmt's %.0f and %.1f write
// them, without fmt's reflection (a chart is written on every page view).
type svg struct{ b []byte }

func (w *svg) s(parts ...string) *svg {
	for _, p := range parts {
		w.b = append(w.b, p...)
	}
	return w
}

// f writes v with prec decimals, as fmt's %.<prec>f. A coordinate (0 or
// 1 decimal, not negative, under 10^12) is written as a whole number of
// tenths, rounded as strconv rounds (the exact value, half to even): v ×
// 10^prec is rounded once, so only when it lands on n + 1/2 exactly does
// its rounding error (math.FMA, exact) say which way the exact value lies.
// strconv's general path was half of a rep page's charts.
// TestSVGNumbersAsStrconv holds the two to the same text.
func (w *svg) f(v float64, prec int) *svg {
	if (prec == 0 || prec == 1) && !math.Signbit(v) && v < 1e12 {
		p := float64(1 + 9*prec) // 10^prec
		m := v * p
		n := math.Floor(m)
		switch frac := m - n; {
		case frac > 0.5:
			n++
		case frac == 0.5:
			if e := math.FMA(v, p, -m); e > 0 || e == 0 && math.Mod(n, 2) == 1 {
				n++
			}
		}
		i := int64(n)
		if prec == 0 {
			w.b = strconv.AppendInt(w.b, i, 10)
			return w
		}
		w.b = append(strconv.AppendInt(w.b, i/10, 10), '.', byte('0'+i%10))
		return w
	}
	w.b = strconv.AppendFloat(w.b, v, 'f', prec, 64)
	return w
}

// drawing is a chart as a templ component: drawn into a kept buffer and
// written to the page, so a page view allocates nothing for its charts.
type drawing func(*svg)

func (d drawing) Render(_ context.Context, w io.Writer) error {
	if d == nil { // no chart
		return nil
	}
	b := drawings.Get().(*svg)
	b.b = b.b[:0]
	d(b)
	_, err := w.Write(b.b)
	drawings.Put(b)
	return err
}

var drawings = sync.Pool{New: func() any { return &svg{b: make([]byte, 0, 8<<10)} }}

// funnelBars draws the three funnel factors as horizontal bars against a
// 100% line (the standard), scaled to 150%; every bar is labelled with its
// percentage ("no data" without one), so colour and length are never the
// only signal.
func funnelBars(bars []bar, weakest int) drawing {
	return func(w *svg) {
		for _, cw := range chartWidths {
			funnelSVG(w, cw.class, cw.w, bars, weakest)
		}
	}
}

// funnelSVG draws the funnel w units wide: labels left of the bars when
// wide, above them when narrow; the value right-aligned at the edge.
func funnelSVG(b *svg, class string, w float64, bars []bar, weakest int) {
	const scale, valueW = 1.5, 62.0
	narrow := class == "narrow"
	rowH, left, barY := 46.0, 150.0, 6.0
	if narrow {
		rowH, left, barY = 50.0, 0.0, 22.0
	}
	plot := w - left - valueW
	h := rowH*float64(len(bars)) + 28
	id := "funnel-title-" + class
	b.s(`<svg class="chart funnel `, class, `" viewBox="0 0 `).f(w, 0).s(" ").f(h, 0).s(`" role="img" aria-labelledby="`, id, `">`)
	b.s(`<title id="`, id, `">Funnel factors against the standard (100%)</title>`)
	for i, f := range bars {
		y := 8 + rowH*float64(i)
		cls := "bar"
		if i == weakest {
			cls += " weakest"
		}
		if narrow {
			b.s(`<text class="label" x="0" y="`).f(y+14, 0).s(`">`, esc(f.Label), ` <tspan class="detail">`, esc(f.Detail), `</tspan></text>`)
		} else {
			b.s(`<text class="label" x="0" y="`).f(y+16, 0).s(`">`, esc(f.Label), `</text>`)
			b.s(`<text class="detail" x="0" y="`).f(y+33, 0).s(`">`, esc(f.Detail), `</text>`)
		}
		b.s(`<rect class="track" x="`).f(left, 0).s(`" y="`).f(y+barY, 0).s(`" width="`).f(plot, 0).s(`" height="22" rx="3"/>`)
		val := "no data"
		if f.Ratio != nil {
			r := min(max(*f.Ratio, 0), scale)
			b.s(`<rect class="`, cls, `" x="`).f(left, 0).s(`" y="`).f(y+barY, 0).s(`" width="`).f(plot*r/scale, 1).s(`" height="22" rx="3"/>`)
			val = pct(f.Ratio)
		}
		b.s(`<text class="value" x="`).f(w-2, 0).s(`" y="`).f(y+barY+16, 0).s(`" text-anchor="end">`, val, `</text>`)
	}
	x := left + plot/scale
	if narrow { // across the bars only, not the labels above them
		for i := range bars {
			y := 8 + rowH*float64(i) + barY
			b.s(`<line class="goal" x1="`).f(x, 1).s(`" y1="`).f(y-3, 0).s(`" x2="`).f(x, 1).s(`" y2="`).f(y+25, 0).s(`"/>`)
		}
	} else {
		b.s(`<line class="goal" x1="`).f(x, 1).s(`" y1="4" x2="`).f(x, 1).s(`" y2="`).f(h-18, 0).s(`"/>`)
	}
	b.s(`<text class="goal-label" x="`).f(x, 1).s(`" y="`).f(h-6, 0).s(`" text-anchor="middle">standard 100%</text>`)
	b.s(`</svg>`)
}

// point is one month of the trend line.
type point struct {
	Label string
	Value *float64
}

// trendLine draws revenue attainment by month with a 100% reference line;
// each point carries its value as text.
func trendLine(points []point) drawing {
	return lineChart("Revenue attainment by month", points)
}

// lineChart draws ratios by month against a 100% reference line, titled.
func lineChart(title string, points []point) drawing {
	return func(w *svg) {
		for _, cw := range chartWidths {
			trendSVG(w, cw.class, cw.w, title, points)
		}
	}
}

func trendSVG(b *svg, class string, w float64, title string, points []point) {
	const h, padL, padR, top, bottom = 220.0, 44.0, 20.0, 22.0, 36.0
	maxV := 1.2
	for _, p := range points {
		if p.Value != nil && *p.Value > maxV {
			maxV = *p.Value
		}
	}
	plotW, plotH := w-padL-padR, h-top-bottom
	xOf := func(i int) float64 {
		if len(points) < 2 {
			return padL + plotW/2
		}
		return padL + plotW*float64(i)/float64(len(points)-1)
	}
	yOf := func(v float64) float64 { return top + plotH*(1-max(v, 0)/maxV) }
	id := "trend-title-" + class + "-" + strconv.Itoa(chartID(title))
	b.s(`<svg class="chart trend `, class, `" viewBox="0 0 `).f(w, 0).s(" ").f(h, 0).s(`" role="img" aria-labelledby="`, id, `">`)
	b.s(`<title id="`, id, `">`, esc(title), `</title>`)
	for _, g := range []float64{0, 0.5, 1} {
		cls := "grid"
		if g == 1 {
			cls = "goal"
		}
		b.s(`<line class="`, cls, `" x1="`).f(padL, 0).s(`" y1="`).f(yOf(g), 1).s(`" x2="`).f(w-padR, 0).s(`" y2="`).f(yOf(g), 1).s(`"/>`)
		b.s(`<text class="axis" x="`).f(padL-6, 0).s(`" y="`).f(yOf(g)+4, 1).s(`" text-anchor="end">`).f(g*100, 0).s(`%</text>`)
	}
	var line svg // the polyline's points, "x,y x,y"
	n := 0
	for i, p := range points {
		b.s(`<text class="axis" x="`).f(xOf(i), 1).s(`" y="`).f(h-12, 0).s(`" text-anchor="`, anchor(i, len(points)), `">`, esc(p.Label), `</text>`)
		if p.Value == nil {
			continue
		}
		if n > 0 {
			line.s(" ")
		}
		line.f(xOf(i), 1).s(",").f(yOf(*p.Value), 1)
		n++
	}
	if n > 1 {
		b.s(`<polyline class="line" points="`, string(line.b), `"/>`)
	}
	for i, p := range points {
		if p.Value == nil {
			continue
		}
		x, y := xOf(i), yOf(*p.Value)
		b.s(`<circle class="dot `, band(p.Value), `" cx="`).f(x, 1).s(`" cy="`).f(y, 1).s(`" r="4"/>`)
		b.s(`<text class="point" x="`).f(x, 1).s(`" y="`).f(y-9, 1).s(`" text-anchor="`, anchor(i, len(points)), `">`, pct(p.Value), `</text>`)
	}
	b.s(`</svg>`)
}

// barChart draws amounts by month as columns from zero, each labelled
// with its value (format) above it, "no data" where there is none.
func barChart(title string, points []point, format func(*float64) string) drawing {
	return func(w *svg) {
		for _, cw := range chartWidths {
			barSVG(w, cw.class, cw.w, title, points, format)
		}
	}
}

func barSVG(b *svg, class string, w float64, title string, points []point, format func(*float64) string) {
	const h, pad, top, bottom = 200.0, 4.0, 24.0, 30.0
	maxV := 0.0
	for _, p := range points {
		if p.Value != nil && *p.Value > maxV {
			maxV = *p.Value
		}
	}
	if maxV <= 0 {
		maxV = 1
	}
	slot := (w - 2*pad) / float64(max(len(points), 1))
	barW := slot * 0.6
	plotH := h - top - bottom
	id := "bars-title-" + class + "-" + strconv.Itoa(chartID(title))
	b.s(`<svg class="chart bars `, class, `" viewBox="0 0 `).f(w, 0).s(" ").f(h, 0).s(`" role="img" aria-labelledby="`, id, `">`)
	b.s(`<title id="`, id, `">`, esc(title), `</title>`)
	b.s(`<line class="grid" x1="0" y1="`).f(h-bottom, 0).s(`" x2="`).f(w, 0).s(`" y2="`).f(h-bottom, 0).s(`"/>`)
	for i, p := range points {
		x := pad + slot*float64(i) + slot/2
		b.s(`<text class="axis" x="`).f(x, 1).s(`" y="`).f(h-10, 0).s(`" text-anchor="middle">`, esc(p.Label), `</text>`)
		if p.Value == nil {
			b.s(`<text class="detail" x="`).f(x, 1).s(`" y="`).f(h-bottom-6, 0).s(`" text-anchor="middle">no data</text>`)
			continue
		}
		bh := plotH * max(*p.Value, 0) / maxV
		b.s(`<rect class="bar" x="`).f(x-barW/2, 1).s(`" y="`).f(h-bottom-bh, 1).s(`" width="`).f(barW, 1).s(`" height="`).f(bh, 1).s(`" rx="2"/>`)
		b.s(`<text class="point" x="`).f(x, 1).s(`" y="`).f(h-bottom-bh-6, 1).s(`" text-anchor="middle">`, esc(format(p.Value)), `</text>`)
	}
	b.s(`</svg>`)
}

// chartID tells apart the titles of several charts on one page.
func chartID(title string) int {
	n := 0
	for _, r := range title {
		n = (n*31 + int(r)) % 100000
	}
	return n
}

// anchor keeps the last point's text inside the drawing: it ends at its
// point instead of centring on it.
func anchor(i, n int) string {
	if n > 1 && i == n-1 {
		return "end"
	}
	return "middle"
}

func esc(s string) string { return html.EscapeString(s) }
