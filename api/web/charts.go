package web

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"
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

// funnelBars draws the three funnel factors as horizontal bars against a
// 100% line (the standard), scaled to 150%; every bar is labelled with its
// percentage ("no data" without one), so colour and length are never the
// only signal.
func funnelBars(bars []bar, weakest int) template.HTML {
	var b strings.Builder
	for _, cw := range chartWidths {
		funnelSVG(&b, cw.class, cw.w, bars, weakest)
	}
	return template.HTML(b.String())
}

// funnelSVG draws the funnel w units wide: labels left of the bars when
// wide, above them when narrow; the value right-aligned at the edge.
func funnelSVG(b *strings.Builder, class string, w float64, bars []bar, weakest int) {
	const scale, valueW = 1.5, 62.0
	narrow := class == "narrow"
	rowH, left, barY := 46.0, 150.0, 6.0
	if narrow {
		rowH, left, barY = 50.0, 0.0, 22.0
	}
	plot := w - left - valueW
	h := rowH*float64(len(bars)) + 28
	id := "funnel-title-" + class
	fmt.Fprintf(b, `<svg class="chart funnel %s" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s">`, class, w, h, id)
	fmt.Fprintf(b, `<title id="%s">Funnel factors against the standard (100%%)</title>`, id)
	for i, f := range bars {
		y := 8 + rowH*float64(i)
		cls := "bar"
		if i == weakest {
			cls += " weakest"
		}
		if narrow {
			fmt.Fprintf(b, `<text class="label" x="0" y="%.0f">%s <tspan class="detail">%s</tspan></text>`, y+14, esc(f.Label), esc(f.Detail))
		} else {
			fmt.Fprintf(b, `<text class="label" x="0" y="%.0f">%s</text>`, y+16, esc(f.Label))
			fmt.Fprintf(b, `<text class="detail" x="0" y="%.0f">%s</text>`, y+33, esc(f.Detail))
		}
		fmt.Fprintf(b, `<rect class="track" x="%.0f" y="%.0f" width="%.0f" height="22" rx="3"/>`, left, y+barY, plot)
		val := "no data"
		if f.Ratio != nil {
			r := min(max(*f.Ratio, 0), scale)
			fmt.Fprintf(b, `<rect class="%s" x="%.0f" y="%.0f" width="%.1f" height="22" rx="3"/>`, cls, left, y+barY, plot*r/scale)
			val = pct(f.Ratio)
		}
		fmt.Fprintf(b, `<text class="value" x="%.0f" y="%.0f" text-anchor="end">%s</text>`, w-2, y+barY+16, val)
	}
	x := left + plot/scale
	if narrow { // across the bars only, not the labels above them
		for i := range bars {
			y := 8 + rowH*float64(i) + barY
			fmt.Fprintf(b, `<line class="goal" x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f"/>`, x, y-3, x, y+25)
		}
	} else {
		fmt.Fprintf(b, `<line class="goal" x1="%.1f" y1="4" x2="%.1f" y2="%.0f"/>`, x, x, h-18)
	}
	fmt.Fprintf(b, `<text class="goal-label" x="%.1f" y="%.0f" text-anchor="middle">standard 100%%</text>`, x, h-6)
	b.WriteString(`</svg>`)
}

// point is one month of the trend line.
type point struct {
	Label string
	Value *float64
}

// trendLine draws revenue attainment by month with a 100% reference line;
// each point carries its value as text.
func trendLine(points []point) template.HTML {
	return lineChart("Revenue attainment by month", points)
}

// lineChart draws ratios by month against a 100% reference line, titled.
func lineChart(title string, points []point) template.HTML {
	var b strings.Builder
	for _, cw := range chartWidths {
		trendSVG(&b, cw.class, cw.w, title, points)
	}
	return template.HTML(b.String())
}

func trendSVG(b *strings.Builder, class string, w float64, title string, points []point) {
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
	fmt.Fprintf(b, `<svg class="chart trend %s" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s">`, class, w, h, id)
	fmt.Fprintf(b, `<title id="%s">%s</title>`, id, esc(title))
	for _, g := range []float64{0, 0.5, 1} {
		cls := "grid"
		if g == 1 {
			cls = "goal"
		}
		fmt.Fprintf(b, `<line class="%s" x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f"/>`, cls, padL, yOf(g), w-padR, yOf(g))
		fmt.Fprintf(b, `<text class="axis" x="%.0f" y="%.1f" text-anchor="end">%.0f%%</text>`, padL-6, yOf(g)+4, g*100)
	}
	var path []string
	for i, p := range points {
		fmt.Fprintf(b, `<text class="axis" x="%.1f" y="%.0f" text-anchor="%s">%s</text>`, xOf(i), h-12, anchor(i, len(points)), esc(p.Label))
		if p.Value == nil {
			continue
		}
		path = append(path, fmt.Sprintf("%.1f,%.1f", xOf(i), yOf(*p.Value)))
	}
	if len(path) > 1 {
		fmt.Fprintf(b, `<polyline class="line" points="%s"/>`, strings.Join(path, " "))
	}
	for i, p := range points {
		if p.Value == nil {
			continue
		}
		x, y := xOf(i), yOf(*p.Value)
		fmt.Fprintf(b, `<circle class="dot %s" cx="%.1f" cy="%.1f" r="4"/>`, band(p.Value), x, y)
		fmt.Fprintf(b, `<text class="point" x="%.1f" y="%.1f" text-anchor="%s">%s</text>`, x, y-9, anchor(i, len(points)), pct(p.Value))
	}
	b.WriteString(`</svg>`)
}

// barChart draws amounts by month as columns from zero, each labelled
// with its value (format) above it, "no data" where there is none.
func barChart(title string, points []point, format func(*float64) string) template.HTML {
	var b strings.Builder
	for _, cw := range chartWidths {
		barSVG(&b, cw.class, cw.w, title, points, format)
	}
	return template.HTML(b.String())
}

func barSVG(b *strings.Builder, class string, w float64, title string, points []point, format func(*float64) string) {
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
	fmt.Fprintf(b, `<svg class="chart bars %s" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s">`, class, w, h, id)
	fmt.Fprintf(b, `<title id="%s">%s</title>`, id, esc(title))
	fmt.Fprintf(b, `<line class="grid" x1="0" y1="%.0f" x2="%.0f" y2="%.0f"/>`, h-bottom, w, h-bottom)
	for i, p := range points {
		x := pad + slot*float64(i) + slot/2
		fmt.Fprintf(b, `<text class="axis" x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, x, h-10, esc(p.Label))
		if p.Value == nil {
			fmt.Fprintf(b, `<text class="detail" x="%.1f" y="%.0f" text-anchor="middle">no data</text>`, x, h-bottom-6)
			continue
		}
		bh := plotH * max(*p.Value, 0) / maxV
		fmt.Fprintf(b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="2"/>`, x-barW/2, h-bottom-bh, barW, bh)
		fmt.Fprintf(b, `<text class="point" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, h-bottom-bh-6, esc(format(p.Value)))
	}
	b.WriteString(`</svg>`)
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
