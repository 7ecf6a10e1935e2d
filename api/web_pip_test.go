package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// pipLocation reads the PIP's page path from a redirect after a form.
var pipLocation = regexp.MustCompile(`/ui/people/[0-9a-f-]{36}/pips/([0-9a-f-]{36})`)

// TestWebPIP walks a PIP through the UI's forms as a browser without
// JavaScript sends them: HR opens it (a refused form first: errors beside
// their fields, nothing recorded, what was typed kept), the person
// acknowledges receipt on their own page, HR records a check-in, revises
// the goals, the person acknowledges again, HR extends and closes it; the
// API's audit view has every step, and the closure sent twice records once.
func TestWebPIP(t *testing.T) {
	o := newOrg(t)
	hr, ana := newBrowser(t, o, o.hr), newBrowser(t, o, o.anaT)
	rep := hr.get("/ui/people/" + o.ana)
	mustContain(t, "Ana's page for HR", rep.body, `href="/ui/people/`+o.ana+`/pips/new"`)
	newPath, openPath := "/ui/people/"+o.ana+"/pips/new", "/ui/people/"+o.ana+"/pips"
	pg := hr.get(newPath)
	if pg.status != http.StatusOK {
		t.Fatalf("the open form: %d", pg.status)
	}
	f := with(pg.form(t, openPath), "action", "open", "reason", "Win rate under 25% for three months",
		"starts_on", day(-3), "ends_on", day(5), "check_in_every_days", "7",
		"g1_text", "Win rate at 30% or more", "g1_target", "0.3", "g2_text", "Two role-plays a week")
	before := o.LastSeq()
	r := hr.post(openPath, f)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a target without its metric: %d, want 422: %s", r.status, r.text())
	}
	mustContain(t, "refused", r.text(), `id="g1_metric-error">Metric: choose what the target counts.`, `value="Two role-plays a week"`, "Win rate under 25%")
	f.Set("g1_metric", "win_rate")
	r = hr.post(openPath, f)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a PIP of 8 days: %d, want 422: %s", r.status, r.text())
	}
	mustContain(t, "refused", r.text(), `id="ends_on-error">End must be 14 to 180 days after the start (is 8).`)
	if strings.Contains(r.body, "starts_on (is") || strings.Contains(r.body, "goals[") {
		t.Error("the error names the API's fields")
	}
	if o.LastSeq() != before {
		t.Fatalf("refused forms appended %d events", o.LastSeq()-before)
	}
	f.Set("ends_on", day(40))
	r = hr.post(openPath, f)
	m := pipLocation.FindStringSubmatch(r.location)
	if r.status != http.StatusSeeOther || m == nil {
		t.Fatalf("open: %d %s, want 303 to the PIP: %s", r.status, r.location, r.text())
	}
	pipID, pipPath := m[1], "/ui/people/"+o.ana+"/pips/"+m[1]
	page := hr.get(strings.TrimPrefix(r.location, o.URL))
	mustContain(t, "the new PIP", page.text(), "Recorded: the PIP is open, and Ana Lima is asked to acknowledge it",
		"awaiting the new version", `href="/ui/people/`+o.leader+`"`, "Record a step")
	for _, route := range []string{"check-ins", "revision", "extension", "closure"} {
		mustContain(t, "the PIP page's steps", page.body, `href="`+pipPath+"/"+route+`"`)
		if strings.Contains(page.body, `action="`+pipPath+"/"+route+`"`) {
			t.Errorf("the PIP page carries the %s form: each step has a page of its own", route)
		}
	}
	if strings.Contains(page.body, `action="`+pipPath+`/acknowledgement"`) {
		t.Error("HR is offered the person's acknowledgement")
	}

	own := ana.get("/ui/people/" + o.ana)
	mustContain(t, "Ana's own page", own.text(), "awaits your acknowledgement", "received", "does <strong>not</strong> say that you agree", "Two role-plays a week")
	if strings.Contains(own.body, "/pips/new") {
		t.Error("Ana is offered to open a PIP on herself")
	}
	acked := ana.post(pipPath+"/acknowledgement", with(own.form(t, pipPath+"/acknowledgement"), "comment", "Understood."))
	if acked.status != http.StatusSeeOther {
		t.Fatalf("acknowledge: %d %s", acked.status, acked.text())
	}
	seen := ana.get(strings.TrimPrefix(acked.location, o.URL))
	mustContain(t, "Ana's PIP", seen.text(), "Recorded: your acknowledgement of receipt", "acknowledged")
	if strings.Contains(seen.body, "Record a step") {
		t.Error("Ana is offered HR's forms on her own PIP")
	}

	page = hr.get(pipPath + "/check-ins")
	mustContain(t, "the check-in's page", page.text(), "Record a check-in", "Performance improvement plan: Ana Lima", "Back to the PIP")
	goal := regexp.MustCompile(`name="s\.([0-9a-f-]{36})"`).FindAllStringSubmatch(page.body, -1)
	if len(goal) != 2 {
		t.Fatalf("the check-in form rates %d goals, want 2", len(goal))
	}
	mustContain(t, "the revision's metric choices", hr.get(pipPath+"/revision").body, `<option value="revenue">Revenue ($)</option>`)
	// Refused, each form names its fields in words beside them.
	refusals := []struct {
		route string
		kv    []string
		want  []string
	}{
		{"check-ins", []string{"on", day(3), "s." + goal[0][1], "bogus"},
			[]string{`id="on-error">Day of the check-in `, `id="s.` + goal[0][1] + `-error">Status needs one of the choices.`}},
		{"revision", []string{"action", "revise", "g1_text", "Win rate at 30% or more", "g1_target", "0.3", "reason", "Sharper goals"},
			[]string{`id="g1_metric-error">Metric: choose what the target counts.`}},
		{"extension", []string{"new_ends_on", day(1), "reason", "Holidays"}, []string{`id="new_ends_on-error">New end date `}},
	}
	for _, rf := range refusals {
		at := o.LastSeq()
		page = hr.get(pipPath + "/" + rf.route)
		r := hr.post(pipPath+"/"+rf.route, with(page.form(t, pipPath+"/"+rf.route), rf.kv...))
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("refused %s: %d, want 422: %s", rf.route, r.status, r.text())
		}
		mustContain(t, "refused "+rf.route, r.body, append(rf.want, "Back to the PIP", `action="`+pipPath+"/"+rf.route+`"`)...)
		if strings.Contains(r.body, "Who read this PIP") {
			t.Errorf("refused %s: shown on the PIP page, want the step's own page", rf.route)
		}
		if o.LastSeq() != at {
			t.Fatalf("a refused %s appended %d events", rf.route, o.LastSeq()-at)
		}
	}
	// Another goal row, without JavaScript: the revision's page again, one
	// row longer, with what was typed, and nothing recorded.
	at := o.LastSeq()
	grown := hr.post(pipPath+"/revision", with(hr.get(pipPath+"/revision").form(t, pipPath+"/revision"), "action", "add-row", "reason", "Typed before the new row"))
	if grown.status != http.StatusOK || !strings.Contains(grown.body, `id="g4_text"`) || strings.Contains(grown.body, `id="g5_text"`) ||
		!strings.Contains(grown.text(), "Typed before the new row") || !strings.Contains(grown.text(), "Revise the goals") || o.LastSeq() != at {
		t.Errorf("another goal row: %d, want the revision's page with four rows and the reason typed, nothing recorded (%d events)", grown.status, o.LastSeq()-at)
	}
	steps := []struct {
		route string
		kv    []string
		saved string
	}{
		{"check-ins", []string{"on", day(0), "note", "First week reviewed.", "s." + goal[0][1], "at_risk", "n." + goal[0][1], "22% so far", "s." + goal[1][1], "on_track"}, "the check-in"},
		{"revision", []string{"action", "revise", "g1_text", "Win rate at 30% or more", "g1_metric", "win_rate", "g1_target", "0.3", "g2_text", "Three role-plays a week", "reason", "Role-plays help; more of them"}, "the revised goals"},
	}
	for _, st := range steps {
		page = hr.get(pipPath + "/" + st.route)
		r := hr.post(pipPath+"/"+st.route, with(page.form(t, pipPath+"/"+st.route), st.kv...))
		if r.status != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", st.route, r.status, r.text())
		}
		mustContain(t, st.route, hr.get(strings.TrimPrefix(r.location, o.URL)).text(), "Recorded: "+st.saved)
	}
	own = ana.get("/ui/people/" + o.ana)
	mustContain(t, "asked again", own.text(), "were revised (version 2)", "Three role-plays a week")
	if r := ana.post(pipPath+"/acknowledgement", own.form(t, pipPath+"/acknowledgement")); r.status != http.StatusSeeOther {
		t.Fatalf("acknowledge again: %d %s", r.status, r.text())
	}
	page = hr.get(pipPath + "/extension")
	if r := hr.post(pipPath+"/extension", with(page.form(t, pipPath+"/extension"), "new_ends_on", day(60), "reason", "Holidays in the middle")); r.status != http.StatusSeeOther {
		t.Fatalf("extend: %d %s", r.status, r.text())
	}
	page = hr.get(pipPath + "/closure")
	mustContain(t, "the closure's page", page.text(), "Goals and their latest status", "Win rate at 30% or more: <strong>at risk</strong> (", "Three role-plays a week: <strong>on track</strong> (")
	closing := with(page.form(t, pipPath+"/closure"), "outcome", "succeeded", "note", "Win rate at 31% for the last month.")
	if r := hr.post(pipPath+"/closure", closing); r.status != http.StatusSeeOther {
		t.Fatalf("close: %d %s", r.status, r.text())
	}
	end := o.LastSeq()
	if again := hr.post(pipPath+"/closure", closing); again.status != http.StatusSeeOther || !strings.Contains(again.location, "again=1") || o.LastSeq() != end {
		t.Errorf("the closure sent twice: %d %s, %d new events; want an 'already recorded' page and none", again.status, again.location, o.LastSeq()-end)
	}
	page = hr.get(pipPath)
	mustContain(t, "closed", page.text(), "closed: succeeded", "Holidays in the middle", "Role-plays help; more of them", "Understood.")
	if strings.Contains(page.body, "Record a step") {
		t.Error("a closed PIP still offers forms")
	}
	for _, route := range []string{"check-ins", "revision", "extension", "closure"} {
		if r := hr.get(pipPath + "/" + route); r.status != http.StatusConflict || !strings.Contains(r.text(), "This PIP is closed: it takes no more entries.") || strings.Contains(r.body, `action="`+pipPath) {
			t.Errorf("the %s page of a closed PIP: %d, want 409 saying it is closed, without the form", route, r.status)
		}
	}

	var audit struct {
		State string
		Steps []struct{ Type string }
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ana+"/pips/"+pipID, o.hr, nil).Decode(t, &audit)
	var types []string
	for _, s := range audit.Steps {
		types = append(types, s.Type)
	}
	want := "pip.opened pip.acknowledged pip.checked_in pip.revised pip.acknowledged pip.extended pip.closed"
	if audit.State != "closed" || strings.Join(types, " ") != want {
		t.Errorf("the API's audit: %s %v, want closed with %s", audit.State, types, want)
	}
	if got := o.LastSeq() - before; got != 7 {
		t.Errorf("the walk appended %d events, want 7", got)
	}
}

