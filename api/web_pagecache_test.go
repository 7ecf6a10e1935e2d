package api_test

import (
	"bufio"
	"bytes"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// pageCount reads coachjournal_page_cache_total{result} from /metrics.
func pageCount(t *testing.T, o *org, result string) float64 {
	t.Helper()
	r := o.Must(http.StatusOK, http.MethodGet, "/metrics", "", nil)
	prefix := `coachjournal_page_cache_total{result="` + result + `"} `
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %q: %v", sc.Text(), err)
			}
			return n
		}
	}
	return 0
}

// getCounted GETs path and checks whether it was served from the page
// cache (hit) or rendered.
func getCounted(t *testing.T, o *org, b *browser, path string, hit bool) page {
	t.Helper()
	hits, misses := pageCount(t, o, "hit"), pageCount(t, o, "miss")
	p := b.get(path)
	if p.status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, p.status, p.body)
	}
	dh, dm := pageCount(t, o, "hit")-hits, pageCount(t, o, "miss")-misses
	if hit && (dh != 1 || dm != 0) || !hit && (dh != 0 || dm != 1) {
		t.Fatalf("GET %s: %v hits, %v misses; want a hit: %v", path, dh, dm, hit)
	}
	return p
}

var csrfValue = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)
var keyValue = regexp.MustCompile(`name="_key" value="([^"]*)"`)
var heldAt = regexp.MustCompile(`name="held_at" value="\d{4}-\d\d-\d\dT\d\d:\d\d"`)

// TestWebPageCache: a page served again from the page cache is the page
// rendered, with this browser's CSRF token and fresh form keys; a viewer
// never gets another viewer's page; a write on the person's journal, a
// move out of the viewer's view and an erasure all render afresh.
func TestWebPageCache(t *testing.T) {
	o := scoreOrg(t)
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.leaderT, map[string]any{"text": "call <ten> & more", "due_on": day(3)})
	leo := newBrowser(t, o, o.leaderT)
	rep, ws, board := "/ui/people/"+o.ana, "/ui/people/"+o.ana+"/one-on-one", "/ui/teams/"+o.leader
	for _, path := range []string{rep, ws, board} {
		first := getCounted(t, o, leo, path, false)
		again := getCounted(t, o, leo, path, true)
		tokens := csrfValue.FindAllStringSubmatch(again.body, -1)
		if len(tokens) == 0 {
			t.Fatalf("%s: no CSRF field", path)
		}
		for _, m := range append(tokens, csrfValue.FindAllStringSubmatch(first.body, -1)...) {
			if m[1] != tokens[0][1] || m[1] == "" {
				t.Errorf("%s: CSRF fields %q and %q differ: one browser has one token", path, m[1], tokens[0][1])
			}
		}
		k1, k2 := keyValue.FindAllStringSubmatch(first.body, -1), keyValue.FindAllStringSubmatch(again.body, -1)
		if len(k1) != len(k2) {
			t.Fatalf("%s: %d form keys, then %d", path, len(k1), len(k2))
		}
		for i := range k1 {
			if k1[i][1] == k2[i][1] || len(k2[i][1]) != 32 {
				t.Errorf("%s: form key %d is %q, then %q: each rendering has fresh keys", path, i, k1[i][1], k2[i][1])
			}
		}
		if path == ws && !heldAt.MatchString(again.body) {
			t.Errorf("%s: the meeting time is not a minute:\n%s", path, again.body)
		}
		norm := func(s string) string {
			return heldAt.ReplaceAllString(keyValue.ReplaceAllString(s, "KEY"), "MINUTE")
		}
		if norm(first.body) != norm(again.body) {
			t.Errorf("%s: the cached page differs from the rendered one beyond its form keys:\n%s\n---\n%s", path, first.body, again.body)
		}
	}
	// Another browser of the same viewer: its own CSRF token.
	leo2 := newBrowser(t, o, o.leaderT)
	p := getCounted(t, o, leo2, rep, true)
	p1 := leo.get(rep)
	if a, b := csrfValue.FindStringSubmatch(p.body)[1], csrfValue.FindStringSubmatch(p1.body)[1]; a == b {
		t.Errorf("two browsers got the same CSRF token %q", a)
	}
	// Another viewer: their own page, not Leo's.
	ana := newBrowser(t, o, o.anaT)
	own := getCounted(t, o, ana, rep, false)
	mustContain(t, "Ana's own page", own.text(), "Ana Lima")
	if strings.Contains(own.text(), "Leo Leader <span") || strings.Contains(own.body, `href="/ui/teams/`) {
		t.Errorf("Ana's page shows Leo's navigation:\n%s", own.body)
	}
	// A write on Ana's journal: the next page renders it.
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.leaderT, map[string]any{"text": "book fifteen meetings", "due_on": day(4)})
	for _, path := range []string{rep, ws} {
		mustContain(t, path+" after a write", getCounted(t, o, leo, path, false).text(), "book fifteen meetings")
		getCounted(t, o, leo, path, true)
	}
	// A write on another team member's journal renders the board afresh, not Ana's page.
	o.Created(http.MethodPost, "/v1/people/"+o.ben+"/metrics", o.leaderT, map[string]any{
		"period": lastMonth(), "source": "manager", "correction_reason": "recount", "values": map[string]any{"new_opportunities": 6, "deals_won": 2, "revenue": 123456}})
	getCounted(t, o, leo, board, false)
	getCounted(t, o, leo, rep, true)
	// Ana moves out of Leo's view: his next request is refused, not served.
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/manager", o.admin, map[string]any{"manager_id": o.other})
	if p := leo.get(rep); p.status != http.StatusNotFound {
		t.Fatalf("Ana's page after she moved out of Leo's view: %d", p.status)
	}
	// Erasure: Otto, her manager now, reads her page; after the erasure the text is gone.
	otto := newBrowser(t, o, o.otherT)
	getCounted(t, o, otto, rep, false)
	mustContain(t, "before the erasure", getCounted(t, o, otto, rep, true).text(), "book fifteen meetings")
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/erasure", o.admin, map[string]any{"reason": "request"})
	if body := getCounted(t, o, otto, rep, false).text(); strings.Contains(body, "book fifteen meetings") || strings.Contains(body, "Ana Lima") {
		t.Errorf("Ana's page after her erasure still shows her text:\n%s", body)
	}
}

