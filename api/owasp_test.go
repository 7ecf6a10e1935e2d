package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/api/web"
	"github.com/coachjournal/coachjournal/domain/clock"
)

// The OWASP API Security Top 10 (2023) as tests over the real service:
// API1 (object-level authorization) and API5 (function-level) here, API2
// (authentication) in owasp_tokens_test.go, API3 (property level) and API4
// (resource consumption) in owasp_limits_test.go.

// bolaFixture is Ana's journal with one of everything a path can name.
type bolaFixture struct {
	*org
	pip, commitment, meeting string
}

func newBOLAFixture(t *testing.T) *bolaFixture {
	t.Helper()
	f := &bolaFixture{org: newOrg(t)}
	f.Created(http.MethodPost, "/v1/people/"+f.leader+"/standards", f.admin, map[string]any{"applies_to": "reports", "effective_from": "2020-01-01",
		"targets": []map[string]any{{"metric": "revenue", "target": 1000, "kind": "lagging"}}})
	p := "/v1/people/" + f.ana
	f.commitment = f.Created(http.MethodPost, p+"/commitments", f.anaT, map[string]any{"text": "call ten clients", "due_on": day(5)})
	f.meeting = f.Created(http.MethodPost, p+"/meetings", f.leaderT, map[string]any{"kind": "coaching",
		"held_at": clock.Now().UTC().Add(-2 * time.Hour).Format(time.RFC3339), "with_id": f.leader})
	f.pip = f.Created(http.MethodPost, p+"/pips", f.hr, map[string]any{"reason": "under goal", "starts_on": day(-3), "ends_on": day(40),
		"goals": []map[string]any{{"text": "ten meetings"}}})
	return f
}

// fill puts the fixture's ids into a route's path parameters: every person
// parameter names Ana (or her leader, for team and manager routes).
func (f *bolaFixture) fill(path string) string {
	r := strings.NewReplacer(":manager_id", f.leader, ":pid", f.pip, ":cid", f.commitment, ":mid", f.meeting)
	path = r.Replace(path)
	if strings.HasPrefix(path, "/v1/managers/") || strings.HasPrefix(path, "/ui/teams/") || strings.HasPrefix(path, "/ui/cadence/") {
		return strings.Replace(path, ":id", f.leader, 1)
	}
	return strings.Replace(path, ":id", f.ana, 1)
}

// validBodies are well-formed bodies for the person-scoped writes, so that
// a missing visibility check would show as a write, not a 422.
func (f *bolaFixture) validBodies() map[string]any {
	held := clock.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	return map[string]any{
		"/v1/people/:id/manager":                        map[string]any{"manager_id": f.cy},
		"/v1/people/:id/departure":                      map[string]any{"on": day(0), "reason": "left"},
		"/v1/people/:id/erasure":                        map[string]any{"reason": "asked"},
		"/v1/people/:id/standards":                      map[string]any{"applies_to": "self", "effective_from": day(0), "targets": []map[string]any{{"metric": "revenue", "target": 1, "kind": "lagging"}}},
		"/v1/people/:id/cadence":                        map[string]any{"every_days": 7},
		"/v1/people/:id/metrics":                        map[string]any{"period": lastWeek(), "source": "manager", "values": map[string]any{"revenue": 1}},
		"/v1/people/:id/meetings":                       map[string]any{"kind": "performance", "held_at": held, "with_id": f.cy},
		"/v1/people/:id/meetings/skipped":               map[string]any{"scheduled_for": day(-1), "reason": "sick"},
		"/v1/people/:id/commitments":                    map[string]any{"text": "x", "due_on": day(3)},
		"/v1/people/:id/commitments/:cid/follow-ups":    map[string]any{"note": "n"},
		"/v1/people/:id/commitments/:cid/renegotiation": map[string]any{"new_due_on": day(20), "reason": "r"},
		"/v1/people/:id/commitments/:cid/resolution":    map[string]any{"status": "kept"},
		"/v1/people/:id/pips":                           map[string]any{"reason": "r", "starts_on": day(0), "ends_on": day(30), "goals": []map[string]any{{"text": "t"}}},
		"/v1/people/:id/pips/:pid/acknowledgement":      map[string]any{"comment": "ok"},
		"/v1/people/:id/pips/:pid/check-ins":            map[string]any{"on": day(0), "note": "n", "goals": []map[string]any{}},
		"/v1/people/:id/pips/:pid/revision":             map[string]any{"goals": []map[string]any{{"text": "t"}}, "reason": "r"},
		"/v1/people/:id/pips/:pid/extension":            map[string]any{"new_ends_on": day(60), "reason": "r"},
		"/v1/people/:id/pips/:pid/closure":              map[string]any{"outcome": "withdrawn", "note": "n"},
	}
}

