package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coachjournal/coachjournal/demo"
	"github.com/coachjournal/coachjournal/domain"
)

// phoneWidth is the viewport every page must fit at (an iPhone's 390 px).
const phoneWidth = 390

// pageFacts is what pageFactsJS measures on a page.
type pageFacts struct {
	ScrollWidth int     `json:"scrollWidth"`
	Text        string  `json:"text"`
	MinFontPx   float64 `json:"minFontPx"` // the smallest chart text as drawn on screen, 0 without a chart
	Clipped     string  `json:"clipped"`   // a chart text that leaves its drawing, "" when none does
	LatestShown *bool   `json:"latestShown"`
	TotalsInRow *bool   `json:"totalsInRow"`
	Overflow    string  `json:"overflow"`    // the elements reaching past the screen (outside a scroller)
	BrokenWords string  `json:"brokenWords"` // the table headings' words drawn on two lines, "" when none is
}

// pageFactsJS opens every <details>, then measures the page: its width,
// its visible text, the visible charts' text (size on screen, inside the
// drawing), the words of table headings that a line break cuts in two
// (a word whose text spans more than one line box) and, on a board, whether the latest month's column is on screen
// and the team totals lie in one row under the months.
const pageFactsJS = `(() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  const f = {scrollWidth: document.documentElement.scrollWidth, text: document.body.innerText, minFontPx: 0, clipped: "", overflow: "", brokenWords: ""};
  for (const th of document.querySelectorAll('th')) {
    const texts = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let n; (n = texts.nextNode());) {
      for (const m of n.data.matchAll(/[^\s\-\u2013\u2014\/]+/g)) {
        const r = document.createRange();
        r.setStart(n, m.index);
        r.setEnd(n, m.index + m[0].length);
        const lines = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
        if (lines.size > 1) f.brokenWords += JSON.stringify(m[0]) + " in the heading " + JSON.stringify(th.textContent.trim().slice(0, 40)) + "; ";
      }
    }
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.scroll') || el.getBoundingClientRect().right <= window.innerWidth + 0.5) continue;
    if ([...el.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5)) continue;
    f.overflow += el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? "." + el.className : "") + " (" + (el.textContent || "").trim().slice(0, 30) + ") ";
  }
  for (const svg of document.querySelectorAll('svg.chart')) {
    if (getComputedStyle(svg).display === 'none') continue;
    const vb = svg.viewBox.baseVal, scale = svg.getBoundingClientRect().width / vb.width;
    for (const t of svg.querySelectorAll('text')) {
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (f.minFontPx === 0 || px < f.minFontPx) f.minFontPx = px;
      const b = t.getBBox();
      if (b.x < vb.x - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 || b.y < vb.y - 0.5 || b.y + b.height > vb.y + vb.height + 0.5) {
        f.clipped = t.textContent + " in " + svg.getAttribute('class');
      }
    }
  }
  const heat = document.querySelector('table.heat');
  if (heat) {
    const last = heat.querySelector('thead th:last-child').getBoundingClientRect();
    f.latestShown = last.left >= 0 && last.right <= window.innerWidth + 0.5;
    const heads = [...heat.querySelectorAll('thead th')].map(th => th.getBoundingClientRect());
    const foot = [...heat.querySelectorAll('tfoot tr > *')].map(c => c.getBoundingClientRect());
    f.totalsInRow = foot.length === heads.length && foot.every((r, i) => Math.abs(r.top - foot[0].top) < 1 && Math.abs(r.left - heads[i].left) < 1);
  }
  return f;
})()`

