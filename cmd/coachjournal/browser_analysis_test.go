package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/demo"

	"github.com/chromedp/chromedp"
	"github.com/coachjournal/coachjournal/domain"
)

// TestBrowserAnalysis: the demo's analyst signs in and lands on the
// analysis page; last month's median revenue attainment for the org is
// the figure GET /v1/trends gives; choosing a team in the form (no
// script) shows that team's trend; the page fits a 390 px phone.
// Screenshots at 1280 and 390 px.
func TestBrowserAnalysis(t *testing.T) {
	b := newBrowserEnv(t)
	cal := demo.NewCalendar(domain.DateOf(b.now))
	last := cal.Months()[len(cal.Months())-2]
	analyst := b.Token("demo-analyst", domain.RoleAnalyst)
	var tr struct {
		Buckets []struct {
			Period           string
			MedianAttainment *float64 `json:"median_attainment"`
		}
	}
	b.Must(http.StatusOK, http.MethodGet, "/v1/trends?metric=revenue", analyst, nil).Decode(t, &tr)
	want := ""
	for _, x := range tr.Buckets {
		if x.Period == last.String() && x.MedianAttainment != nil {
			want = fmt.Sprintf("%.0f%%", *x.MedianAttainment*100)
		}
	}
	if want == "" {
		t.Fatalf("the demo has no median attainment for %s: %+v", last, tr)
	}

	b.login("demo-analyst", domain.RoleAnalyst, "#trend")
	url, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(url, "/ui/analysis") {
		t.Errorf("the analyst landed on %s, want the analysis page", url)
	}
	lastRow := b.text(`#trend-table tbody tr:nth-last-child(2)`)
	contains(t, "last month's row", lastRow, last.Start().Time().Format("Jan 2006"), want)
	contains(t, "attainment chart", b.svgText("svg.trend.wide"), "100%", want)
	contains(t, "totals chart", b.svgText("svg.bars.wide"), "$")
	for _, s := range []string{demo.Leo, demo.Owner, "Ana Lima", "@"} {
		if strings.Contains(b.text("main"), s) {
			t.Errorf("the analyst's page shows %q", s)
		}
	}
	b.screenshot("analysis", true)

	// A team, chosen in the form.
	b.run("choose a team", chromedp.SetValue("#team", b.attrValue(`#team option:nth-child(2)`)), chromedp.Click("#show", chromedp.NodeVisible),
		chromedp.WaitReady(`#team option:nth-child(2)[selected]`), chromedp.WaitVisible("#trend"))
	contains(t, "the team's trend", b.text("#trend-h"), "Revenue: Team ")

	b.run("phone", chromedp.EmulateViewport(phoneWidth, 844), chromedp.Navigate(b.URL+"/ui/analysis"), chromedp.WaitVisible("#trend"))
	b.noSideways("analysis")
	contains(t, "narrow chart", b.svgText("svg.trend.narrow"), want)
	b.screenshot("analysis-phone", true)
	b.screenshotOf("analysis-phone-table", "#trend div.scroll")
}

// screenshotOf saves a picture of the element sel alone (scrolled into
// view), for a person to look at; it is not copied to the docs.
func (b *browserEnv) screenshotOf(name, sel string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.Screenshot(sel))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", sel, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// attrValue reads an element's value attribute.
func (b *browserEnv) attrValue(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.AttributeValue(sel, "value"))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return v.Value
}