// TestWebWorkspaceLastMeeting: the workspace shows the latest meeting held
// and a skip recorded after it, not one before it, as meetings and skips
// are recorded (each one renders the kept page afresh).
func TestWebWorkspaceLastMeeting(t *testing.T) {
	o := newOrg(t)
	leo := newBrowser(t, o, o.leaderT)
	ws := "/ui/people/" + o.ana + "/one-on-one"
	section := func() string {
		t.Helper()
		body := getCounted(t, o, leo, ws, false).text()
		i := strings.Index(body, `id="last-title"`)
		end := strings.Index(body[i:], "</section>")
		return body[i : i+end]
	}
	if s := section(); !strings.Contains(s, "No meeting recorded yet.") || strings.Contains(s, "skipped") {
		t.Fatalf("before any meeting:\n%s", s)
	}
	skip := func(offset int, reason string) {
		o.Created(http.MethodPost, "/v1/people/"+o.ana+"/meetings/skipped", o.leaderT, map[string]any{"scheduled_for": day(offset), "reason": reason})
	}
	held := func(offset int, kind string) {
		o.Created(http.MethodPost, "/v1/people/"+o.ana+"/meetings", o.leaderT, map[string]any{
			"kind": kind, "held_at": day(offset) + "T10:00:00Z", "with_id": o.leader, "duration_minutes": 25})
	}
	skip(-30, "travel")
	if s := section(); !strings.Contains(s, "No meeting recorded yet.") || !strings.Contains(s, "skipped: travel") {
		t.Fatalf("after a skip:\n%s", s)
	}
	held(-20, "pipeline")
	if s := section(); !strings.Contains(s, "25 minutes") || strings.Contains(s, "skipped") {
		t.Fatalf("after a meeting: the skip before it still shows:\n%s", s)
	}
	for k := range 12 { // more entries than one read of the timeline takes
		skip(-19+k, "reason "+strconv.Itoa(k))
	}
	if s := section(); !strings.Contains(s, "skipped: reason 11") || strings.Contains(s, "reason 10") {
		t.Fatalf("after twelve skips: want the latest:\n%s", s)
	}
	held(-5, "performance")
	held(-3, "coaching")
	if s := section(); !strings.Contains(s, "Coaching") || strings.Contains(s, "skipped") {
		t.Fatalf("after two more meetings: want the latest, no skip:\n%s", s)
	}
}