// internals are what no page may show: raw event types (from the event
// catalog), UUIDs, the tells of unfinished words, and dates or periods as
// the API writes them (isoDate).
var internals = func() []*regexp.Regexp {
	var prefixes []string
	for _, typ := range domain.EventTypes() {
		p, _, _ := strings.Cut(typ, ".")
		if !slices.Contains(prefixes, p) {
			prefixes = append(prefixes, p)
		}
	}
	return []*regexp.Regexp{
		regexp.MustCompile(`\b(?:` + strings.Join(prefixes, "|") + `)\.[a-z_]+\b`),
		regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`),
		regexp.MustCompile(`(?i)\bfocus\s*:?\s*focus\b|time\(s\)|\b[a-z]+_[a-z_]+\b`),
		isoDate,
	}
}()

// isoDate is a date or a period as the API writes it (2026-11-27,
// 2026-11, 2026-W47): pages say them in words (27 Nov 2026, Nov 2026).
var isoDate = regexp.MustCompile(`\b\d{4}-(?:\d\d-\d\d|\d\d|W\d\d)\b`)

// checkPages opens each page (path → what to wait for) at the current
// viewport and checks that it fits the width, shows no internals, that
// its charts' text is readable (at least minFont px) and not clipped, and
// that no table heading breaks inside a word.
func (b *browserEnv) checkPages(t *testing.T, width int, minFont float64, pages [][2]string) map[string]pageFacts {
	t.Helper()
	out := map[string]pageFacts{}
	for _, pg := range pages {
		path, wait := pg[0], pg[1]
		b.run("open "+path, chromedp.Navigate(b.URL+path), chromedp.WaitVisible(wait))
		f, err := chromedp.Run(b.ctx, chromedp.Evaluate[pageFacts](pageFactsJS))
		if err != nil {
			t.Fatalf("measure %s: %v", path, err)
		}
		t.Logf("%s at %d px: scrollWidth %d, smallest chart text %.1f px", path, width, f.ScrollWidth, f.MinFontPx)
		if f.ScrollWidth > width {
			t.Errorf("%s is %d px wide at a %d px screen: it scrolls sideways; too wide: %s", path, f.ScrollWidth, width, f.Overflow)
		}
		for _, re := range internals {
			if m := re.FindAllString(f.Text, 3); m != nil {
				t.Errorf("%s shows internals %q", path, m)
			}
		}
		if f.MinFontPx > 0 && f.MinFontPx < minFont {
			t.Errorf("%s: chart text drawn at %.1f px, want ≥ %.0f px", path, f.MinFontPx, minFont)
		}
		if f.Clipped != "" {
			t.Errorf("%s: chart text %q is clipped", path, f.Clipped)
		}
		if f.BrokenWords != "" {
			t.Errorf("%s at %d px: a table heading breaks inside a word: %s", path, width, f.BrokenWords)
		}
		out[path] = f
	}
	return out
}

// TestBrowserPhoneAndWords walks every page of the demo, as each role
// sees it, at 390 px and at 1280 px: no page is wider than the screen, no
// page shows an event type, a UUID, "Focus: focus", "time(s)" or an ISO
// date, no table heading breaks inside a word ("Mon th"), chart text is
// readable and never clipped (a month without numbers included), the
// heat-map opens on its latest month and its team totals lie in one
// row under the months.
func TestBrowserPhoneAndWords(t *testing.T) {
	b := newBrowserEnv(t)
	cal := demo.NewCalendar(domain.DateOf(b.now))
	last, dip := cal.Months()[len(cal.Months())-2].String(), cal.Dip().String()
	empty := domain.MonthPeriod(cal.Months()[0].Start().AddDays(-1)).String() // before the history
	p := b.people
	gus, hana := p[demo.PIPWon], p[demo.PIPNow]
	var hanaPIP, gusPIP string
	for _, x := range b.Views.PIPs("") {
		switch x.PersonID.String() {
		case hana:
			hanaPIP = "/ui/people/" + hana + "/pips/" + x.ID.String()
		case gus:
			gusPIP = "/ui/people/" + gus + "/pips/" + x.ID.String()
		}
	}
	type visit struct {
		who   string
		role  domain.Role
		pages [][2]string
	}
	visits := []visit{
		{p[demo.Leo], domain.RoleMember, [][2]string{
			{"/ui/", "main h1"}, {"/ui/teams/" + p[demo.Leo], "table.heat"}, {"/ui/teams/" + p[demo.Leo] + "?period=" + dip, "table.heat"},
			{"/ui/people/" + p["Ana Lima"], "#attainment"}, {"/ui/people/" + p["Ana Lima"] + "?period=" + last, "#attainment"},
			{"/ui/people/" + p["Ana Lima"] + "?period=" + empty, "#attainment"},
			{"/ui/people/" + p["Ben Brook"] + "?period=" + last + "&type=meeting.", "#attainment"},
			{"/ui/cadence/" + p[demo.Leo], "main h1"},
			{"/ui/people/" + p["Ana Lima"] + "/one-on-one", "main h1"}, {"/ui/people/" + p["Ana Lima"] + "/week", "main h1"},
		}},
		{p[demo.Priya], domain.RoleMember, [][2]string{
			{"/ui/teams/" + p[demo.Priya], "table.heat"}, {"/ui/people/" + hana, "#attainment"}, {hanaPIP, "#chain"},
		}},
		{p[demo.Owner], domain.RoleMember, [][2]string{{"/ui/", "section.leader"}, {"/ui/teams/" + p[demo.Owner], "table.heat"},
			{"/ui/cadence/" + p[demo.Owner], "main h1"}, {"/ui/people/" + p[demo.Leo] + "/org", "#standard"}}},
		{"demo-admin", domain.RoleAdmin, [][2]string{{"/ui/", "#directory"}, {"/ui/people?q=lima", "#directory"}, {"/ui/people/new", "#register"},
			{"/ui/people/" + p[demo.Priya] + "/org", "#departure"}}},
		{p[demo.HR], domain.RoleHR, [][2]string{{"/ui/pips", "main table"}, {"/ui/pips?state=closed", "main table"}, {gusPIP, "#chain"}, {hanaPIP, "#chain"}}},
		{p["Ana Lima"], domain.RoleMember, [][2]string{{"/ui/", "#attainment"}, {"/ui/people/" + p["Ana Lima"] + "?type=pip.", "#attainment"}}},
		{"demo-analyst", domain.RoleAnalyst, [][2]string{{"/ui/", "main h1"}, {"/ui/analysis", "#trend"}, {"/ui/analysis?metric=win_rate", "#trend"},
			{"/ui/analysis/export?format=ndjson&table=metrics&from=soon", "#form-notice"}}},
		{"ops", domain.RoleAdmin, [][2]string{{"/ui/analysis?metric=activities", "#trend"}}},
	}
	for _, size := range []struct {
		width, height int64
		minFont       float64
	}{{phoneWidth, 844, 11}, {1280, 800, 11}} {
		b.run("viewport", chromedp.EmulateViewport(size.width, size.height))
		for _, v := range visits {
			b.login(v.who, v.role, "main")
			facts := b.checkPages(t, int(size.width), size.minFont, v.pages)
			for path, f := range facts {
				if f.LatestShown != nil && !*f.LatestShown {
					t.Errorf("%s at %d px: the heat-map's latest month is off screen", path, size.width)
				}
				if f.TotalsInRow != nil && !*f.TotalsInRow {
					t.Errorf("%s at %d px: the team totals are not one row under the months", path, size.width)
				}
			}
		}
	}
	b.run("sign out", chromedp.Click(`.who button`, chromedp.NodeVisible), chromedp.WaitVisible("#token"))
	b.checkPages(t, 1280, 0, [][2]string{{"/ui/login", "#token"}})
}
