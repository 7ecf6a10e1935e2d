package main

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coachjournal/coachjournal/demo"
	"github.com/coachjournal/coachjournal/domain"
)

// TestBrowserOrg walks the org forms in chromium as an admin, checking
// each step through the API: register a leader under the owner and two
// reps under her, set her team's standard and a two-week cadence, move a
// rep (with numbers already in his journal) to Leo, whose view then holds
// the rep's whole history, and record the other rep's departure.
func TestBrowserOrg(t *testing.T) {
	b := newBrowserEnv(t)
	admin := b.Token("demo-admin", domain.RoleAdmin)
	today := domain.DateOf(b.now)
	b.login("demo-admin", domain.RoleAdmin, "#directory")
	orgURL := regexp.MustCompile(`/ui/people/([0-9a-f-]{36})/org`)
	register := func(name, email, manager string) string {
		t.Helper()
		b.run("register "+name, chromedp.Navigate(b.URL+"/ui/people"), chromedp.Click("#register-link", chromedp.NodeVisible),
			chromedp.WaitVisible("#register"), chromedp.SetValue("#name", name), chromedp.SetValue("#email", email),
			chromedp.SetValue("#title", "Account Executive"), chromedp.SetValue("#manager_id", manager),
			chromedp.Click("#send", chromedp.NodeVisible), chromedp.WaitVisible("#saved"))
		loc, err := chromedp.Run(b.ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		m := orgURL.FindStringSubmatch(loc)
		if m == nil {
			t.Fatalf("after registering %s the browser is at %s", name, loc)
		}
		contains(t, "saved", b.text("#saved"), "Recorded: the registration of "+name)
		return m[1]
	}
	lena := register("Lena Lead", "lena@demo.example", b.people[demo.Owner])
	contains(t, "Lena's org page", b.text("#org-summary"), "reports to "+demo.Owner)
	rex := register("Rex Rep", "rex@demo.example", lena)
	ria := register("Ria Rep", "ria@demo.example", lena)

	b.run("set Lena's team standard", chromedp.Navigate(b.URL+"/ui/people/"+lena+"/org"), chromedp.WaitVisible("#standard"),
		chromedp.Click(`#standard input[name=applies_to][value=reports]`, chromedp.NodeVisible),
		chromedp.SetValue("#effective_from", today.AddDays(1-today.Time().Day()).String()),
		chromedp.SetValue(`#standard [name="t.revenue"]`, "180,000"), chromedp.SetValue(`#standard [name="t.new_opportunities"]`, "9"),
		chromedp.SetValue(`#standard [name="t.win_rate"]`, "0.4"), chromedp.SetValue(`#standard [name="t.avg_deal_size"]`, "50000"),
		chromedp.Click("#send-standard", chromedp.NodeVisible), chromedp.WaitVisible("#saved"))
	contains(t, "the standard in force", b.text("#standard-now"), "$180,000")
	b.run("set Lena's cadence", chromedp.Navigate(b.URL+"/ui/people/"+lena+"/org"), chromedp.WaitVisible("#cadence"), chromedp.Click(`#cadence input[name=every_days][value="14"]`, chromedp.NodeVisible),
		chromedp.Click("#send-cadence", chromedp.NodeVisible), chromedp.WaitVisible("#saved"))
	contains(t, "the cadence", b.text("#cadence-now"), "every 14 days")
	b.screenshot("org-person", false)
	var std struct {
		SourcePersonID string `json:"source_person_id"`
		Targets        []struct{ Metric string }
	}
	b.Must(http.StatusOK, http.MethodGet, "/v1/people/"+rex+"/standard", admin, nil).Decode(t, &std)
	if std.SourcePersonID != lena || len(std.Targets) != 4 {
		t.Errorf("Rex's standard = %+v, want Lena's, four targets", std)
	}

	// Ria's numbers are in her journal before she moves to Leo.
	b.Created(http.MethodPost, "/v1/people/"+ria+"/metrics", admin, map[string]any{"period": domain.WeekPeriod(today.AddDays(-7)).String(),
		"source": "import", "values": map[string]any{"revenue": 40000, "new_opportunities": 3}})
	b.run("move Ria to Leo", chromedp.Navigate(b.URL+"/ui/people/"+ria+"/org"), chromedp.WaitVisible("#manager"),
		chromedp.SetValue("#manager_id", b.people[demo.Leo]), chromedp.Click("#send-manager", chromedp.NodeVisible), chromedp.WaitVisible("#saved"))
	contains(t, "Ria's org page", b.text("#org-summary"), "reports to "+demo.Leo)
	leoT := b.Token(b.people[demo.Leo], domain.RoleMember)
	var tl struct{ Items []any }
	b.Must(http.StatusOK, http.MethodGet, "/v1/people/"+ria+"/timeline?type=metrics.", leoT, nil).Decode(t, &tl)
	if len(tl.Items) != 1 {
		t.Errorf("Leo sees %d of Ria's submissions, want her one from before the move", len(tl.Items))
	}
	b.Must(http.StatusNotFound, http.MethodGet, "/v1/people/"+ria, b.Token(lena, domain.RoleMember), nil)

	b.run("Rex departs", chromedp.Navigate(b.URL+"/ui/people/"+rex+"/org"), chromedp.WaitVisible("#departure"),
		chromedp.SetValue("#on", today.String()), chromedp.SetValue("#reason", "Moved abroad"),
		chromedp.Click("#send-departure", chromedp.NodeVisible), chromedp.WaitVisible("#saved"))
	contains(t, "Rex's org page", b.text("#org-summary"), "left on")
	var rexNow struct {
		DepartedOn *string `json:"departed_on"`
	}
	b.Must(http.StatusOK, http.MethodGet, "/v1/people/"+rex, admin, nil).Decode(t, &rexNow)
	if rexNow.DepartedOn == nil || *rexNow.DepartedOn != today.String() {
		t.Errorf("Rex departed on %v, want %s", rexNow.DepartedOn, today)
	}
	b.run("search", chromedp.Navigate(b.URL+"/ui/people?q=rep"), chromedp.WaitVisible("#directory"))
	contains(t, "the directory", b.text("#directory"), "Rex Rep", "Ria Rep", "left on", demo.Leo)
	b.screenshot("people", false)
}

// TestBrowserOwner: the owner lands on their leaders' teams with numbers
// from the demo, the same as the API's boards and cadence, each linking to
// the leader's board and cadence; screenshots at 1280 and 390 px.
func TestBrowserOwner(t *testing.T) {
	b := newBrowserEnv(t)
	ownerT := b.Token(b.people[demo.Owner], domain.RoleMember)
	cal := demo.NewCalendar(domain.DateOf(b.now))
	last := cal.Months()[len(cal.Months())-2]
	b.login(b.people[demo.Owner], domain.RoleMember, "section.leader")
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	if !strings.HasSuffix(loc, "/ui/leaders/"+b.people[demo.Owner]) {
		t.Errorf("the owner landed on %s, want the leaders' view", loc)
	}
	for _, l := range []string{demo.Leo, demo.Priya} {
		sec := `section.leader[data-leader="` + l + `"]`
		var board struct {
			Totals struct {
				Attainment   *float64 `json:"attainment"`
				RepsBelow90  int      `json:"reps_below_90"`
				RepsWithData int      `json:"reps_with_data"`
			}
		}
		b.Must(http.StatusOK, http.MethodGet, "/v1/teams/"+b.people[l]+"/board?period="+last.String(), ownerT, nil).Decode(t, &board)
		if board.Totals.Attainment == nil {
			t.Fatalf("%s's team has no attainment for %s in the demo", l, last)
		}
		row := b.text(sec + ` tr:has(a[href$="period=` + last.String() + `"])`)
		contains(t, l+"'s "+last.String(), row, fmt.Sprintf("%.0f%%", *board.Totals.Attainment*100),
			fmt.Sprintf("%d of %d with numbers", board.Totals.RepsBelow90, board.Totals.RepsWithData))
		var cad struct {
			Summary struct {
				Compliance *float64 `json:"compliance"`
			}
		}
		b.Must(http.StatusOK, http.MethodGet, "/v1/managers/"+b.people[l]+"/cadence", ownerT, nil).Decode(t, &cad)
		if cad.Summary.Compliance == nil {
			t.Fatalf("%s has no cadence compliance in the demo", l)
		}
		if got, want := b.text(sec+" [data-compliance]"), fmt.Sprintf("%.0f%%", *cad.Summary.Compliance*100); got != want {
			t.Errorf("%s's compliance: page %q, API %q", l, got, want)
		}
		contains(t, l+"'s own 1-on-1 with the owner", b.text(sec+" [data-yours]"), "days ago")
	}
	b.screenshot("owner", true)
	b.run("open Priya's cadence", chromedp.Click(`section.leader[data-leader="`+demo.Priya+`"] a[href="/ui/cadence/`+b.people[demo.Priya]+`"]`, chromedp.NodeVisible),
		chromedp.WaitVisible("#own"))
	contains(t, "Priya's cadence", b.text("#own"), "Lou Reyes", "Days since")
	b.run("phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(b.URL+"/ui/leaders/"+b.people[demo.Owner]), chromedp.WaitVisible("section.leader"))
	b.noSideways("owner's")
	b.screenshot("owner-phone", true)
	b.run("wide", chromedp.EmulateViewport(1280, 800))
}