// TestWebPIPForbidden: the person cannot reach HR's forms (403, as the API
// answers them), someone outside their view gets 404, HR cannot
// acknowledge for the person, and none of these forged posts, each with a
// valid CSRF token and key, appends anything.
func TestWebPIPForbidden(t *testing.T) {
	o := newOrg(t)
	pip := o.Created(http.MethodPost, "/v1/people/"+o.ana+"/pips", o.hr, map[string]any{
		"reason": "under target", "starts_on": day(-7), "ends_on": day(30),
		"goals": []map[string]any{{"text": "ten demos"}}})
	pipPath := "/ui/people/" + o.ana + "/pips/" + pip
	ana, ben, hr, leo := newBrowser(t, o, o.anaT), newBrowser(t, o, o.benT), newBrowser(t, o, o.hr), newBrowser(t, o, o.leaderT)
	key := ana.get("/ui/people/"+o.ana+"/week").form(t, "/ui/people/"+o.ana+"/week") // a real token and key, aimed elsewhere
	benKey := ben.get("/ui/people/"+o.ben+"/week").form(t, "/ui/people/"+o.ben+"/week")
	hrKey := hr.get(pipPath+"/closure").form(t, pipPath+"/closure")
	for _, tc := range []struct {
		who  *browser
		path string
		want int
	}{
		{ana, pipPath + "/check-ins", http.StatusForbidden},
		{ana, pipPath + "/closure", http.StatusForbidden},
		{ben, pipPath + "/check-ins", http.StatusNotFound},
		{leo, "/ui/people/" + o.ben + "/pips/" + pip + "/closure", http.StatusNotFound},
		{hr, pipPath + "/acknowledgement", http.StatusNotFound}, // a form on the PIP page, not a page
	} {
		if r := tc.who.get(tc.path); r.status != tc.want || strings.Contains(r.body, `action="`+tc.path+`"`) {
			t.Errorf("GET %s: %d, want %d without the form", tc.path, r.status, tc.want)
		}
	}
	if r := leo.get("/ui/people/" + o.ana + "/pips/new"); r.status != http.StatusOK || !strings.Contains(r.text(), "Ana Lima already has an active PIP") ||
		strings.Contains(r.body, `action="/ui/people/`+o.ana+`/pips"`) {
		t.Errorf("Ana's leader opening a second PIP's form: %d, want 200 saying she has one, without the form (the API lets leaders open one)", r.status)
	}
	for _, tc := range []struct {
		who  *browser
		path string
		form []string
		want int
	}{
		{ana, "/ui/people/" + o.ana + "/pips", []string{"reason", "x", "starts_on", day(0), "ends_on", day(30), "g1_text", "x"}, http.StatusForbidden},
		{ana, pipPath + "/check-ins", []string{"on", day(0), "note", "all fine"}, http.StatusForbidden},
		{ana, pipPath + "/closure", []string{"outcome", "succeeded", "note", "done"}, http.StatusForbidden},
		{ana, pipPath + "/extension", []string{"new_ends_on", day(60), "reason", "more time"}, http.StatusForbidden},
		{ana, pipPath + "/revision", []string{"g1_text", "nothing", "reason", "easier"}, http.StatusForbidden},
		{ben, pipPath + "/acknowledgement", nil, http.StatusNotFound},
		{ben, pipPath + "/closure", []string{"outcome", "succeeded", "note", "done"}, http.StatusNotFound},
		{ben, "/ui/people/" + o.ana + "/pips", []string{"reason", "x", "starts_on", day(0), "ends_on", day(30), "g1_text", "x"}, http.StatusNotFound},
		{hr, pipPath + "/acknowledgement", []string{"comment", "for her"}, http.StatusForbidden},
		{leo, "/ui/people/" + o.ben + "/pips/" + pip + "/closure", []string{"outcome", "succeeded", "note", "x"}, http.StatusNotFound},
	} {
		base := key
		switch tc.who {
		case ben:
			base = benKey
		case hr:
			base = hrKey
		case leo:
			base = leo.get("/ui/people/"+o.ana+"/week").form(t, "/ui/people/"+o.ana+"/week")
		}
		before := o.LastSeq()
		r := tc.who.post(tc.path, with(base, tc.form...))
		if r.status != tc.want {
			t.Errorf("POST %s: %d, want %d", tc.path, r.status, tc.want)
		}
		if o.LastSeq() != before {
			t.Errorf("POST %s appended %d events", tc.path, o.LastSeq()-before)
		}
	}
	if r := ana.get("/ui/people/" + o.ana + "/pips/new"); r.status != http.StatusForbidden {
		t.Errorf("Ana opening the form for a PIP on herself: %d, want 403", r.status)
	}
	if r := ben.get("/ui/people/" + o.ana + "/pips/new"); r.status != http.StatusNotFound {
		t.Errorf("Ben opening the form for Ana: %d, want 404", r.status)
	}
	// The API answers the same.
	o.Must(http.StatusForbidden, http.MethodPost, "/v1/people/"+o.ana+"/pips/"+pip+"/closure", o.anaT, map[string]any{"outcome": "succeeded", "note": "x"})
	o.Must(http.StatusNotFound, http.MethodPost, "/v1/people/"+o.ana+"/pips/"+pip+"/acknowledgement", o.benT, map[string]any{})
	o.Must(http.StatusForbidden, http.MethodPost, "/v1/people/"+o.ana+"/pips/"+pip+"/acknowledgement", o.hr, map[string]any{})
}

