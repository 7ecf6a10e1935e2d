package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/domain/clock"
)

// TestBadInput: every class of bad input answers its status and code,
// names the field, and leaves the stream unchanged.
func TestBadInput(t *testing.T) {
	o := newOrg(t)
	commitments := "/v1/people/" + o.ana + "/commitments"
	metrics := "/v1/people/" + o.ana + "/metrics"
	future := clock.Now().UTC().AddDate(0, 2, 0).Format("2006-01")
	cases := []struct {
		name, path string
		body       any
		status     int
		code       string
		field      string
	}{
		{"malformed", commitments, `{"text":`, 400, "malformed_json", ""},
		{"empty body", commitments, ``, 400, "malformed_json", ""},
		{"array", commitments, `[1]`, 400, "malformed_json", ""},
		{"trailing data", commitments, `{"text":"a","due_on":"2026-01-01"} {}`, 400, "malformed_json", ""},
		{"unknown field", commitments, `{"text":"a","due_on":"2026-01-01","commitment_id":"x"}`, 400, "unknown_field", "commitment_id"},
		{"server-owned actor", commitments, `{"text":"a","due_on":"2026-01-01","actor":{"id":"x"}}`, 400, "unknown_field", "actor"},
		{"wrong type", commitments, `{"text":5,"due_on":"2026-01-01"}`, 422, "validation_failed", "text"},
		{"missing text", commitments, `{"due_on":"2026-01-01"}`, 422, "validation_failed", "text"},
		{"bad date", commitments, `{"text":"a","due_on":"2026-13-01"}`, 422, "validation_failed", "due_on"},
		{"control character", commitments, `{"text":"a\u0007b","due_on":"2026-01-01"}`, 422, "validation_failed", "text"},
		{"too long", commitments, map[string]any{"text": strings.Repeat("x", 10001), "due_on": "2026-01-01"}, 422, "validation_failed", "text"},
		{"bad uuid in body", commitments, `{"text":"a","due_on":"2026-01-01","meeting_id":"nope"}`, 422, "validation_failed", "meeting_id"},
		{"bad uuid in path", "/v1/people/not-a-uuid/commitments", `{"text":"a","due_on":"2026-01-01"}`, 404, "not_found", "id"},
		{"bad metric key", metrics, `{"period":"2026-01","source":"self","values":{"Revenue":1}}`, 422, "validation_failed", "values.Revenue"},
		{"negative value", metrics, `{"period":"2026-01","source":"self","values":{"revenue":-1}}`, 422, "validation_failed", "values.revenue"},
		{"number out of range", metrics, `{"period":"2026-01","source":"self","values":{"revenue":1e400}}`, 422, "validation_failed", "values"},
		{"future period", metrics, `{"period":"` + future + `","source":"self","values":{"revenue":1}}`, 422, "validation_failed", "period"},
		{"bad period", metrics, `{"period":"2026-W60","source":"self","values":{"revenue":1}}`, 422, "validation_failed", "period"},
		{"oversized", commitments, `{"text":"` + strings.Repeat("x", 70<<10) + `","due_on":"2026-01-01"}`, 413, "payload_too_large", ""},
		{"name too long", "/v1/people", map[string]any{"name": strings.Repeat("n", 201), "email": "n@example.com", "manager_id": o.ana}, 422, "validation_failed", "name"},
		{"unknown manager", "/v1/people", map[string]any{"name": "N", "email": "n@example.com", "manager_id": "01936b2e-0000-7000-8000-000000000000"}, 422, "validation_failed", "manager_id"},
		{"bad email", "/v1/people", map[string]any{"name": "N", "email": "not an email", "manager_id": o.ana}, 422, "validation_failed", "email"},
		// Issue 15: text is valid UTF-8, refused rather than replaced by U+FFFD.
		{"invalid UTF-8", commitments, "{\"text\":\"a\xffb\",\"due_on\":\"2026-01-01\"}", 422, "validation_failed", "text"},
		{"encoded surrogate", commitments, "{\"text\":\"a\xed\xa0\x80b\",\"due_on\":\"2026-01-01\"}", 422, "validation_failed", "text"},
		{"lone high surrogate", commitments, `{"text":"a\ud800b","due_on":"2026-01-01"}`, 422, "validation_failed", "text"},
		{"high surrogate then not low", commitments, `{"text":"a\ud800\u0041","due_on":"2026-01-01"}`, 422, "validation_failed", "text"},
		{"lone low surrogate nested", commitments, `{"text":"a","due_on":"2026-01-01","metric":{"key":"\udc00","target":1}}`, 422, "validation_failed", "metric.key"},
		{"surrogate in an array", "/v1/people/" + o.ana + "/pips", `{"reason":"r","starts_on":"2026-01-05","ends_on":"2026-03-05","goals":[{"text":"ok"},{"text":"\udfff"}]}`, 422, "validation_failed", "goals[1].text"},
		// Issue 15: keys match exactly and appear once.
		{"case-mismatched key", commitments, `{"Text":"a","due_on":"2026-01-01"}`, 400, "unknown_field", "Text"},
		{"case-mismatched nested key", commitments, `{"text":"a","due_on":"2026-01-01","metric":{"KEY":"revenue","target":1}}`, 400, "unknown_field", "metric.KEY"},
		{"duplicate key", commitments, `{"text":"a","due_on":"2026-01-01","text":"b"}`, 400, "malformed_json", "text"},
		{"duplicate escaped key", commitments, `{"text":"a","due_on":"2026-01-01","\u0074ext":"b"}`, 400, "malformed_json", "text"},
		{"duplicate metric", metrics, `{"period":"2026-01","source":"self","values":{"revenue":1,"revenue":2}}`, 400, "malformed_json", "values.revenue"},
		// Issue 15: a null or empty body is no command.
		{"null body", commitments, `null`, 400, "malformed_json", ""},
		{"white space body", commitments, " \n", 400, "malformed_json", ""},
		{"manager: null body", "/v1/people/" + o.ana + "/manager", `null`, 400, "malformed_json", ""},
		{"manager: empty object", "/v1/people/" + o.ana + "/manager", `{}`, 422, "validation_failed", "manager_id"},
		// Issue 15: dates, periods and times lie between 1970 and 2100.
		{"year 1 due_on", commitments, `{"text":"a","due_on":"0001-01-01"}`, 422, "validation_failed", "due_on"},
		{"1969 due_on", commitments, `{"text":"a","due_on":"1969-12-31"}`, 422, "validation_failed", "due_on"},
		{"2101 due_on", commitments, `{"text":"a","due_on":"2101-01-01"}`, 422, "validation_failed", "due_on"},
		{"year 1 period", metrics, `{"period":"0001-01","source":"manager","values":{"revenue":1}}`, 422, "validation_failed", "period"},
		{"year 1 week", metrics, `{"period":"0001-W01","source":"manager","values":{"revenue":1}}`, 422, "validation_failed", "period"},
		{"year 1 held_at", "/v1/people/" + o.ana + "/meetings", map[string]any{"kind": "performance", "held_at": "0001-01-01T10:00:00Z", "with_id": o.leader}, 422, "validation_failed", "held_at"},
		{"year 1 scheduled_for", "/v1/people/" + o.ana + "/meetings/skipped", `{"scheduled_for":"0001-01-01","reason":"r"}`, 422, "validation_failed", "scheduled_for"},
		{"year 1 departure", "/v1/people/" + o.ana + "/departure", `{"on":"0001-01-01","reason":"r"}`, 422, "validation_failed", "on"},
		{"year 1 standard", "/v1/people/" + o.ana + "/standards", `{"applies_to":"self","effective_from":"0001-01-01","period":"month","targets":[{"metric":"revenue","target":1,"kind":"lagging"}]}`, 422, "validation_failed", "effective_from"},
		{"year 1 PIP", "/v1/people/" + o.ana + "/pips", `{"reason":"r","starts_on":"0001-01-01","ends_on":"0001-02-01","goals":[{"text":"g"}]}`, 422, "validation_failed", "starts_on"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := o.LastSeq()
			r := o.Do(http.MethodPost, tc.path, o.admin, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("Content-Type %q, want problem+json", ct)
			}
			var p struct {
				Status int
				Code   string
				Title  string
				Errors []struct{ Field, Message string }
			}
			r.Decode(t, &p)
			if p.Code != tc.code || p.Status != tc.status || p.Title == "" {
				t.Errorf("problem = %+v, want code %s", p, tc.code)
			}
			if tc.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tc.field) {
				t.Errorf("errors = %+v, want field %s named first", p.Errors, tc.field)
			}
			if after := o.LastSeq(); after != before {
				t.Errorf("stream moved from %d to %d", before, after)
			}
		})
	}
}