var (
	readRequestID = regexp.MustCompile(`<td class="mono" title="([^"]*)"`)
	printedLine   = regexp.MustCompile(`Printed [^<]* by`)
	readsSection  = regexp.MustCompile(`(?s)<section class="card" aria-labelledby="reads-title">.*?</section>`)
)

// TestWebPIPKept: the PIP page is kept in the page cache but for its live
// parts. A second view is a hit, and still a read of its own: it lists the
// first view's read and its own first, and the API's audit has both; it
// carries this browser's CSRF token and the chain badge, and is otherwise
// the page rendered; HR's page has no form (its steps have pages of their
// own), the person's has the acknowledgement, its key fresh on each view. A check-in renders afresh; the
// person on the PIP gets their own page, without request ids. The PIP
// under another person's page is not found, and not read.
func TestWebPIPKept(t *testing.T) {
	o := newOrg(t)
	pip := openPIP(t, o)
	path := "/ui/people/" + o.ben + "/pips/" + pip
	hr := newBrowser(t, o, o.hr)
	first := getCounted(t, o, hr, path, false)
	again := getCounted(t, o, hr, path, true)
	ids1, ids2 := readRequestID.FindAllStringSubmatch(first.body, -1), readRequestID.FindAllStringSubmatch(again.body, -1)
	if len(ids1) != 1 || len(ids2) != 2 || ids2[1][1] != ids1[0][1] || ids2[0][1] == ids1[0][1] {
		t.Fatalf("the reads listed: %v, then %v; want the first view's read, then a new one above it", ids1, ids2)
	}
	var audit pipReads
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ben+"/pips/"+pip, o.hr, nil).Decode(t, &audit)
	if rs := *audit.Reads; len(rs) != 3 || rs[1].Via != "ui" || rs[2].Via != "ui" || rs[1].RequestID != ids2[0][1] || rs[2].RequestID != ids1[0][1] {
		t.Errorf("the API's audit after two views of the page: %+v; want both views' reads under the request ids the pages listed", rs)
	}
	for _, p := range []page{first, again} {
		mustContain(t, "a view", p.text(), "✓ Chain verified · 2 events", "Printed ", "Record a step")
	}
	if a, b := csrfValue.FindAllStringSubmatch(first.body, -1), csrfValue.FindAllStringSubmatch(again.body, -1); len(a) == 0 || len(a) != len(b) || a[0][1] != b[0][1] {
		t.Errorf("CSRF fields %v, then %v: one browser has one token", a, b)
	}
	if keys := keyValue.FindAllStringSubmatch(first.body+again.body, -1); len(keys) != 0 {
		t.Errorf("HR's PIP page carries %d form keys: its steps are pages of their own", len(keys))
	}
	keptAsRendered(t, first, again)

	foreign := "/ui/people/" + o.ana + "/pips/" + pip // Ben's PIP under Ana's page: not found, rendered or kept, and no read
	for i := range 2 {
		if code, _ := uiGet(t, o.URL, foreign, o.hr); code != http.StatusNotFound {
			t.Errorf("view %d of Ben's PIP under Ana's page: %d, want 404", i+1, code)
		}
	}

	o.Created(http.MethodPost, "/v1/people/"+o.ben+"/pips/"+pip+"/check-ins", o.leaderT, map[string]any{"on": day(-1), "note": "a slow start"})
	mustContain(t, "after a check-in", getCounted(t, o, hr, path, false).text(), "a slow start", "✓ Chain verified · 3 events")
	if ids := readRequestID.FindAllStringSubmatch(getCounted(t, o, hr, path, true).body, -1); len(ids) != 5 {
		t.Errorf("the fifth view lists %d reads with request ids, want 5", len(ids))
	}
	ben := newBrowser(t, o, o.benT)
	own := getCounted(t, o, ben, path, false)
	mustContain(t, "Ben's page", own.text(), "Who read this PIP", "a slow start")
	ownAgain := getCounted(t, o, ben, path, true) // with the acknowledgement form, whose key is fresh on each view
	k1, k2 := keyValue.FindAllStringSubmatch(own.body, -1), keyValue.FindAllStringSubmatch(ownAgain.body, -1)
	if len(k1) != 1 || len(k2) != 1 || k1[0][1] == k2[0][1] {
		t.Errorf("the acknowledgement form's keys: %v, then %v; want one, fresh on each view", k1, k2)
	}
	keptAsRendered(t, own, ownAgain)
	if reads := readsSection.FindString(own.body); readRequestID.MatchString(own.body) || strings.Contains(reads, "hr-service") || !strings.Contains(reads, "Ben Brook") {
		t.Errorf("Ben's page lists the reads with request ids or service names, or not his own:\n%s", reads)
	}
}