// TestWebPIPList: HR's list names the manager, the days left and the next
// check-in, marks one overdue, filters by state; an erased person's PIP
// is closed by the erasure there, on its page and in the API.
func TestWebPIPList(t *testing.T) {
	o := newOrg(t)
	open := func(person string, from, to int) string {
		return o.Created(http.MethodPost, "/v1/people/"+person+"/pips", o.hr, map[string]any{
			"reason": "under target", "starts_on": day(from), "ends_on": day(to), "goals": []map[string]any{{"text": "ten demos"}}})
	}
	open(o.ana, -10, 20) // due day(-3), missed; next due day(4)
	cy := open(o.cy, -5, 60)
	hr := newBrowser(t, o, o.hr)
	list := hr.get("/ui/pips?state=active")
	mustContain(t, "the list", list.text(), "Ana Lima", "Leo Leader", "overdue since "+longDate(day(-3)), "due "+longDate(day(4)), ">20<", "Cy Chen", "Otto Other")
	o.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+o.cy+"/erasure", o.admin, map[string]any{"reason": "asked under GDPR art. 17"})
	var view struct {
		State   string
		Outcome *string
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.cy+"/pips/"+cy, o.hr, nil).Decode(t, &view)
	if view.State != "closed" || view.Outcome == nil || *view.Outcome != "erased" {
		t.Errorf("the erased person's PIP in the API: %s %v, want closed, erased", view.State, view.Outcome)
	}
	if active := hr.get("/ui/pips?state=active").text(); strings.Contains(active, "Otto Other") {
		t.Error("the erased person's PIP is still listed as active")
	}
	mustContain(t, "closed list", hr.get("/ui/pips?state=closed").text(), "closed by the erasure of the person's data")
	page := hr.get("/ui/people/" + o.cy + "/pips/" + cy)
	mustContain(t, "erased PIP page", page.text(), "closed by the erasure of the person's data", "Erased")
	if strings.Contains(page.body, "Record a step") {
		t.Error("the erased person's PIP offers forms")
	}
}

