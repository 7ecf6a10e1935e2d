package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// bar is one funnel factor for the bar chart.
type bar struct {
	Label  string   // "Opportunities"
	Detail string   // "6 of 10"
	Ratio  *float64 // actual / target
}

// funnelBars draws the three funnel factors as horizontal bars against a
// 100% line (the standard), scaled to 150%; every bar is labelled with its
// percentage, so colour and length are never the only signal.
func funnelBars(bars []bar, weakest int) template.HTML {
	const w, rowH, left, scale = 560.0, 46.0, 150.0, 1.5
	plot := w - left - 60
	h := rowH*float64(len(bars)) + 24
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart funnel" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="funnel-title">`, w, h)
	b.WriteString(`<title id="funnel-title">Funnel factors against the standard (100%)</title>`)
	for i, f := range bars {
		y := 8 + rowH*float64(i)
		cls := "bar"
		if i == weakest {
			cls += " weakest"
		}
		fmt.Fprintf(&b, `<text class="label" x="0" y="%.0f">%s</text>`, y+16, esc(f.Label))
		fmt.Fprintf(&b, `<text class="detail" x="0" y="%.0f">%s</text>`, y+33, esc(f.Detail))
		fmt.Fprintf(&b, `<rect class="track" x="%.0f" y="%.0f" width="%.0f" height="22" rx="3"/>`, left, y+6, plot)
		val := "no data"
		if f.Ratio != nil {
			r := min(*f.Ratio, scale)
			fmt.Fprintf(&b, `<rect class="%s" x="%.0f" y="%.0f" width="%.1f" height="22" rx="3"/>`, cls, left, y+6, plot*r/scale)
			val = pct(f.Ratio)
		}
		fmt.Fprintf(&b, `<text class="value" x="%.0f" y="%.0f">%s</text>`, left+plot+8, y+22, val)
	}
	x := left + plot/scale
	fmt.Fprintf(&b, `<line class="goal" x1="%.1f" y1="4" x2="%.1f" y2="%.0f"/>`, x, x, h-14)
	fmt.Fprintf(&b, `<text class="goal-label" x="%.1f" y="%.0f" text-anchor="middle">standard 100%%</text>`, x, h-2)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// point is one month of the trend line.
type point struct {
	Label string
	Value *float64
}

// trendLine draws revenue attainment by month with a 100% reference line;
// each point carries its value as text.
func trendLine(points []point) template.HTML {
	const w, h, padL, padR, top, bottom = 560.0, 220.0, 44.0, 16.0, 18.0, 36.0
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
	yOf := func(v float64) float64 { return top + plotH*(1-v/maxV) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart trend" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="trend-title">`, w, h)
	b.WriteString(`<title id="trend-title">Revenue attainment by month</title>`)
	for _, g := range []float64{0, 0.5, 1} {
		cls := "grid"
		if g == 1 {
			cls = "goal"
		}
		fmt.Fprintf(&b, `<line class="%s" x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f"/>`, cls, padL, yOf(g), w-padR, yOf(g))
		fmt.Fprintf(&b, `<text class="axis" x="%.0f" y="%.1f" text-anchor="end">%.0f%%</text>`, padL-6, yOf(g)+4, g*100)
	}
	var path []string
	for i, p := range points {
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, xOf(i), h-12, esc(p.Label))
		if p.Value == nil {
			continue
		}
		path = append(path, fmt.Sprintf("%.1f,%.1f", xOf(i), yOf(*p.Value)))
	}
	if len(path) > 1 {
		fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.Join(path, " "))
	}
	for i, p := range points {
		if p.Value == nil {
			continue
		}
		x, y := xOf(i), yOf(*p.Value)
		fmt.Fprintf(&b, `<circle class="dot %s" cx="%.1f" cy="%.1f" r="4"/>`, band(p.Value), x, y)
		fmt.Fprintf(&b, `<text class="point" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, y-9, pct(p.Value))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func esc(s string) string { return html.EscapeString(s) }
