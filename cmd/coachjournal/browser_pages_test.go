package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coachjournal/coachjournal/demo"
	"github.com/coachjournal/coachjournal/domain"
)

// TestBrowserJourneys walks SPEC §1's journeys in chromium: the leader's
// board and Ana's page (numbers as the API has them), board → rep → PIP,
// HR's PIP list and the chain badge, the owner's cadence page, the views a
// member or an analyst may not open, and a phone-width rep page.
func TestBrowserJourneys(t *testing.T) {
	b := newBrowserEnv(t)
	cal := demo.NewCalendar(domain.DateOf(b.now))
	last := cal.Months()[len(cal.Months())-2].String()
	dip := cal.Dip()
	leoT := b.Token(b.people[demo.Leo], domain.RoleMember)
	ana, hana := b.people["Ana Lima"], b.people[demo.PIPNow]
	parent := t
	step := func(name string, f func(t *testing.T)) {
		parent.Run(name, func(t *testing.T) { b.t = t; f(t) })
	}

	step("leader board", func(t *testing.T) {
		b.login(b.people[demo.Leo], domain.RoleMember, "table.heat")
		url, err := chromedp.Run(b.ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(url, "/ui/teams/"+b.people[demo.Leo]) {
			t.Errorf("the leader landed on %s, want their team board", url)
		}
		for _, name := range []string{"Ana Lima", "Ben Brook", "Cy Chen"} {
			att, gap := b.apiScorecard(b.people[name], last, leoT)
			cell := b.text(fmt.Sprintf(`tr:has(a[href^="/ui/people/%s"]) td[data-period="%s"]`, b.people[name], last))
			contains(t, name+"'s "+last+" cell", cell, att, gap)
		}
		banner := b.text(".banner.market")
		contains(t, "market banner", banner, "Market signal", dip.Start().Time().Format("Jan 2006"))
		contains(t, "team totals", b.text("table.heat tfoot"), "Team", "below 90%")
		b.screenshot("board", true)
	})

	step("board to rep", func(t *testing.T) {
		b.run("open Ana", chromedp.Click(`table.heat tbody th a[href^="/ui/people/`+ana+`"]`, chromedp.NodeVisible), chromedp.WaitVisible("#attainment"))
		att, gap := b.apiScorecard(ana, last, leoT)
		if got := b.text("#attainment"); got != att {
			t.Errorf("Ana's attainment on her page = %q, API %q", got, att)
		}
		contains(t, "primary gap", b.text("#primary-gap"), gap)
		contains(t, "focus", b.text("#focus"), "Focus: structure the day")
		if got := b.text("#overdue-count"); got != "1" {
			t.Errorf("overdue = %q, want 1", got)
		}
		contains(t, "funnel chart", b.svgText("svg.funnel"), "Opportunities", "Win rate", "Deal size", "standard 100%")
		contains(t, "trend chart", b.svgText("svg.trend"), "100%")
		contains(t, "timeline", b.text("ol.timeline"), "by Leo Marsh", "1-on-1", "Notes: Numbers against the standard, then the why.")
		// The filter is a GET form: wait for the filtered page itself, not
		// the timeline of the page the click leaves (visible at once).
		b.run("filter the timeline", chromedp.SetValue("#type", "commitment."), chromedp.Click(".filters button"),
			chromedp.WaitReady(`#type option[value="commitment."][selected]`), // rendered so only by the filtered page
			chromedp.WaitVisible("ol.timeline"))
		tl := b.text("ol.timeline")
		contains(t, "commitment timeline", tl, "Commitment")
		if strings.Contains(tl, "numbers for") {
			t.Errorf("the commitment filter still lists numbers: %s", tl)
		}
		b.run("back to the month", chromedp.Navigate(b.URL+"/ui/people/"+ana+"?period="+last), chromedp.WaitVisible("#attainment"))
		b.screenshot("rep", true)
	})

	step("board to rep to PIP", func(t *testing.T) {
		b.login(b.people[demo.Priya], domain.RoleMember, "table.heat")
		b.run("open Hana", chromedp.Click(`table.heat tbody th a[href^="/ui/people/`+hana+`"]`, chromedp.NodeVisible), chromedp.WaitVisible("#attainment"))
		b.run("open her PIP", chromedp.Click(`a[href*="/pips/"]`, chromedp.NodeVisible), chromedp.WaitVisible("#chain"))
		contains(t, "chain badge", b.text("#chain"), "Chain verified")
		contains(t, "state", b.text("#pip-state"), "active")
		contains(t, "late check-ins", b.text("#late"), "1 · due")
		contains(t, "versions", b.text("ol.versions"), "Version 2", "acknowledged")
		contains(t, "steps", b.text("table.steps"), "Helen Ward (HR)", "PIP revised", "PIP acknowledged", "Reason: The proposal stage is where deals stall")
		b.screenshot("pip", false)
	})

	step("HR PIP list", func(t *testing.T) {
		b.login(b.people[demo.HR], domain.RoleHR, "main table")
		list := b.text("main table")
		contains(t, "PIP list", list, demo.PIPWon, "closed: succeeded", demo.PIPNow, "active")
		b.run("open Gus's PIP", chromedp.Click(`a[href^="/ui/people/`+b.people[demo.PIPWon]+`/pips/"]`, chromedp.NodeVisible), chromedp.WaitVisible("#chain"))
		contains(t, "closed PIP", b.text("#pip-state"), "closed: succeeded")
		contains(t, "chain", b.text("#chain"), "Chain verified")
	})

	step("owner cadence", func(t *testing.T) {
		b.login(b.people[demo.Owner], domain.RoleMember, "section.leader")
		b.run("cadence", chromedp.Navigate(b.URL+"/ui/cadence/"+b.people[demo.Owner]), chromedp.WaitVisible("h1"))
		var api struct {
			Leaders []struct {
				Name    string
				Summary struct{ Compliance *float64 }
			}
		}
		from := domain.DateOf(b.now).AddDays(1 - 182).String()
		b.Must(http.StatusOK, http.MethodGet, "/v1/managers/"+b.people[demo.Owner]+"/cadence?from="+from, b.Token(b.people[demo.Owner], domain.RoleMember), nil).Decode(t, &api)
		page := b.text("main")
		for _, l := range api.Leaders {
			if l.Name == demo.Priya && l.Summary.Compliance != nil {
				contains(t, "Priya's section", b.text(`section:has(h2#l-`+b.people[demo.Priya]+`) [data-compliance]`), fmt.Sprintf("%.0f%%", *l.Summary.Compliance*100))
			}
		}
		contains(t, "cadence page", page, demo.Leo, demo.Priya, "Pipeline reviews", "Longest gap")
		b.screenshot("cadence", false)
	})

	step("outside the view", func(t *testing.T) {
		b.login(ana, domain.RoleMember, "#attainment")
		for _, path := range []string{"/ui/people/" + b.people["Ben Brook"], "/ui/teams/" + b.people[demo.Leo], "/ui/people/" + hana + "/pips/" + hana} {
			b.run("open "+path, chromedp.Navigate(b.URL+path), chromedp.WaitVisible("h1"))
			if h := b.text("h1"); h != "Not found" {
				t.Errorf("Ana opening %s sees %q, want Not found", path, h)
			}
		}
		b.run("PIP list", chromedp.Navigate(b.URL+"/ui/pips"), chromedp.WaitVisible("h1"))
		if h := b.text("h1"); h != "Not allowed" {
			t.Errorf("Ana opening the PIP list sees %q", h)
		}
		b.login("demo-analyst", domain.RoleAnalyst, "#trend")
		contains(t, "analyst home", b.text("main h1"), "Analysis")
		b.run("analyst opens Ana", chromedp.Navigate(b.URL+"/ui/people/"+ana), chromedp.WaitVisible("h1"))
		contains(t, "analyst", b.text("main"), "Not allowed", "Analysts")
	})

	step("sign out and bad token", func(t *testing.T) {
		b.run("sign out", chromedp.Click(`.who button`, chromedp.NodeVisible), chromedp.WaitVisible("#token"))
		b.run("back in without a session", chromedp.Navigate(b.URL+"/ui/people/"+ana), chromedp.WaitVisible("#token"))
		b.run("paste a bad token", chromedp.SetValue("#token", "not-a-token"), chromedp.Submit("#token"), chromedp.WaitVisible(`[role="alert"]`))
		contains(t, "login error", b.text(`[role="alert"]`), "not valid")
		tok := b.Token(ana, domain.RoleMember)
		b.run("paste a good token", chromedp.SetValue("#token", tok), chromedp.Submit("#token"), chromedp.WaitVisible("#attainment"))
	})

	step("phone width", func(t *testing.T) {
		b.run("narrow", chromedp.EmulateViewport(390, 844), chromedp.Navigate(b.URL+"/ui/people/"+ana+"?period="+last), chromedp.WaitVisible("#attainment"))
		overflow, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if err != nil {
			t.Fatal(err)
		}
		if overflow {
			t.Error("the rep page scrolls sideways at 390px")
		}
		b.screenshot("rep-phone", false)
	})
}
