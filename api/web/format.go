package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/domain"
)

var funcs = template.FuncMap{
	"pct":      pct,
	"num":      num,
	"money":    money,
	"gapWord":  gapWord,
	"gapIcon":  gapIcon,
	"band":     band,
	"day":      func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"stamp":    func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
	"monthOf":  monthName,
	"short":    func(s string) string { return s[:min(len(s), 12)] },
	"statusOf": statusWord,
}

// pct formats a ratio as a whole percentage; "—" without one.
func pct(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", *v*100)
}

// num formats a number without trailing zeros, with thousands separators.
func num(v *float64) string {
	if v == nil {
		return "—"
	}
	if math.Abs(*v-math.Round(*v)) < 1e-9 {
		return group(fmt.Sprintf("%.0f", *v))
	}
	return fmt.Sprintf("%.2f", *v)
}

func money(v *float64) string {
	if v == nil {
		return "—"
	}
	return "$" + group(fmt.Sprintf("%.0f", *v))
}

func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// gapWord names a gap in the leader's words.
func gapWord(g *string) string {
	if g == nil {
		return ""
	}
	return map[string]string{"activity": "activity", "conversion": "conversion", "deal_size": "deal size", "market": "market"}[*g]
}

// gapIcon is a symbol that goes with the gap's word (never alone).
func gapIcon(g *string) string {
	if g == nil {
		return ""
	}
	return map[string]string{"activity": "◔", "conversion": "⇄", "deal_size": "▫", "market": "⚑"}[*g]
}

// band is the CSS class of an attainment; the text always says the number.
func band(v *float64) string {
	switch {
	case v == nil:
		return "none"
	case *v >= 1:
		return "good"
	case *v >= 0.9:
		return "near"
	case *v >= 0.75:
		return "short"
	}
	return "low"
}

func monthName(p domain.Period) string {
	return p.Start().Time().Format("Jan 2006")
}

// statusWord spells a status for people: on_track → on track.
func statusWord(s string) string { return strings.ReplaceAll(s, "_", " ") }

func ptrf(v float64) *float64 { return &v }