// personScoped lists the router's routes that name a person (:id or
// :manager_id): the ones object-level authorization must guard.
func personScoped(t *testing.T, o *org) []struct{ Method, Path string } {
	t.Helper()
	e := api.New(o.Store, o.Views, o.Tokens, api.Config{})
	var out []struct{ Method, Path string }
	for _, r := range e.Routes() {
		if (strings.HasPrefix(r.Path, "/v1/") || strings.HasPrefix(r.Path, "/ui/")) &&
			(strings.Contains(r.Path, ":id") || strings.Contains(r.Path, ":manager_id")) {
			out = append(out, struct{ Method, Path string }{r.Method, r.Path})
		}
	}
	if len(out) < 30 {
		t.Fatalf("only %d person-scoped routes found: %v", len(out), out)
	}
	return out
}

// TestBOLA (API1): for every person-scoped route, a member of another team
// gets 404 (nothing says whether Ana exists) and the stream is unchanged;
// her own leader passes the same check on every read.
func TestBOLA(t *testing.T) {
	f := newBOLAFixture(t)
	bodies := f.validBodies()
	queries := map[string]string{"/v1/people/:id/scorecard": "?period=" + lastMonth(), "/v1/people/:id/standard": "?on=" + day(0),
		"/v1/teams/:manager_id/board": "?period=" + lastMonth()}
	before := f.LastSeq()
	for _, r := range personScoped(t, f.org) {
		path := f.fill(r.Path) + queries[r.Path]
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			if strings.HasPrefix(r.Path, "/ui/") && r.Method == http.MethodPost {
				// A form posted with a valid double-submit CSRF pair: the
				// view rule, not the CSRF check, must refuse it.
				if code := uiPost(t, f.URL, path, f.cyT); code != http.StatusNotFound {
					t.Errorf("Cy (another team) posting gets %d, want 404", code)
				}
				return
			}
			if strings.HasPrefix(r.Path, "/ui/") {
				if code, _ := uiGet(t, f.URL, path, f.cyT); code != http.StatusNotFound {
					t.Errorf("Cy (another team) gets %d, want 404", code)
				}
				if code, _ := uiGet(t, f.URL, path, f.leaderT); code != http.StatusOK {
					t.Errorf("Ana's leader gets %d, want 200", code)
				}
				return
			}
			body := bodies[r.Path]
			if r.Method == http.MethodPost && body == nil {
				body = map[string]any{}
			}
			if got := f.Do(r.Method, path, f.cyT, body); got.Status != http.StatusNotFound {
				t.Errorf("Cy (another team) gets %d, want 404: %s", got.Status, got.Body)
			}
			if r.Method == http.MethodGet {
				if got := f.Do(r.Method, path, f.leaderT, nil); got.Status != http.StatusOK {
					t.Errorf("Ana's leader gets %d, want 200: %s", got.Status, got.Body)
				}
			}
		})
	}
	if after := f.LastSeq(); after != before {
		t.Errorf("the stream moved from %d to %d", before, after)
	}
}

// TestListsStayInView (API1): lists and the event feed never show a row
// outside the caller's view.
func TestListsStayInView(t *testing.T) {
	f := newBOLAFixture(t)
	var people struct{ Items []struct{ ID string } }
	f.Must(http.StatusOK, http.MethodGet, "/v1/people?limit=500", f.cyT, nil).Decode(t, &people)
	for _, p := range people.Items {
		if p.ID != f.cy {
			t.Errorf("Cy's people list shows %s", p.ID)
		}
	}
	if r := f.Do(http.MethodGet, "/v1/people?manager_id="+f.leader, f.cyT, nil); r.Status != http.StatusNotFound &&
		(r.Status != http.StatusOK || strings.Contains(string(r.Body), f.ana)) {
		t.Errorf("Cy lists the leader's team: %d %s", r.Status, r.Body)
	}
	for _, path := range []string{"/v1/pips", "/v1/events", "/v1/events/stream"} {
		if r := f.Do(http.MethodGet, path, f.cyT, nil); r.Status != http.StatusForbidden {
			t.Errorf("%s as a member: %d, want 403", path, r.Status)
		}
	}
	f.Must(http.StatusNotFound, http.MethodGet, "/v1/audit/verify?person_id="+f.ana, f.cyT, nil)
	r := f.Must(http.StatusOK, http.MethodGet, "/v1/events?limit=500", f.analyst, nil)
	for _, secret := range []string{f.ana, f.leader, "call ten clients", "Ana Lima", "ana@example.com"} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("the analysts' feed shows %q", secret)
		}
	}
}

