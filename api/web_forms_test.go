package api_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/api/web"
)

// The UI's forms posted as a browser without JavaScript posts them: plain
// application/x-www-form-urlencoded with the CSRF cookie and token, through
// the real router over real JetStream.

// browser is a cookie-keeping client signed in with a token; it does not
// follow redirects, so that each test sees the 303 of post/redirect/get.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, o *org, token string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(o.URL + "/ui/")
	jar.SetCookies(u, []*http.Cookie{{Name: web.CookieName, Value: token, Path: "/ui"}})
	return &browser{t: t, base: o.URL, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status   int
	location string
	body     string
}

func (b *browser) get(path string) page {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	return b.read(resp)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	return b.read(resp)
}

func (b *browser) read(resp *http.Response) page {
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(body)}
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// form returns the hidden fields of the form whose action is action, as
// the page rendered them (CSRF token, key, version, open commitments…).
func (p page) form(t *testing.T, action string) url.Values {
	t.Helper()
	i := strings.Index(p.body, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form posting to %s on the page:\n%s", action, p.body)
	}
	end := strings.Index(p.body[i:], "</form>")
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(p.body[i:i+end], -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	if v.Get("_csrf") == "" || v.Get("_key") == "" {
		t.Fatalf("the form to %s has no CSRF token or key", action)
	}
	return v
}

// fieldValue reads the value a text input was rendered with.
func (p page) fieldValue(name string) string {
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func (p page) text() string { return html.UnescapeString(p.body) }

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// TestWebOneOnOne: the leader resolves last week's commitment and records
// a performance meeting with a diagnosis and two commitments in one post;
// each commitment is its own event tied to the meeting. Sent again (a
// double click, a resubmitted page) it appends nothing and says so.
func TestWebOneOnOne(t *testing.T) {
	o := newOrg(t)
	old := o.Created(http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.leaderT, map[string]any{"text": "book 10 demos", "due_on": day(-2)})
	b := newBrowser(t, o, o.leaderT)
	path := "/ui/people/" + o.ana + "/one-on-one"
	ws := b.get(path)
	if ws.status != http.StatusOK {
		t.Fatalf("workspace: %d %s", ws.status, ws.body)
	}
	mustContain(t, "workspace", ws.text(), "1-on-1 with Ana Lima", "book 10 demos", "overdue")
	f := with(ws.form(t, path), "action", "record",
		"r."+old+".outcome", "kept", "r."+old+".note", "done on Thursday",
		"kind", "performance", "held_at", ws.fieldValue("held_at"), "duration", "45",
		"notes", "Pipeline thin; agreed to block mornings for calls.", "diagnosis", "activity", "diagnosis_note", "half the opportunities",
		"c1_text", "book 15 first meetings", "c1_due", day(4), "c1_metric", "new_opportunities", "c1_target", "15",
		"c2_text", "role-play the discovery call", "c2_due", day(6))
	before := o.LastSeq()
	r := b.post(path, f)
	if r.status != http.StatusSeeOther {
		t.Fatalf("record: %d, want 303: %s", r.status, r.text())
	}
	if got := o.LastSeq() - before; got != 4 {
		t.Errorf("recorded %d events, want 4 (kept, meeting, two commitments)", got)
	}
	done := b.get(strings.TrimPrefix(r.location, o.URL))
	mustContain(t, "after the redirect", done.text(), "Recorded: the meeting, 2 new commitments, 1 commitment outcome",
		"Pipeline thin", "half the opportunities")

	var list struct {
		Items []struct {
			ID        string  `json:"id"`
			Text      string  `json:"text"`
			Status    string  `json:"status"`
			MeetingID *string `json:"meeting_id"`
		} `json:"items"`
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ana+"/commitments", o.leaderT, nil).Decode(t, &list)
	meetings := map[string]int{}
	for _, c := range list.Items {
		switch {
		case c.ID == old && c.Status != "kept":
			t.Errorf("last week's commitment is %s, want kept", c.Status)
		case c.ID != old && c.MeetingID == nil:
			t.Errorf("commitment %q has no meeting_id", c.Text)
		case c.ID != old:
			meetings[*c.MeetingID]++
		}
	}
	if len(list.Items) != 3 || len(meetings) != 1 {
		t.Errorf("commitments = %+v, want the old one and two tied to one meeting", list.Items)
	}

	again := b.post(path, f)
	if again.status != http.StatusSeeOther || !strings.Contains(again.location, "again=1") {
		t.Errorf("the same form sent again: %d %s, want 303 to an 'already recorded' page", again.status, again.location)
	}
	if got := o.LastSeq() - before; got != 4 {
		t.Errorf("after a double submit the stream holds %d new events, want 4", got)
	}
	mustContain(t, "double submit", b.get(strings.TrimPrefix(again.location, o.URL)).text(), "Already recorded")
}

// TestWebFormStale: a form rendered before someone else wrote is shown
// again with what changed and everything typed; nothing is appended; sent
// again from there, it records.
func TestWebFormStale(t *testing.T) {
	o := newOrg(t)
	b := newBrowser(t, o, o.leaderT)
	path := "/ui/people/" + o.ana + "/one-on-one"
	ws := b.get(path)
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.anaT, map[string]any{"text": "call the Acme buyer", "due_on": day(3)})
	f := with(ws.form(t, path), "action", "record", "kind", "coaching", "held_at", ws.fieldValue("held_at"),
		"notes", "Listened to two calls; the typed notes must survive.", "c1_text", "ask for the budget on every call", "c1_due", day(5))
	before := o.LastSeq()
	r := b.post(path, f)
	if r.status != http.StatusPreconditionFailed {
		t.Fatalf("stale form: %d, want 412", r.status)
	}
	if o.LastSeq() != before {
		t.Errorf("a stale form appended %d events", o.LastSeq()-before)
	}
	mustContain(t, "stale page", r.text(), "while this form was open", "call the Acme buyer",
		"Listened to two calls; the typed notes must survive.", `value="ask for the budget on every call"`)
	resend := r.form(t, path) // the page as shown again: the current version, the same key
	for _, k := range []string{"action", "kind", "held_at", "notes", "c1_text", "c1_due"} {
		resend.Set(k, f.Get(k))
	}
	if r = b.post(path, resend); r.status != http.StatusSeeOther {
		t.Fatalf("sent again after the conflict: %d, want 303: %s", r.status, r.text())
	}
	if got := o.LastSeq() - before; got != 2 {
		t.Errorf("sent again, the form recorded %d events, want 2 (meeting, commitment)", got)
	}
}

func mustContain(t *testing.T, where, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain %q", where, w)
		}
	}
}

