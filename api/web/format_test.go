package web

import (
	"regexp"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
)

func TestMoney(t *testing.T) {
	for _, tc := range []struct {
		in   *float64
		want string
	}{
		{nil, "—"}, {ptrf(0), "$0"}, {ptrf(150000), "$150,000"}, {ptrf(1234567.4), "$1,234,567"},
		{ptrf(999.5), "$1,000"}, {ptrf(-2500), "-$2,500"}, {ptrf(-0.2), "$0"},
	} {
		if got := money(tc.in); got != tc.want {
			t.Errorf("money(%v) = %q, want %q", deref(tc.in), got, tc.want)
		}
	}
}

func TestMetricLabel(t *testing.T) {
	for key, want := range map[string]string{
		"activities": "Activities", "new_opportunities": "New opportunities", "deals_won": "Deals won",
		"deals_lost": "Deals lost", "revenue": "Revenue", "win_rate": "Win rate", "avg_deal_size": "Average deal size",
		"calls_booked": "Calls booked", "demo-meetings": "Demo meetings", "nps": "Nps", "éclairs_sold": "Éclairs sold",
	} {
		if got := metricLabel(key); got != want {
			t.Errorf("metricLabel(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestMetricValue: money as currency, rates as percentages, counts plain,
// by the metric's unit and, without one, by what the built-in measures.
func TestMetricValue(t *testing.T) {
	usd, eur, pctU, hours := "USD", "EUR", "%", "hours"
	for _, tc := range []struct {
		metric string
		unit   *string
		v      float64
		want   string
	}{
		{"revenue", &usd, 150000, "$150,000"},
		{"revenue", nil, 150000, "$150,000"},
		{"avg_deal_size", nil, 48250, "$48,250"},
		{"pipeline_value", &eur, 12000, "€12,000"},
		{"win_rate", nil, 0.4, "40%"},
		{"reply_rate", &pctU, 0.126, "13%"},
		{"new_opportunities", nil, 12, "12"},
		{"activities", nil, 1234, "1,234"},
		{"training", &hours, 2.5, "2.50 hours"},
	} {
		m := projections.MetricRow{Metric: tc.metric, Unit: tc.unit}
		if got := metricValue(m, &tc.v); got != tc.want {
			t.Errorf("metricValue(%s, %v) = %q, want %q", tc.metric, tc.v, got, tc.want)
		}
	}
	if got := metricValue(projections.MetricRow{Metric: "revenue"}, nil); got != "—" {
		t.Errorf("no value = %q", got)
	}
}

// TestWordsNotInternals: every event type has a word for people, no word
// is itself an event type, and focus and counts read as words.
func TestWordsNotInternals(t *testing.T) {
	raw := regexp.MustCompile(`\b[a-z]+\.[a-z_]+\b`)
	for _, typ := range domain.EventTypes() {
		k := eventKind(typ)
		if _, ok := eventKinds[typ]; !ok || raw.MatchString(k) {
			t.Errorf("event type %s reads %q", typ, k)
		}
	}
	for _, f := range []string{"focus", "coaching", "targeting", "communication"} {
		got := focusWord(&f)
		if strings.EqualFold(got, f) || strings.EqualFold(got, "focus: "+f) || !strings.HasPrefix(strings.ToLower(got), f+":") {
			t.Errorf("focusWord(%s) = %q, want the word and what it calls for", f, got)
		}
	}
	for n, want := range map[int]string{0: "not yet", 1: "once", 2: "twice", 5: "5 times"} {
		if got := times(n); got != want {
			t.Errorf("times(%d) = %q, want %q", n, got, want)
		}
	}
	if got := roleWord("hr"); got != "HR" {
		t.Errorf("roleWord(hr) = %q", got)
	}
	other := "other"
	if got := gapWord(&other); got != "other" {
		t.Errorf("gapWord(other) = %q", got)
	}
	if got := monthLabel("2026-11"); got != "Nov 2026" {
		t.Errorf("monthLabel = %q", got)
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}