// TestFunctionLevelAuthorization (API5): reps and analysts calling HR and
// admin actions get 403, and nothing is written.
func TestFunctionLevelAuthorization(t *testing.T) {
	f := newBOLAFixture(t)
	a := "/v1/people/" + f.ana
	pip := a + "/pips/" + f.pip
	cases := []struct {
		name, method, path, token string
		body                      any
	}{
		{"rep erases herself", http.MethodPost, a + "/erasure", f.anaT, map[string]any{"reason": "r"}},
		{"analyst erases", http.MethodPost, a + "/erasure", f.analyst, map[string]any{"reason": "r"}},
		{"rep opens her own PIP", http.MethodPost, a + "/pips", f.anaT, map[string]any{"reason": "r", "starts_on": day(0), "ends_on": day(30), "goals": []map[string]any{{"text": "t"}}}},
		{"analyst opens a PIP", http.MethodPost, a + "/pips", f.analyst, map[string]any{"reason": "r", "starts_on": day(0), "ends_on": day(30), "goals": []map[string]any{{"text": "t"}}}},
		{"rep closes her PIP", http.MethodPost, pip + "/closure", f.anaT, map[string]any{"outcome": "succeeded", "note": "n"}},
		{"rep extends her PIP", http.MethodPost, pip + "/extension", f.anaT, map[string]any{"new_ends_on": day(60), "reason": "r"}},
		{"rep checks in on her PIP", http.MethodPost, pip + "/check-ins", f.anaT, map[string]any{"on": day(0), "note": "n", "goals": []map[string]any{}}},
		{"rep revises her PIP", http.MethodPost, pip + "/revision", f.anaT, map[string]any{"goals": []map[string]any{{"text": "t"}}, "reason": "r"}},
		{"leader acknowledges for Ana", http.MethodPost, pip + "/acknowledgement", f.leaderT, map[string]any{}},
		{"rep lists PIPs", http.MethodGet, "/v1/pips", f.anaT, nil},
		{"analyst lists PIPs", http.MethodGet, "/v1/pips", f.analyst, nil},
		{"analyst reads a PIP", http.MethodGet, pip, f.analyst, nil},
		{"analyst reads a person", http.MethodGet, a, f.analyst, nil},
		{"analyst verifies chains", http.MethodGet, "/v1/audit/verify", f.analyst, nil},
		{"rep reads the event feed", http.MethodGet, "/v1/events", f.anaT, nil},
		{"rep imports", http.MethodPost, "/v1/import", f.anaT, "{}"},
		{"analyst imports", http.MethodPost, "/v1/import", f.analyst, "{}"},
		{"analyst registers", http.MethodPost, "/v1/people", f.analyst, map[string]any{"name": "X", "email": "x@example.com"}},
		{"rep registers a peer", http.MethodPost, "/v1/people", f.anaT, map[string]any{"name": "X", "email": "x@example.com", "manager_id": f.leader}},
		{"rep moves herself", http.MethodPost, a + "/manager", f.anaT, map[string]any{"manager_id": f.other}},
		{"rep records her own departure", http.MethodPost, a + "/departure", f.anaT, map[string]any{"on": day(0), "reason": "r"}},
	}
	before := f.LastSeq()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if r := f.Do(c.method, c.path, c.token, c.body); r.Status != http.StatusForbidden {
				t.Errorf("%s %s: %d, want 403: %s", c.method, c.path, r.Status, r.Body)
			}
		})
	}
	if after := f.LastSeq(); after != before {
		t.Errorf("the stream moved from %d to %d", before, after)
	}
}

// uiPost posts a form to a UI route signed in with token, with a matching
// CSRF cookie and field, and returns the status.
func uiPost(t *testing.T, base, path, token string) int {
	t.Helper()
	form := url.Values{"_csrf": {"bola-csrf-token"}, "action": {"record"}, "kind": {"coaching"}, "reason": {"x"}}
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: web.CookieName, Value: token})
	req.AddCookie(&http.Cookie{Name: "coachjournal_csrf", Value: "bola-csrf-token"})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