// longDate is a YYYY-MM-DD day as the pages write it.
func longDate(d string) string {
	t, _ := time.Parse("2006-01-02", d)
	return t.Format("2 Jan 2006")
}

// TestWebPIPStale: a check-in form rendered before the person acknowledged
// is shown again with what was recorded meanwhile and what was typed,
// appending nothing; sent again from there, it records.
func TestWebPIPStale(t *testing.T) {
	o := newOrg(t)
	pip := o.Created(http.MethodPost, "/v1/people/"+o.ana+"/pips", o.hr, map[string]any{
		"reason": "under target", "starts_on": day(-7), "ends_on": day(30), "goals": []map[string]any{{"text": "ten demos"}}})
	pipPath := "/ui/people/" + o.ana + "/pips/" + pip
	hr := newBrowser(t, o, o.hr)
	f := with(hr.get(pipPath+"/check-ins").form(t, pipPath+"/check-ins"), "on", day(0), "note", "Typed before Ana acknowledged.")
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/pips/"+pip+"/acknowledgement", o.anaT, map[string]any{"comment": "seen"})
	before := o.LastSeq()
	r := hr.post(pipPath+"/check-ins", f)
	if r.status != http.StatusPreconditionFailed {
		t.Fatalf("stale check-in: %d, want 412", r.status)
	}
	mustContain(t, "stale page", r.text(), "while this form was open", "PIP acknowledged", "Typed before Ana acknowledged.")
	if o.LastSeq() != before {
		t.Errorf("a stale form appended %d events", o.LastSeq()-before)
	}
	again := with(r.form(t, pipPath+"/check-ins"), "on", day(0), "note", f.Get("note"))
	if r := hr.post(pipPath+"/check-ins", again); r.status != http.StatusSeeOther {
		t.Fatalf("sent again: %d %s", r.status, r.text())
	}
	if o.LastSeq() != before+1 {
		t.Errorf("sent again, the form appended %d events, want 1", o.LastSeq()-before)
	}
}