// TestWebWeek: the rep enters the week's numbers (source self), then
// corrects them: the week shows the earlier numbers and asks for the
// reason, in words beside its field, before it records the correction.
// The leader enters numbers for a report as source manager.
func TestWebWeek(t *testing.T) {
	o := newOrg(t)
	o.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+o.leader+"/standards", o.leaderT, map[string]any{
		"applies_to": "reports", "effective_from": "2020-01-01", "targets": []map[string]any{
			{"metric": "new_opportunities", "target": 10, "kind": "leading"}, {"metric": "revenue", "target": 200000, "kind": "lagging"}}})
	rep := newBrowser(t, o, o.anaT)
	path := "/ui/people/" + o.ana + "/week"
	wk := rep.get(path)
	mustContain(t, "week form", wk.text(), "Your numbers", "New opportunities", "Revenue ($)")
	f := with(wk.form(t, path), "v.new_opportunities", "4", "v.revenue", "$12,500")
	before := o.LastSeq()
	r := rep.post(path, f)
	if r.status != http.StatusSeeOther {
		t.Fatalf("enter: %d %s", r.status, r.text())
	}
	wk = rep.get(strings.TrimPrefix(r.location, o.URL)) // the redirect's page: the same week, now with numbers
	mustContain(t, "after the redirect", wk.text(), "Recorded: the numbers for week")
	mustContain(t, "the week again", wk.text(), "already has numbers", "Reason for the correction", `value="12500"`)
	f = with(wk.form(t, path), "v.new_opportunities", "5", "v.revenue", "12500")
	r = rep.post(path, f)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("correction without a reason: %d, want 422", r.status)
	}
	mustContain(t, "refused correction", r.text(), "Reason for the correction is required", `value="5"`)
	if strings.Contains(r.text(), "correction_reason:") || strings.Contains(r.text(), "validation_failed") {
		t.Errorf("the error shows codes, not words")
	}
	f.Set("correction_reason", "one more opportunity came in on Friday")
	if r := rep.post(path, f); r.status != http.StatusSeeOther {
		t.Fatalf("correct: %d %s", r.status, r.text())
	}
	var tl struct {
		Items []struct {
			Type string `json:"type"`
			Data struct {
				Source string             `json:"source"`
				Values map[string]float64 `json:"values"`
				Reason *string            `json:"correction_reason"`
			} `json:"data"`
		} `json:"items"`
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ana+"/timeline?type=metrics.", o.leaderT, nil).Decode(t, &tl)
	if len(tl.Items) != 2 || tl.Items[0].Data.Source != "self" || tl.Items[0].Data.Values["revenue"] != 12500 ||
		tl.Items[1].Data.Values["new_opportunities"] != 5 || tl.Items[1].Data.Reason == nil {
		t.Errorf("submissions = %+v, want the entry and its correction, source self", tl.Items)
	}
	if got := o.LastSeq() - before; got != 2 {
		t.Errorf("%d events, want 2", got)
	}

	leader := newBrowser(t, o, o.leaderT)
	bpath := "/ui/people/" + o.ben + "/week"
	wk = leader.get(bpath)
	mustContain(t, "leader's form", wk.text(), "Ben Brook's numbers", "entered by a leader")
	if r := leader.post(bpath, with(wk.form(t, bpath), "v.new_opportunities", "7")); r.status != http.StatusSeeOther {
		t.Fatalf("leader enters: %d %s", r.status, r.text())
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ben+"/timeline?type=metrics.", o.leaderT, nil).Decode(t, &tl)
	if len(tl.Items) != 1 || tl.Items[0].Data.Source != "manager" {
		t.Errorf("Ben's submissions = %+v, want one, source manager", tl.Items)
	}
}

