package api_test

import (
	"net/http"
	"testing"
)

func TestIdempotency(t *testing.T) {
	o := newOrg(t)
	path := "/v1/people/" + o.ana + "/commitments"
	body := map[string]any{"text": "send the proposal", "due_on": day(2)}
	first := o.Must(http.StatusCreated, http.MethodPost, path, o.anaT, body, "Idempotency-Key", "k-1")
	before := o.LastSeq()

	again := o.Must(http.StatusCreated, http.MethodPost, path, o.anaT, body, "Idempotency-Key", "k-1")
	if string(again.Body) != string(first.Body) || o.LastSeq() != before {
		t.Fatalf("repeat answered %s (seq %d), want %s and nothing appended (seq %d)", again.Body, o.LastSeq(), first.Body, before)
	}
	other := o.Must(http.StatusConflict, http.MethodPost, path, o.anaT, map[string]any{"text": "something else", "due_on": day(2)}, "Idempotency-Key", "k-1")
	if code := other.Map(t)["code"]; code != "idempotency_key_reused" {
		t.Fatalf("code = %v, want idempotency_key_reused", code)
	}

	// A resolution repeated after it succeeded answers as the first did, not 409.
	c := first.Map(t)["id"].(string)
	res := "/v1/people/" + o.ana + "/commitments/" + c + "/resolution"
	r1 := o.Must(http.StatusCreated, http.MethodPost, res, o.leaderT, map[string]any{"status": "kept"}, "Idempotency-Key", "res-1")

	// Registration derives the person id from the key, so it dedups too.
	reg := map[string]any{"name": "Dee Dupe", "email": "dee@example.com", "manager_id": o.leader}
	p1 := o.Must(http.StatusCreated, http.MethodPost, "/v1/people", o.admin, reg, "Idempotency-Key", "reg-1")

	o.Restart()
	before = o.LastSeq()
	r2 := o.Must(http.StatusCreated, http.MethodPost, res, o.leaderT, map[string]any{"status": "kept"}, "Idempotency-Key", "res-1")
	p2 := o.Must(http.StatusCreated, http.MethodPost, "/v1/people", o.admin, reg, "Idempotency-Key", "reg-1")
	if string(r2.Body) != string(r1.Body) || string(p2.Body) != string(p1.Body) || o.LastSeq() != before {
		t.Fatalf("after restart: %s / %s, want %s / %s with nothing appended", r2.Body, p2.Body, r1.Body, p1.Body)
	}
}

// TestIdempotencyCanonicalBody: a repeat is the same JSON whatever its key
// order and white space (SPEC §2), so it answers as the first did; a
// different value under the same key is still 409.
func TestIdempotencyCanonicalBody(t *testing.T) {
	o := newOrg(t)
	path := "/v1/people/" + o.ana + "/commitments"
	first := o.Must(http.StatusCreated, http.MethodPost, path, o.anaT,
		`{"text":"book 15 first meetings","due_on":"2026-11-27","metric":{"key":"activities","target":15}}`, "Idempotency-Key", "order-1")
	before := o.LastSeq()
	for _, body := range []string{
		`{"due_on":"2026-11-27","metric":{"target":15,"key":"activities"},"text":"book 15 first meetings"}`,
		"{ \"metric\" : {\"key\":\"activities\", \"target\":15},\n\t\"text\":\"book 15 first meetings\", \"due_on\":\"2026-11-27\" }",
	} {
		again := o.Must(http.StatusCreated, http.MethodPost, path, o.anaT, body, "Idempotency-Key", "order-1")
		if string(again.Body) != string(first.Body) || o.LastSeq() != before {
			t.Fatalf("%s answered %s (seq %d), want %s and nothing appended (seq %d)", body, again.Body, o.LastSeq(), first.Body, before)
		}
	}
	other := o.Must(http.StatusConflict, http.MethodPost, path, o.anaT,
		`{"due_on":"2026-11-27","metric":{"target":16,"key":"activities"},"text":"book 15 first meetings"}`, "Idempotency-Key", "order-1")
	if code := other.Map(t)["code"]; code != "idempotency_key_reused" {
		t.Fatalf("code = %v, want idempotency_key_reused", code)
	}
}
