package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/export"
	"github.com/parquet-go/parquet-go"
)

// TestWebAnalysis: the analyst lands on the analysis page; its trend shows
// the figures GET /v1/trends gives (the org, then the leader's team chosen
// by the pseudonym the page names it by), and nothing that names a person:
// no name, email or person id. The download form gives the export's
// Parquet; a refused one is the page again at 422 with the reasons beside
// the fields and what was typed kept; clear text is for admins; HR and
// members reach neither the page nor a download.
func TestWebAnalysis(t *testing.T) {
	o := scoreOrg(t)
	an := newBrowser(t, o, o.analyst)
	if p := an.get("/ui/"); p.status != http.StatusSeeOther || p.location != "/ui/analysis" {
		t.Fatalf("the analyst's home: %d → %q, want the analysis page", p.status, p.location)
	}
	secrets := []string{"Olga", "Leo Leader", "Ana Lima", "Ben Brook", "Otto", "Cy Chen", "example.com", o.owner, o.leader, o.ana, o.ben, o.other, o.cy}
	clean := func(where, body string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("%s holds %q", where, s)
			}
		}
	}
	var tr struct {
		Buckets []struct {
			Period           string
			Reps             int
			MedianAttainment *float64 `json:"median_attainment"`
		}
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/trends?metric=revenue", o.analyst, nil).Decode(t, &tr)
	var median *float64
	for _, b := range tr.Buckets {
		if b.Period == lastMonth() {
			median = b.MedianAttainment
		}
	}
	if median == nil {
		t.Fatalf("no median attainment last month in %+v", tr)
	}
	want := fmt.Sprintf("%.0f%%", *median*100)
	month := monthWords(t, lastMonth())

	p := an.get("/ui/analysis")
	if p.status != http.StatusOK {
		t.Fatalf("analysis page: %d %s", p.status, p.body)
	}
	mustContain(t, "the analysis page", p.text(), "Revenue: the whole org", "<svg", "Median attainment", month, want, "Download the history", `action="/ui/analysis/export"`)
	clean("the analysis page", p.body)

	// The leader's team, named by the pseudonym the feed gives the leader.
	var feed struct{ Items []domain.AnalystEvent }
	o.Must(http.StatusOK, http.MethodGet, "/v1/events?type=person.registered", o.analyst, nil).Decode(t, &feed)
	leader := feed.Items[1].PersonID
	mustContain(t, "the team choice", p.body, `<option value="`+leader+`"`)
	p = an.get("/ui/analysis?metric=revenue&team=" + url.QueryEscape(leader))
	mustContain(t, "the leader's team", p.text(), "Revenue: Team "+leader[:8], "2 people in the scope today", want)
	clean("the team's page", p.body)
	if p := an.get("/ui/analysis?metric=win_rate&team=nobody"); p.status != http.StatusOK || !strings.Contains(p.text(), "Win rate: the whole org") {
		t.Errorf("an unknown team: %d, want the org", p.status)
	}

	// The download: the export's Parquet.
	resp, err := an.c.Get(o.URL + "/ui/analysis/export?format=parquet&table=metrics")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.apache.parquet" {
		t.Fatalf("download: %d %q %.300s", resp.StatusCode, resp.Header.Get("Content-Type"), body.String())
	}
	rows, err := parquet.Read[export.MetricRow](bytes.NewReader(body.Bytes()), int64(body.Len()))
	if err != nil || len(rows) != 6 {
		t.Fatalf("the downloaded metrics: %d rows (%v), want 6", len(rows), err)
	}
	clean("the download", body.String())

	// Refused: the page again, the reasons beside the fields, the text kept.
	p = an.get("/ui/analysis/export?format=ndjson&table=metrics&from=soon&type=" + url.QueryEscape("a*") + "&clear=true")
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad download form: %d", p.status)
	}
	mustContain(t, "the refused download", p.text(), "The download was not started", "NDJSON holds the events only", "Give a date as YYYY-MM-DD.",
		"Give an event type", "Only an admin may download", `id="from-error"`, `aria-invalid="true"`)
	if p.fieldValue("from") != "soon" || p.fieldValue("type") != "a*" {
		t.Errorf("the form lost what was typed: from %q, type %q", p.fieldValue("from"), p.fieldValue("type"))
	}

	// Admins see names and may download in clear; HR and members may not come in.
	ad := newBrowser(t, o, o.admin)
	mustContain(t, "the admin's page", ad.get("/ui/analysis").text(), "Leo Leader's team", `id="clear"`)
	resp, err = ad.c.Get(o.URL + "/ui/analysis/export?format=ndjson&clear=true&type=person.")
	if err != nil {
		t.Fatal(err)
	}
	body.Reset()
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(body.String(), "Ana Lima") {
		t.Errorf("the admin's clear download: %d %.200s", resp.StatusCode, body.String())
	}
	for name, tok := range map[string]string{"HR": o.hr, "a leader": o.leaderT} {
		b := newBrowser(t, o, tok)
		for _, path := range []string{"/ui/analysis", "/ui/analysis/export?format=csv"} {
			if p := b.get(path); p.status != http.StatusForbidden || strings.Contains(p.body, "pseudonym,") {
				t.Errorf("%s: GET %s = %d, want 403", name, path, p.status)
			}
		}
	}
}

// monthWords is a period as the page writes a month: Nov 2026.
func monthWords(t *testing.T, period string) string {
	t.Helper()
	p, err := domain.ParsePeriod(period)
	if err != nil {
		t.Fatal(err)
	}
	return p.Start().Time().Format("Jan 2006")
}