// TestWebFormsOutsideView: a member posting to a person outside their view
// gets 404 and the stream is unchanged, with a valid CSRF token and key.
func TestWebFormsOutsideView(t *testing.T) {
	o := newOrg(t)
	ana := newBrowser(t, o, o.anaT)
	own := ana.get("/ui/people/" + o.ana + "/one-on-one")
	f := own.form(t, "/ui/people/"+o.ana+"/one-on-one")
	wf := ana.get("/ui/people/"+o.ana+"/week").form(t, "/ui/people/"+o.ana+"/week")
	before := o.LastSeq()
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/ui/people/" + o.ben + "/one-on-one", with(f, "action", "record", "kind", "coaching", "held_at", own.fieldValue("held_at"), "notes", "x")},
		{"/ui/people/" + o.ben + "/one-on-one/skipped", with(f, "scheduled_for", day(0), "reason", "x")},
		{"/ui/people/" + o.leader + "/week", with(wf, "v.revenue", "1")},
		{"/ui/people/" + o.ben + "/one-on-one", with(f, "action", "add-row")},
	} {
		if r := ana.post(tc.path, tc.form); r.status != http.StatusNotFound {
			t.Errorf("Ana posting to %s: %d, want 404", tc.path, r.status)
		}
		if r := ana.get(tc.path); r.status != http.StatusNotFound && r.status != http.StatusMethodNotAllowed {
			t.Errorf("Ana opening %s: %d, want 404", tc.path, r.status)
		}
	}
	if after := o.LastSeq(); after != before {
		t.Errorf("refused posts moved the stream from %d to %d", before, after)
	}
	// Without the CSRF token nothing is recorded either.
	if r := ana.post("/ui/people/"+o.ana+"/week", with(wf, "_csrf", "forged", "v.revenue", "1")); r.status != http.StatusForbidden {
		t.Errorf("a forged CSRF token: %d, want 403", r.status)
	}
}

