package main

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/coachjournal/coachjournal/demo"
	"github.com/coachjournal/coachjournal/domain"
)

// TestBrowserPIP walks a PIP in chromium over the demo organisation: HR
// opens one for Ana from her page, Ana acknowledges it on her own page, HR
// records a check-in and revises the goals, Ana acknowledges again, HR
// extends and closes it. The PIP page then shows every step and "chain
// verified", and the API's audit view has the same steps. Screenshots of
// the forms at 1280 and 390 px; at 390 px neither the PIP page nor the
// list scrolls sideways.
func TestBrowserPIP(t *testing.T) {
	b := newBrowserEnv(t)
	hr, ana := b.people[demo.HR], b.people["Ana Lima"]
	parent := t
	step := func(name string, f func(t *testing.T)) {
		parent.Run(name, func(t *testing.T) { b.t = t; f(t) })
	}
	var pipPage, pipID string
	asHR := func() { b.login(hr, domain.RoleHR, "main table") }
	asAna := func() { b.login(ana, domain.RoleMember, "#attainment") }
	saved := func(what, button string) string {
		b.t.Helper()
		// The page before may say "Recorded" too: drop its line, so that the
		// wait is for the page the form leads to.
		b.run(what, chromedp.Evaluate[chromedp.Void](`document.querySelector('#saved')?.remove()`),
			chromedp.Click(button, chromedp.NodeVisible), chromedp.WaitVisible("#saved"))
		return b.text("#saved")
	}
	before := b.LastSeq()

	step("HR opens a PIP from the person's page", func(t *testing.T) {
		asHR()
		b.run("Ana's page", chromedp.Navigate(b.URL+"/ui/people/"+ana), chromedp.WaitVisible("#attainment"),
			chromedp.Click("#to-open-pip", chromedp.NodeVisible), chromedp.WaitVisible("#pip-open"))
		metric, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => { const o = [...document.querySelector('#g1_metric').options]; return (o.find(x => x.value == 'new_opportunities') || o[1]).value; })()`))
		if err != nil || metric == "" {
			t.Fatalf("the goal's metric choices: %q %v", metric, err)
		}
		b.run("fill in", chromedp.SetValue("#reason", "Opportunities under half the standard for three months"),
			chromedp.SetValue("#g1_text", "Reach the standard's opportunities"), chromedp.SetValue("#g1_metric", metric),
			chromedp.SetValue("#g1_target", "12"), chromedp.SetValue("#g2_text", "Block every morning for first calls"))
		b.screenshot("pip-open", true)
		contains(t, "opened", saved("open", "#open-pip"), "the PIP is open, and Ana Lima is asked to acknowledge it")
		loc, err := chromedp.Run(b.ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(/ui/people/[0-9a-f-]{36}/pips/([0-9a-f-]{36}))`).FindStringSubmatch(loc)
		if m == nil {
			t.Fatalf("after opening the browser is at %s, want the PIP's page", loc)
		}
		pipPage, pipID = m[1], m[2]
		contains(t, "links", b.text("#pip-people"), "Ana Lima's journal", "manager: "+demo.Leo)
	})

	step("Ana acknowledges on her own page", func(t *testing.T) {
		asAna()
		contains(t, "what she acknowledges", b.text("#ack"), "received", "does not say that you agree", "Block every morning for first calls")
		b.run("comment", chromedp.SetValue("#comment", "Received. I will ask for help with the first calls."))
		contains(t, "acknowledged", saved("acknowledge", "#acknowledge"), "your acknowledgement of receipt")
		if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int64](`document.querySelectorAll('.pip-steps').length`)); n != 0 {
			t.Error("Ana is offered HR's steps on her PIP")
		}
	})

	step("HR records a check-in and revises the goals", func(t *testing.T) {
		asHR()
		b.run("the PIP", chromedp.Navigate(b.URL+pipPage), chromedp.WaitVisible("#chain"),
			chromedp.Click("#to-check-in", chromedp.NodeVisible), chromedp.WaitVisible("#check-in"))
		b.run("rate the goals", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelectorAll('#check-in select'); s[0].value = 'at_risk'; s[1].value = 'on_track'; })()`),
			chromedp.SetValue("#ci-note", "First week: six first calls booked."))
		b.screenshot("pip-check-in", true)
		contains(t, "check-in", saved("check in", "#record-check-in"), "the check-in")
		b.run("revise", chromedp.Click("#to-revise", chromedp.NodeVisible), chromedp.WaitVisible("#revise"),
			chromedp.SetValue("#revise #g2_text", "Block three mornings a week for first calls"),
			chromedp.SetValue("#rv-reason", "Mornings clash with the team meeting twice a week"))
		contains(t, "revised", saved("revise", "#record-revision"), "the revised goals")
		contains(t, "asks again", b.text("main"), "awaiting the new version")
	})

	step("Ana acknowledges again", func(t *testing.T) {
		asAna()
		contains(t, "version 2", b.text("#ack"), "revised (version 2)", "Block three mornings a week for first calls")
		contains(t, "acknowledged", saved("acknowledge", "#acknowledge"), "your acknowledgement of receipt")
	})

	step("HR extends and closes it", func(t *testing.T) {
		asHR()
		b.run("extend", chromedp.Navigate(b.URL+pipPage), chromedp.WaitVisible("#chain"),
			chromedp.Click("#to-extend", chromedp.NodeVisible), chromedp.WaitVisible("#extend"),
			chromedp.SetValue("#ex-reason", "Two weeks of holidays in the middle"))
		contains(t, "extended", saved("extend", "#record-extension"), "the new end date")
		b.run("close", chromedp.Click("#to-close", chromedp.NodeVisible), chromedp.WaitVisible("#close"),
			chromedp.Click("#outcome-succeeded", chromedp.NodeVisible), chromedp.SetValue("#cl-note", "Opportunities at the standard for the last month."))
		contains(t, "closed", saved("close", "#record-closure"), "the closure")
		contains(t, "state", b.text("#pip-state"), "closed: succeeded")
		contains(t, "chain", b.text("#chain"), "Chain verified")
		steps := b.text("table.steps")
		for _, kind := range []string{"PIP opened", "PIP acknowledged", "PIP check-in", "PIP revised", "PIP extended", "PIP closed",
			"Mornings clash with the team meeting", "Two weeks of holidays", "Received. I will ask for help"} {
			contains(t, "every step", steps, kind)
		}
		n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int64](`[...document.querySelectorAll('table.steps .type')].filter(e => e.textContent == 'PIP acknowledged').length`))
		if err != nil || n != 2 {
			t.Errorf("the steps show %d acknowledgements, want 2", n)
		}
		var audit struct {
			State string
			Steps []struct {
				Type string
				Hash string
			}
		}
		b.Must(http.StatusOK, http.MethodGet, "/v1/people/"+ana+"/pips/"+pipID, b.Token(hr, domain.RoleHR), nil).Decode(t, &audit)
		var types []string
		for _, s := range audit.Steps {
			types = append(types, s.Type)
			if !strings.Contains(b.text("table.steps"), s.Hash[:12]) {
				t.Errorf("the page does not show the step %s with hash %s", s.Type, s.Hash[:12])
			}
		}
		want := "pip.opened pip.acknowledged pip.checked_in pip.revised pip.acknowledged pip.extended pip.closed"
		if audit.State != "closed" || strings.Join(types, " ") != want {
			t.Errorf("the API's audit: %s %v, want closed with %s", audit.State, types, want)
		}
		if got := b.LastSeq() - before; got != 7 {
			t.Errorf("the walk appended %d events, want 7", got)
		}
	})

	step("printed", func(t *testing.T) {
		media := func(m string) chromedp.Action[chromedp.Void] {
			return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
				return err
			})
		}
		b.run("print", chromedp.Navigate(b.URL+pipPage), chromedp.WaitVisible("#chain"), media("print"))
		defer b.run("screen", media(""))
		var audit struct{ Steps []struct{ Hash string } }
		b.Must(http.StatusOK, http.MethodGet, "/v1/people/"+ana+"/pips/"+pipID, b.Token(hr, domain.RoleHR), nil).Decode(t, &audit)
		steps := b.text("table.steps")
		for _, s := range audit.Steps {
			if !strings.Contains(steps, s.Hash) {
				t.Errorf("the printed steps do not show the full hash %s", s.Hash)
			}
		}
		contains(t, "printed readers", b.text("table.reads"), demo.HR)
		if strings.Contains(b.text("table.reads"), "you") {
			t.Error("the printed readers say 'you' instead of a name")
		}
		contains(t, "printed by", b.text("p.print-only"), "Printed", "by "+demo.HR)
	})

	step("phone", func(t *testing.T) {
		b.run("phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(b.URL+"/ui/people/"+b.people[demo.PIPNow]), chromedp.WaitVisible("#attainment"),
			chromedp.Click(`a[href*="/pips/"]:not(#to-open-pip)`, chromedp.NodeVisible), chromedp.WaitVisible("#chain"))
		b.noSideways("PIP")
		b.run("its check-in", chromedp.Click("#to-check-in", chromedp.NodeVisible), chromedp.WaitVisible("#check-in"))
		b.noSideways("PIP check-in")
		b.screenshot("pip-check-in-phone", true)
		b.run("the list", chromedp.Navigate(b.URL+"/ui/pips"), chromedp.WaitVisible("main table"))
		b.noSideways("PIP list")
		contains(t, "the list", b.text("main table"), "Manager", "Next check-in", demo.PIPNow, demo.Leo)
		b.screenshot("pips-phone", true)
		b.run("wide", chromedp.EmulateViewport(1280, 800))
	})
}