// keptAsRendered fails unless again, a kept page, is first, the page
// rendered, but for its reads, printed time and form keys.
func keptAsRendered(t *testing.T, first, again page) {
	t.Helper()
	norm := func(s string) string {
		return readsSection.ReplaceAllString(printedLine.ReplaceAllString(keyValue.ReplaceAllString(s, "KEY"), "PRINTED"), "READS")
	}
	if norm(first.body) != norm(again.body) {
		t.Errorf("the kept page differs from the rendered one beyond its reads, printed time and form keys:\n%s\n---\n%s", first.body, again.body)
	}
}

// TestWebPIPReadsErased: a reader's name, shown in the PIP page's reads,
// is gone from the page once that reader's data is erased.
func TestWebPIPReadsErased(t *testing.T) {
	o := newOrg(t)
	pip := openPIP(t, o)
	path := "/ui/people/" + o.ben + "/pips/" + pip
	if code, body := uiGet(t, o.URL, path, o.benT); code != http.StatusOK || !strings.Contains(readsSection.FindString(body), "Ben Brook") {
		t.Fatalf("Ben's own view: %d, reads %s", code, readsSection.FindString(body))
	}
	for range 2 { // HR's views list Ben's read under his name
		if code, body := uiGet(t, o.URL, path, o.hr); code != http.StatusOK || !strings.Contains(readsSection.FindString(body), "Ben Brook") {
			t.Fatalf("HR's view: %d, reads %s", code, readsSection.FindString(body))
		}
	}
	o.Created(http.MethodPost, "/v1/people/"+o.ben+"/erasure", o.hr, map[string]any{"reason": "request from Ben Brook"})
	code, body := uiGet(t, o.URL, path, o.hr)
	if code != http.StatusOK || strings.Contains(body, "Ben Brook") {
		t.Errorf("HR's view after the erasure: %d, reads %s", code, readsSection.FindString(body))
	}
}

// TestWebPIPKeptReads: a kept PIP page's list of reads, its rows copied
// from view to view (readRowMemo), lists the API's audit, newest first,
// with reads through the API, by the person on the PIP and by HR between
// the views; and its rows are byte for byte those of a page rendered
// whole: a ?reads=all view (no rows kept) lists its own read, the API
// read after the last view, then the rows that view listed.
func TestWebPIPKeptReads(t *testing.T) {
	o := newOrg(t)
	pip := openPIP(t, o)
	path := "/ui/people/" + o.ben + "/pips/" + pip
	hr, ben := newBrowser(t, o, o.hr), newBrowser(t, o, o.benT)
	rows := func(body string) []string {
		s := readsSection.FindString(body)
		_, s, _ = strings.Cut(s, "<tbody>")
		s, _, _ = strings.Cut(s, "</tbody>")
		return strings.SplitAfter(s, "</tr>")[:strings.Count(s, "</tr>")]
	}
	var last page
	for view := range 25 { // past the 20 rows the page lists
		switch view % 4 {
		case 1:
			o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ben+"/pips/"+pip, o.hr, nil)
		case 2:
			ben.get(path)
		}
		last = getCounted(t, o, hr, path, view > 0)
		ids := readRequestID.FindAllStringSubmatch(last.body, -1)
		var audit pipReads
		o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ben+"/pips/"+pip, o.hr, nil).Decode(t, &audit)
		all := (*audit.Reads)[1:] // the audit's own read first
		if len(ids) != min(len(all), 20) {
			t.Fatalf("view %d lists %d reads; the audit has %d", view, len(ids), len(all))
		}
		for i, id := range ids {
			if id[1] != all[i].RequestID {
				t.Fatalf("view %d, row %d: request %s; the audit's is %s", view, i, id[1], all[i].RequestID)
			}
		}
	}
	whole := hr.get(path + "?reads=all") // its own read, the last audit's, then the last view's rows
	kept, rendered := rows(last.body), rows(whole.body)
	if len(kept) != 20 || len(rendered) < 22 || strings.Join(rendered[2:22], "") != strings.Join(kept, "") {
		t.Errorf("the kept rows differ from the rows rendered whole after them:\n%s\n---\n%s", strings.Join(kept, "\n"), strings.Join(rendered, "\n"))
	}
}
