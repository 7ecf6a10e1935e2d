package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestBadInput: every class of bad input answers its status and code,
// names the field, and leaves the stream unchanged.
func TestBadInput(t *testing.T) {
	o := newOrg(t)
	commitments := "/v1/people/" + o.ana + "/commitments"
	metrics := "/v1/people/" + o.ana + "/metrics"
	future := time.Now().UTC().AddDate(0, 2, 0).Format("2006-01")
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
