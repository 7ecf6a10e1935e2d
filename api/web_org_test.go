package api_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestWebOrgForms: an admin registers a leader and two reps in the
// browser's forms, sets the leader's team standard and cadence, moves a
// rep to another leader and records the other's departure; the API reads
// back every step. A form sent twice registers one person, and a refused
// one keeps what was typed and records nothing.
func TestWebOrgForms(t *testing.T) {
	o := newOrg(t)
	b := newBrowser(t, o, o.admin)
	if r := b.get("/ui/"); r.status != http.StatusSeeOther || r.location != "/ui/people" {
		t.Errorf("the admin's home: %d %s, want 303 /ui/people", r.status, r.location)
	}
	register := func(name, email, manager string) string {
		t.Helper()
		f := b.get("/ui/people/new").form(t, "/ui/people")
		r := b.post("/ui/people", with(f, "name", name, "email", email, "title", "Account Executive", "manager_id", manager))
		m := regexp.MustCompile(`^/ui/people/([0-9a-f-]{36})/org\?`).FindStringSubmatch(r.location)
		if r.status != http.StatusSeeOther || m == nil {
			t.Fatalf("register %s: %d %s\n%s", name, r.status, r.location, r.body)
		}
		seq := o.LastSeq()
		again := b.post("/ui/people", with(f, "name", name, "email", email, "title", "Account Executive", "manager_id", manager))
		if !strings.HasPrefix(again.location, "/ui/people/"+m[1]+"/org?again=1") || o.LastSeq() != seq {
			t.Errorf("the same form sent again: %s, %d more messages; want the same person, already recorded, nothing appended", again.location, o.LastSeq()-seq)
		}
		return m[1]
	}
	lena := register("Lena Lead", "lena@example.com", o.owner)
	rex := register("Rex Rep", "rex@example.com", lena)
	ria := register("Ria Rep", "ria@example.com", lena)

	// A refused registration keeps what was typed and records nothing.
	f := b.get("/ui/people/new").form(t, "/ui/people")
	before := o.LastSeq()
	r := b.post("/ui/people", with(f, "name", "Nia Nobody", "email", "not an email", "manager_id", lena))
	if r.status != http.StatusUnprocessableEntity || o.LastSeq() != before {
		t.Fatalf("a bad email: %d, %d events; want 422 and none", r.status, o.LastSeq()-before)
	}
	mustContain(t, "the refused form", r.text(), `id="email-error">Email `, `value="Nia Nobody"`)

	org := "/ui/people/" + lena + "/org"
	page := b.get(org)
	r = b.post("/ui/people/"+lena+"/standards", with(page.form(t, "/ui/people/"+lena+"/standards"), "applies_to", "reports",
		"effective_from", day(0)[:8]+"01", "t.revenue", "200,000", "t.new_opportunities", "10", "t.win_rate", "0.4", "t.avg_deal_size", "50000"))
	if r.status != http.StatusSeeOther {
		t.Fatalf("set the standard: %d\n%s", r.status, r.body)
	}
	page = b.get(org)
	r = b.post("/ui/people/"+lena+"/cadence", with(page.form(t, "/ui/people/"+lena+"/cadence"), "every_days", "14"))
	if r.status != http.StatusSeeOther {
		t.Fatalf("set the cadence: %d\n%s", r.status, r.body)
	}
	var std struct {
		SourcePersonID string `json:"source_person_id"`
		Targets        []struct {
			Metric string
			Target float64
		}
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+rex+"/standard", o.admin, nil).Decode(t, &std)
	if std.SourcePersonID != lena || len(std.Targets) != 4 || std.Targets[0].Metric != "revenue" || std.Targets[0].Target != 200000 {
		t.Errorf("Rex's standard = %+v, want Lena's four targets, revenue 200,000", std)
	}
	var cad struct {
		EveryDays int `json:"every_days"`
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/managers/"+lena+"/cadence", o.admin, nil).Decode(t, &cad)
	if cad.EveryDays != 14 {
		t.Errorf("Lena's cadence = %d days, want 14", cad.EveryDays)
	}

	// Ria moves to Leo: her journal follows her.
	o.Created(http.MethodPost, "/v1/people/"+ria+"/metrics", o.admin, map[string]any{"period": lastWeek(), "source": "import",
		"values": map[string]any{"revenue": 50000, "new_opportunities": 3}})
	rp := "/ui/people/" + ria + "/org"
	r = b.post("/ui/people/"+ria+"/manager", with(b.get(rp).form(t, "/ui/people/"+ria+"/manager"), "manager_id", o.leader))
	if r.status != http.StatusSeeOther {
		t.Fatalf("move Ria: %d\n%s", r.status, r.body)
	}
	var person struct {
		ManagerID  *string `json:"manager_id"`
		DepartedOn *string `json:"departed_on"`
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+ria, o.admin, nil).Decode(t, &person)
	if person.ManagerID == nil || *person.ManagerID != o.leader {
		t.Errorf("Ria's manager = %v, want Leo", person.ManagerID)
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+ria+"/timeline?type=metrics.", o.leaderT, nil)
	o.Must(http.StatusNotFound, http.MethodGet, "/v1/people/"+ria+"/timeline", o.Token(lena, "member"), nil)

	// Rex departs.
	r = b.post("/ui/people/"+rex+"/departure", with(b.get("/ui/people/"+rex+"/org").form(t, "/ui/people/"+rex+"/departure"),
		"on", day(0), "reason", "moved abroad"))
	if r.status != http.StatusSeeOther {
		t.Fatalf("Rex's departure: %d\n%s", r.status, r.body)
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+rex, o.admin, nil).Decode(t, &person)
	if person.DepartedOn == nil || *person.DepartedOn != day(0) {
		t.Errorf("Rex departed on %v, want %s", person.DepartedOn, day(0))
	}
	dir := b.get("/ui/people?q=rep")
	mustContain(t, "the directory searched for rep", dir.text(), "Rex Rep", "Ria Rep", "left on ")
	if strings.Contains(dir.text(), "Olga Owner") {
		t.Errorf("the search for rep lists Olga Owner")
	}
}

// TestWebOrgStale: a form rendered before someone else changed the
// journal is refused (If-Match), shown again with what changed, and
// records nothing.
func TestWebOrgStale(t *testing.T) {
	o := newOrg(t)
	b := newBrowser(t, o, o.admin)
	f := b.get("/ui/people/"+o.leader+"/org").form(t, "/ui/people/"+o.leader+"/cadence")
	o.Created(http.MethodPost, "/v1/people/"+o.leader+"/cadence", o.leaderT, map[string]any{"every_days": 7})
	before := o.LastSeq()
	r := b.post("/ui/people/"+o.leader+"/cadence", with(f, "every_days", "14"))
	if r.status != http.StatusPreconditionFailed || o.LastSeq() != before {
		t.Fatalf("a stale form: %d, %d events; want 412 and none", r.status, o.LastSeq()-before)
	}
	mustContain(t, "the stale form", r.text(), "while this form was open", "Recorded meanwhile")
}

// TestWebOrgRefusals: a member reaches no admin form outside their view
// (404, as the API answers), is refused the forms on their own page that
// the API refuses them (403), and a forged post appends nothing.
func TestWebOrgRefusals(t *testing.T) {
	o := newOrg(t)
	ana := newBrowser(t, o, o.anaT)
	own := ana.get("/ui/people/" + o.ana + "/org")
	if own.status != http.StatusOK {
		t.Fatalf("Ana's own org page: %d", own.status)
	}
	for _, form := range []string{"departure", "manager", "standards", "cadence"} {
		if strings.Contains(own.body, `action="/ui/people/`+o.ana+`/`+form+`"`) {
			t.Errorf("Ana's own page offers her the %s form", form)
		}
	}
	cf := ana.get("/ui/people/"+o.ana+"/week").form(t, "/ui/people/"+o.ana+"/week") // a CSRF token and a key

	before := o.LastSeq()
	for _, tc := range []struct {
		path string
		want int
		api  string // the same write through the API
		body map[string]any
	}{
		{"/ui/people/" + o.ben + "/org", http.StatusNotFound, "", nil},
		{"/ui/people/" + o.ben + "/manager", http.StatusNotFound, "/v1/people/" + o.ben + "/manager", map[string]any{"manager_id": o.ana}},
		{"/ui/people/" + o.ben + "/departure", http.StatusNotFound, "/v1/people/" + o.ben + "/departure", map[string]any{"on": day(0), "reason": "x"}},
		{"/ui/people/" + o.leader + "/standards", http.StatusNotFound, "/v1/people/" + o.leader + "/standards", nil},
		{"/ui/people/" + o.ana + "/departure", http.StatusForbidden, "/v1/people/" + o.ana + "/departure", map[string]any{"on": day(0), "reason": "x"}},
		{"/ui/people/" + o.ana + "/manager", http.StatusForbidden, "/v1/people/" + o.ana + "/manager", map[string]any{"manager_id": o.other}},
		{"/ui/people", http.StatusForbidden, "/v1/people", map[string]any{"name": "Zed", "email": "zed@example.com", "manager_id": o.leader}},
	} {
		var r page
		if strings.HasSuffix(tc.path, "/org") {
			r = ana.get(tc.path)
		} else {
			r = ana.post(tc.path, with(cf, "manager_id", o.other, "on", day(0), "reason", "x", "name", "Zed", "email", "zed@example.com",
				"applies_to", "reports", "effective_from", day(0), "t.revenue", "1"))
		}
		if r.status != tc.want {
			t.Errorf("Ana at %s: %d, want %d", tc.path, r.status, tc.want)
		}
		if tc.api != "" && tc.body != nil {
			if got := o.Do(http.MethodPost, tc.api, o.anaT, tc.body); got.Status != tc.want {
				t.Errorf("the API at %s answers Ana %d, the UI %d", tc.api, got.Status, tc.want)
			}
		}
	}
	if after := o.LastSeq(); after != before {
		t.Errorf("refused posts moved the stream from %d to %d", before, after)
	}
	if r := ana.post("/ui/people/"+o.ana+"/cadence", with(cf, "_csrf", "forged", "every_days", "14")); r.status != http.StatusForbidden || o.LastSeq() != before {
		t.Errorf("a forged CSRF token: %d, %d events; want 403 and none", r.status, o.LastSeq()-before)
	}
	if r := newBrowser(t, o, o.analyst).get("/ui/people"); r.status != http.StatusForbidden {
		t.Errorf("the analyst's directory: %d, want 403", r.status)
	}
	// A leader's directory is their subtree.
	leo := newBrowser(t, o, o.leaderT).get("/ui/people")
	mustContain(t, "Leo's directory", leo.text(), "Ana Lima", "Ben Brook")
	if strings.Contains(leo.text(), "Cy Chen") {
		t.Errorf("Leo's directory lists Cy, who is outside his view")
	}
}

// TestWebCadenceSameAsAPI: for the same range the cadence page and GET
// /v1/managers/{id}/cadence give the same compliance, weeks missed and
// days since the last performance 1-on-1, and the page says the owner's
// own 1-on-1s with their leaders. A range the API refuses is refused in
// words beside its field.
func TestWebCadenceSameAsAPI(t *testing.T) {
	o := newOrg(t)
	held := func(rep, with, token string, offset int) {
		o.Created(http.MethodPost, "/v1/people/"+rep+"/meetings", token, map[string]any{
			"kind": "performance", "held_at": day(offset) + "T10:00:00Z", "with_id": with})
	}
	held(o.ana, o.leader, o.leaderT, -27)
	held(o.ana, o.leader, o.leaderT, -12)
	held(o.ben, o.leader, o.leaderT, -3)
	held(o.leader, o.owner, o.ownerT, -9)
	from, to := day(-27), day(-1)
	var api struct {
		Rows []struct {
			Name          string
			Compliance    *float64 `json:"compliance"`
			Windows       int
			WindowsMet    int  `json:"windows_met"`
			DaysSinceLast *int `json:"days_since_last_meeting"`
		}
		Leaders []struct {
			Name string
			Rows []struct {
				Name          string
				Compliance    *float64 `json:"compliance"`
				Windows       int
				WindowsMet    int  `json:"windows_met"`
				DaysSinceLast *int `json:"days_since_last_meeting"`
			}
		}
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/managers/"+o.owner+"/cadence?from="+from+"&to="+to, o.ownerT, nil).Decode(t, &api)
	ui := newBrowser(t, o, o.ownerT).get("/ui/cadence/" + o.owner + "?from=" + from + "&to=" + to)
	if ui.status != http.StatusOK {
		t.Fatalf("the cadence page: %d", ui.status)
	}
	mustContain(t, "the owner's cadence page", ui.text(), "Your 1-on-1s with your leaders")
	cell := func(report, attr string) string {
		m := regexp.MustCompile(`data-report="` + report + `">(?s:.*?)` + attr + `[^>]*>([^<]*)<`).FindStringSubmatch(ui.text())
		if m == nil {
			t.Fatalf("no %s for %s on the page", attr, report)
		}
		return strings.TrimSpace(m[1])
	}
	checked := 0
	for _, l := range api.Leaders {
		for _, row := range l.Rows {
			if row.DaysSinceLast == nil {
				continue
			}
			checked++
			if got, want := cell(row.Name, `data-days-since`), strconv.Itoa(*row.DaysSinceLast); !strings.HasPrefix(got, want) {
				t.Errorf("%s: the page says %q days since, the API %s", row.Name, got, want)
			}
			if got, want := cell(row.Name, `data-missed`), strconv.Itoa(row.Windows-row.WindowsMet)+" of "+strconv.Itoa(row.Windows); got != want {
				t.Errorf("%s: the page says %q missed, the API %s", row.Name, got, want)
			}
		}
	}
	leoRow := api.Rows[0]
	if got := cell(leoRow.Name, `data-days-since`); leoRow.DaysSinceLast == nil || !strings.HasPrefix(got, strconv.Itoa(*leoRow.DaysSinceLast)) {
		t.Errorf("the owner's own 1-on-1 with %s: page %q, API %v", leoRow.Name, got, leoRow.DaysSinceLast)
	}
	if checked < 2 || *api.Leaders[0].Rows[0].DaysSinceLast != 11 {
		t.Errorf("checked %d rows; Ana's days since = %v, want 11", checked, api.Leaders[0].Rows[0].DaysSinceLast)
	}
	bad := newBrowser(t, o, o.ownerT).get("/ui/cadence/" + o.owner + "?from=" + to + "&to=" + from)
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.text(), `id="from-error">From must be on or before`) {
		t.Errorf("from after to: %d, want 422 with the reason beside From", bad.status)
	}
	o.Must(http.StatusUnprocessableEntity, http.MethodGet, "/v1/managers/"+o.owner+"/cadence?from="+to+"&to="+from, o.ownerT, nil)
}

// TestWebOwnerLanding: the owner lands on their leaders' teams, each with
// its attainment, reps below 90%, cadence, and links to the leader's board
// and cadence; a leader without leaders below lands on their board.
func TestWebOwnerLanding(t *testing.T) {
	o := newOrg(t)
	o.Created(http.MethodPost, "/v1/people/"+o.leader+"/standards", o.leaderT, map[string]any{"applies_to": "reports", "effective_from": "2020-01-01",
		"targets": []map[string]any{{"metric": "revenue", "target": 100000, "kind": "lagging"}}})
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/metrics", o.leaderT, map[string]any{"period": day(0)[:7], "source": "manager",
		"values": map[string]any{"revenue": 80000}})
	b := newBrowser(t, o, o.ownerT)
	if r := b.get("/ui/"); r.status != http.StatusSeeOther || r.location != "/ui/leaders/"+o.owner {
		t.Fatalf("the owner's home: %d %s, want /ui/leaders/%s", r.status, r.location, o.owner)
	}
	if r := newBrowser(t, o, o.leaderT).get("/ui/"); r.location != "/ui/teams/"+o.leader {
		t.Errorf("the leader's home: %s, want the team board", r.location)
	}
	p := b.get("/ui/leaders/" + o.owner)
	mustContain(t, "the owner's view", p.text(), "Leo Leader's team", "Otto Other's team",
		`href="/ui/teams/`+o.leader+`"`, `href="/ui/cadence/`+o.leader+`"`, `href="/ui/teams/`+o.other+`"`,
		"80%", "1 of 1 with numbers")
	if r := newBrowser(t, o, o.anaT).get("/ui/leaders/" + o.owner); r.status != http.StatusNotFound {
		t.Errorf("Ana opening the owner's view: %d, want 404", r.status)
	}
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestWebOrgLeader: a leader registers a rep below themselves and may
// choose managers only in their own subtree; a move that would make a
// reporting cycle is refused beside its field and appends nothing.
func TestWebOrgLeader(t *testing.T) {
	o := newOrg(t)
	leo := newBrowser(t, o, o.leaderT)
	np := leo.get("/ui/people/new")
	if np.status != http.StatusOK || strings.Contains(np.body, `value="`+o.other+`"`) || strings.Contains(np.body, "Nobody: the top of the org") {
		t.Errorf("Leo's registration form: %d; it must offer only his subtree as managers", np.status)
	}
	r := leo.post("/ui/people", with(np.form(t, "/ui/people"), "name", "Lia Lane", "email", "lia@example.com", "manager_id", o.leader))
	if r.status != http.StatusSeeOther {
		t.Fatalf("Leo registers Lia: %d\n%s", r.status, r.body)
	}
	admin := newBrowser(t, o, o.admin)
	f := admin.get("/ui/people/"+o.leader+"/org").form(t, "/ui/people/"+o.leader+"/manager")
	before := o.LastSeq()
	r = admin.post("/ui/people/"+o.leader+"/manager", with(f, "manager_id", o.ana))
	if (r.status != http.StatusUnprocessableEntity && r.status != http.StatusConflict) || o.LastSeq() != before {
		t.Fatalf("moving Leo under his own report: %d, %d events; want 422 or 409 (the org's decision) and none", r.status, o.LastSeq()-before)
	}
	mustContain(t, "the refused move", r.text(), `id="manager_id-error">Manager `, "reporting cycle")
	if i := strings.Index(r.text(), "reporting cycle"); uuidRE.MatchString(r.text()[max(0, i-120):min(len(r.text()), i+120)]) {
		t.Errorf("the refusal names ids, not people: %s", r.text()[max(0, i-120):min(len(r.text()), i+120)])
	}
}

// TestWebOrgDepartureWithReports: a leader who still manages people
// cannot be recorded as departed (the store's org decision); the form says
// so in words, keeps what was typed, and nothing is appended.
func TestWebOrgDepartureWithReports(t *testing.T) {
	o := newOrg(t)
	b := newBrowser(t, o, o.admin)
	f := b.get("/ui/people/"+o.leader+"/org").form(t, "/ui/people/"+o.leader+"/departure")
	before := o.LastSeq()
	r := b.post("/ui/people/"+o.leader+"/departure", with(f, "on", day(0), "reason", "left"))
	if r.status != http.StatusConflict || o.LastSeq() != before {
		t.Fatalf("Leo's departure with reports: %d, %d messages; want 409 and none", r.status, o.LastSeq()-before)
	}
	mustContain(t, "the refusal", r.text(), "Leo Leader still manages people. Move them to another manager first", `value="left"`)
}