func TestStaleIfMatch(t *testing.T) {
	o := newOrg(t)
	r := o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ana, o.leaderT, nil)
	etag := r.Header.Get("ETag")
	o.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.leaderT,
		map[string]any{"text": "a", "due_on": day(1)}, "If-Match", etag)
	before := o.LastSeq()
	p := o.Must(http.StatusPreconditionFailed, http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.leaderT,
		map[string]any{"text": "b", "due_on": day(1)}, "If-Match", etag)
	if p.Map(t)["code"] != "precondition_failed" || o.LastSeq() != before {
		t.Fatalf("stale If-Match: %s; stream %d → %d", p.Body, before, o.LastSeq())
	}
}

// TestNullBodyRefused: on every write route of the router, a body that is
// null, empty or only white space is no command: 400 malformed_json and
// nothing appended (issue 15: null moved a person to the top of the org and
// acknowledged a PIP). The manager change takes an explicit null manager_id
// as the top of the org, but a missing one is 422.
func TestNullBodyRefused(t *testing.T) {
	o := newOrg(t)
	e := api.New(o.Store, o.Views, o.Tokens, api.Config{})
	other := "01936b2e-0000-7000-8000-00000000abcd"
	paths := strings.NewReplacer(":id", o.ana, ":cid", other, ":pid", other, ":nid", other)
	routes := 0
	for _, r := range e.Routes() {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Path, "/v1/") || r.Path == "/v1/import" || strings.HasPrefix(r.Path, "/v1/me/") ||
			strings.HasPrefix(r.Path, "/v1/admin/nudges/") {
			continue // the import reads NDJSON lines; marking a nudge read and replaying a delivery take no body
		}
		routes++
		for _, body := range []string{"null", " null\n", "", " \n"} {
			before := o.LastSeq()
			res := o.Do(http.MethodPost, paths.Replace(r.Path), o.admin, body)
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"malformed_json"`) || o.LastSeq() != before {
				t.Errorf("POST %s %q: %d %s (stream %d → %d), want 400 malformed_json and nothing appended", r.Path, body, res.Status, res.Body, before, o.LastSeq())
			}
		}
	}
	if routes < 15 {
		t.Fatalf("only %d write routes found", routes)
	}
	manager := "/v1/people/" + o.ana + "/manager"
	o.Must(http.StatusUnprocessableEntity, http.MethodPost, manager, o.admin, `{}`)
	o.Created(http.MethodPost, manager, o.admin, `{"manager_id":null}`)
	var ana struct {
		ManagerID *string `json:"manager_id"`
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ana, o.admin, nil).Decode(t, &ana)
	if ana.ManagerID != nil {
		t.Errorf("after an explicit null, manager_id = %v, want the top of the org", *ana.ManagerID)
	}
}
