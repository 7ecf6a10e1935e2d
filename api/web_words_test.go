package api_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
)

// isoDate is a date or a period as the API writes it: 2026-11-27,
// 2026-11, 2026-W47.
var isoDate = regexp.MustCompile(`\b\d{4}-(?:\d\d-\d\d|\d\d|W\d\d)\b`)

var (
	hiddenParts = regexp.MustCompile(`(?is)<(script|style|head)\b.*?</(script|style|head)>`)
	anyTag      = regexp.MustCompile(`(?s)<[^>]*>`)
)

// visible is the text of an HTML page as a person reads it: no tags,
// attributes (hrefs, input values, datetime), scripts or styles.
func visible(body string) string {
	return html.UnescapeString(anyTag.ReplaceAllString(hiddenParts.ReplaceAllString(body, " "), " "))
}

// noISODates fails when text shows an ISO date, and says where.
func noISODates(t *testing.T, where, text string) {
	t.Helper()
	for _, i := range isoDate.FindAllStringIndex(text, 5) {
		t.Errorf("%s shows the ISO date %q: …%s…", where, text[i[0]:i[1]], text[max(0, i[0]-60):min(len(text), i[1]+20)])
	}
}

// words is a date of the API (2026-11-27) as the pages write it.
func words(t *testing.T, iso string) string {
	t.Helper()
	d, err := domain.ParseDate(iso)
	if err != nil {
		t.Fatal(err)
	}
	return d.Time().Format("2 Jan 2006")
}

// TestWebSummariesSayDatesInWords: the timeline's one-line summaries of
// the steps that carry a date or a period (a commitment made and
// renegotiated, a skipped meeting, numbers, a standard, a PIP's check-in
// and extension, a departure) say it in words on the rep page, the PIP
// page and a form shown again with what was recorded meanwhile; the API's
// JSON timeline keeps the ISO dates for integrations.
func TestWebSummariesSayDatesInWords(t *testing.T) {
	o := newOrg(t)
	p := "/v1/people/"
	o.Must(http.StatusCreated, http.MethodPost, p+o.ana+"/standards", o.leaderT, map[string]any{
		"applies_to": "self", "effective_from": day(-40), "targets": []map[string]any{{"metric": "revenue", "target": 1000, "kind": "lagging"}}})
	o.Created(http.MethodPost, p+o.ana+"/metrics", o.anaT, map[string]any{"period": lastWeek(), "source": "self", "values": map[string]any{"activities": 40}})
	o.Created(http.MethodPost, p+o.ana+"/metrics", o.leaderT, map[string]any{"period": lastMonth(), "source": "manager", "values": map[string]any{"revenue": 900}})
	o.Created(http.MethodPost, p+o.ana+"/meetings/skipped", o.leaderT, map[string]any{"scheduled_for": day(-3), "reason": "travel"})
	c := o.Created(http.MethodPost, p+o.ana+"/commitments", o.leaderT, map[string]any{"text": "book 15 first meetings", "due_on": day(4)})
	o.Created(http.MethodPost, p+o.ana+"/commitments/"+c+"/renegotiation", o.leaderT, map[string]any{"new_due_on": day(6), "reason": "holiday"})
	pip := o.Created(http.MethodPost, p+o.ana+"/pips", o.hr, map[string]any{
		"reason": "under target", "starts_on": day(-14), "ends_on": day(30), "goals": []map[string]any{{"text": "ten demos"}}})
	o.Created(http.MethodPost, p+o.ana+"/pips/"+pip+"/acknowledgement", o.anaT, map[string]any{"comment": "understood"})
	var view struct {
		Goals []struct {
			GoalID string `json:"goal_id"`
		}
	}
	o.Must(http.StatusOK, http.MethodGet, p+o.ana+"/pips/"+pip, o.hr, nil).Decode(t, &view)
	o.Created(http.MethodPost, p+o.ana+"/pips/"+pip+"/check-ins", o.leaderT, map[string]any{
		"on": day(-7), "note": "first week", "goals": []map[string]any{{"goal_id": view.Goals[0].GoalID, "status": "at_risk"}}})
	o.Created(http.MethodPost, p+o.ana+"/pips/"+pip+"/extension", o.hr, map[string]any{"new_ends_on": day(44), "reason": "sick leave"})
	o.Must(http.StatusCreated, http.MethodPost, p+o.ben+"/departure", o.leaderT, map[string]any{"on": day(-1), "reason": "left for a competitor"})

	want := []string{
		"Standard set for self from " + words(t, day(-40)),
		"Submitted numbers for " + weekWords(t, lastWeek()),
		"Submitted numbers for " + monthWords(t, lastMonth()),
		"Meeting of " + words(t, day(-3)) + " skipped",
		`Commitment made: "book 15 first meetings", due ` + words(t, day(4)),
		`Commitment renegotiated: "book 15 first meetings", now due ` + words(t, day(6)),
		"Check-in on " + words(t, day(-7)) + ": 1 at risk",
		"PIP extended to " + words(t, day(44)),
	}
	hr := newBrowser(t, o, o.hr)
	for _, pg := range []struct {
		path string
		want []string
	}{
		{"/ui/people/" + o.ana, want},
		{"/ui/people/" + o.ana + "/pips/" + pip, want[len(want)-2:]},
		{"/ui/people/" + o.ben, []string{"Departed on " + words(t, day(-1)) + `: "left for a competitor"`}},
	} {
		r := hr.get(pg.path)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", pg.path, r.status)
		}
		text := strings.Join(strings.Fields(visible(r.body)), " ")
		mustContain(t, pg.path, text, pg.want...)
		noISODates(t, pg.path, text)
	}

	// A form shown again lists what was recorded meanwhile, in words too.
	b := newBrowser(t, o, o.leaderT)
	path := "/ui/people/" + o.ana + "/one-on-one"
	f := with(b.get(path).form(t, path), "action", "record", "kind", "coaching", "held_at", b.get(path).fieldValue("held_at"), "notes", "calls")
	o.Created(http.MethodPost, p+o.ana+"/commitments", o.anaT, map[string]any{"text": "call the Acme buyer", "due_on": day(3)})
	r := b.post(path, f)
	if r.status != http.StatusPreconditionFailed {
		t.Fatalf("stale form: %d, want 412", r.status)
	}
	notice := strings.Join(strings.Fields(visible(r.body)), " ")
	mustContain(t, "the stale form's notice", notice, `Commitment made: "call the Acme buyer", due `+words(t, day(3)))
	noISODates(t, "the stale form", notice)

	// The API's summaries keep the ISO dates.
	var tl struct {
		Items []struct{ Summary string } `json:"items"`
	}
	o.Must(http.StatusOK, http.MethodGet, p+o.ana+"/timeline", o.leaderT, nil).Decode(t, &tl)
	var all []string
	for _, it := range tl.Items {
		all = append(all, it.Summary)
	}
	mustContain(t, "the API's timeline", strings.Join(all, "\n"), `Commitment made: "book 15 first meetings", due `+day(4),
		"now due "+day(6), "Submitted numbers for "+lastMonth(), "PIP extended to "+day(44))
}

func weekWords(t *testing.T, s string) string {
	t.Helper()
	per, err := domain.ParsePeriod(s)
	if err != nil || !per.IsWeek() {
		t.Fatalf("week %q: %v", s, err)
	}
	return "week " + strings.TrimLeft(s[6:], "0") + " of " + s[:4]
}