// TestWebFormErrors: errors appear beside their fields in words, nothing
// is recorded when any part is refused, and "add another row" shows the
// form again with what was typed and one more row.
func TestWebFormErrors(t *testing.T) {
	o := newOrg(t)
	b := newBrowser(t, o, o.leaderT)
	path := "/ui/people/" + o.ana + "/one-on-one"
	open := o.Created(http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.anaT, map[string]any{"text": "call the Acme buyer", "due_on": day(3)})
	ws := b.get(path)
	f := with(ws.form(t, path), "kind", "performance", "held_at", ws.fieldValue("held_at"), "duration", "2000",
		"notes", "kept notes", "c1_text", "call ten clients", "c3_text", "row three text")
	grown := b.post(path, with(f, "action", "add-row"))
	if grown.status != http.StatusOK || !strings.Contains(grown.body, `name="c4_text"`) || !strings.Contains(grown.body, `value="row three text"`) {
		t.Errorf("add another row: %d; want a fourth row and the typed text kept", grown.status)
	}
	before := o.LastSeq()
	r := b.post(path, with(grown.form(t, path), "action", "record", "kind", "performance", "held_at", ws.fieldValue("held_at"),
		"duration", "2000", "notes", "kept notes", "c1_text", "call ten clients", "c1_due", day(3), "c3_text", "row three text",
		"r."+open+".outcome", "renegotiate", "r."+open+".note", "the buyer is away"))
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid form: %d, want 422", r.status)
	}
	if o.LastSeq() != before {
		t.Errorf("a refused form appended %d events", o.LastSeq()-before)
	}
	mustContain(t, "errors", r.text(), `id="duration-error">Duration must be between 1 and 1440.`,
		`id="c3_due-error">Due date is required.`, "kept notes", `value="call ten clients"`,
		`id="r.`+open+`.due-error">New due date is required.`, `value="the buyer is away"`)
	for _, code := range []string{"due_on", "duration_minutes", "validation_failed"} {
		if strings.Contains(r.body, ">"+code) || strings.Contains(r.body, code+":") {
			t.Errorf("the page shows the code %q", code)
		}
	}
}

// TestWebWeekDerived: a standard that sets a win rate and an average deal
// size asks for the numbers they are computed from (deals won, new
// opportunities, revenue), never for the derived figures themselves.
func TestWebWeekDerived(t *testing.T) {
	o := newOrg(t)
	o.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+o.leader+"/standards", o.leaderT, map[string]any{
		"applies_to": "reports", "effective_from": "2020-01-01", "targets": []map[string]any{
			{"metric": "win_rate", "target": 0.4, "kind": "lagging"}, {"metric": "avg_deal_size", "target": 50000, "kind": "lagging"},
			{"metric": "activities", "target": 120, "kind": "leading"}}})
	wk := newBrowser(t, o, o.anaT).get("/ui/people/" + o.ana + "/week")
	for _, want := range []string{"v.activities", "v.deals_won", "v.new_opportunities", "v.revenue"} {
		if n := strings.Count(wk.body, `name="`+want+`"`); n != 1 {
			t.Errorf("the week form has %d fields %s, want 1", n, want)
		}
	}
	for _, derived := range []string{"v.win_rate", "v.avg_deal_size"} {
		if strings.Contains(wk.body, `name="`+derived+`"`) {
			t.Errorf("the week form asks for %s, which is computed", derived)
		}
	}
}
