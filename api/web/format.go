package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
)

// day is a date in words, "6 Dec 2026" (UTC).
func day(t time.Time) string { return t.UTC().Format("2 Jan 2006") }

// date is a calendar date in words, "6 Dec 2026".
func date(d domain.Date) string { return d.Time().Format("2 Jan 2006") }

// stamp is a moment in words, "6 Dec 2026 14:05 UTC".
func stamp(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

// short is the first 12 characters of a hash or an id, for a narrow column.
func short(s string) string { return s[:min(len(s), 12)] }

// pipState says where a PIP stands: active, closed with its outcome, or
// ended by the erasure of the person's data.
func pipState(x projections.PIP) string {
	switch {
	case x.Outcome == nil:
		return x.State
	case *x.Outcome == projections.OutcomeErased:
		return "closed by the erasure of the person's data"
	}
	return x.State + ": " + statusWord(*x.Outcome)
}

// pct formats a ratio as a whole percentage; "—" without one.
func pct(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v*100, 'f', 0, 64) + "%" // as fmt's %.0f rounds
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

// money formats an amount in US dollars, whole: $150,000; "—" without one.
func money(v *float64) string {
	if v == nil {
		return "—"
	}
	s := group(fmt.Sprintf("%.0f", math.Abs(*v)))
	if *v <= -0.5 {
		return "-$" + s
	}
	return "$" + s
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
	return statusWord(*g) // activity, conversion, deal size, market
}

// gapIcon is a symbol that goes with the gap's word (never alone).
func gapIcon(g *string) string {
	if g == nil {
		return ""
	}
	switch *g {
	case "activity":
		return "◔"
	case "conversion":
		return "⇄"
	case "deal_size":
		return "▫"
	case "market":
		return "⚑"
	}
	return ""
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

// pageWords write the dates and periods of a journal step's summary as the
// pages do; the API's summaries keep them as ISO text.
var pageWords = projections.Words{Date: date, Period: periodName}

// periodName says a period for people: Nov 2026, week 47 of 2026.
func periodName(p domain.Period) string {
	if p.IsWeek() {
		return "week " + strconv.Itoa(p.Week) + " of " + strconv.Itoa(p.Year)
	}
	return monthName(p)
}

func monthName(p domain.Period) string {
	return p.Start().Time().Format("Jan 2006")
}

// monthLabel is monthName of a period's text (2026-11 → Nov 2026); text
// that is not a month is returned as it is.
func monthLabel(s string) string {
	p, err := domain.ParsePeriod(s)
	if err != nil || p.IsWeek() {
		return s
	}
	return monthName(p)
}

// statusWord spells a status for people: on_track → on track.
func statusWord(s string) string { return strings.ReplaceAll(s, "_", " ") }

func ptrf(v float64) *float64 { return &v }

// metricLabels are the built-in metrics as the standard names them.
var metricLabels = map[string]string{
	"activities": "Activities", "new_opportunities": "New opportunities", "deals_won": "Deals won",
	"deals_lost": "Deals lost", "revenue": "Revenue", "win_rate": "Win rate", "avg_deal_size": "Average deal size",
}

// metricLabel names a metric for people: a built-in one as the standard
// labels it, a custom key humanized (calls_booked → Calls booked).
func metricLabel(key string) string {
	if l, ok := metricLabels[key]; ok {
		return l
	}
	words := strings.FieldsFunc(key, func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	if len(words) == 0 {
		return key
	}
	s := strings.Join(words, " ")
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// currencySigns are the currency units written as a sign before the amount.
var currencySigns = map[string]string{"USD": "$", "$": "$", "EUR": "€", "GBP": "£"}

// metricValue formats one of m's numbers by what the metric measures: an
// amount of money as currency (a currency unit, or revenue and average deal
// size without a unit), the win rate or a "%" unit as a percentage, any
// other unit after the number, a count otherwise.
func metricValue(m projections.MetricRow, v *float64) string {
	if v == nil {
		return "—"
	}
	unit := ""
	if m.Unit != nil {
		unit = strings.TrimSpace(*m.Unit)
	}
	switch {
	case unit == "" && (m.Metric == "revenue" || m.Metric == "avg_deal_size"):
		return money(v)
	case unit == "" && m.Metric == "win_rate", unit == "%", strings.EqualFold(unit, "ratio"):
		return pct(v)
	case currencySigns[strings.ToUpper(unit)] == "$":
		return money(v)
	case currencySigns[strings.ToUpper(unit)] != "":
		return strings.Replace(money(v), "$", currencySigns[strings.ToUpper(unit)], 1)
	case unit != "":
		return num(v) + " " + unit
	}
	return num(v)
}

// focusWord says what a recommended focus calls for, in the leader's words.
func focusWord(f *string) string {
	if f == nil {
		return "—"
	}
	switch *f {
	case "focus":
		return "Focus: structure the day, check in daily"
	case "coaching":
		return "Coaching: listen to calls, role-play the stuck stage"
	case "targeting":
		return "Targeting: go after bigger deals"
	case "communication":
		return "Communication: a 90-day plan agreed with leadership, told to the team"
	}
	return statusWord(*f)
}

// times counts occurrences in words: not yet, once, twice, 3 times.
func times(n int) string {
	switch n {
	case 0:
		return "not yet"
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

// eventKinds name the journal's event types for people; the raw type
// (metrics.submitted) is the API's word, never the page's.
var eventKinds = map[string]string{
	"person.registered": "Joined", "person.updated": "Profile", "person.manager_changed": "Manager",
	"person.departed": "Departed", "person.erased": "Erased", "standard.set": "Standard", "cadence.set": "Cadence",
	"metrics.submitted": "Numbers", "meeting.held": "1-on-1", "meeting.skipped": "Skipped 1-on-1",
	"commitment.made": "Commitment", "commitment.followed_up": "Follow-up", "commitment.renegotiated": "New due date",
	"commitment.kept": "Kept", "commitment.missed": "Missed", "commitment.withdrawn": "Withdrawn",
	"pip.opened": "PIP opened", "pip.acknowledged": "PIP acknowledged", "pip.checked_in": "PIP check-in",
	"pip.revised": "PIP revised", "pip.extended": "PIP extended", "pip.closed": "PIP closed",
}

// eventKind names an event type for people; an unknown type reads "Event".
func eventKind(eventType string) string {
	if k, ok := eventKinds[eventType]; ok {
		return k
	}
	return "Event"
}

// roleWord spells a role for people: hr → HR.
func roleWord(role string) string {
	if role == string(domain.RoleHR) {
		return "HR"
	}
	return role
}
