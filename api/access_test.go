package api_test

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/domain"
)

func TestAuthentication(t *testing.T) {
	o := newOrg(t)
	other, _ := api.NewTokens([]byte("another-key-another-key-another-key!"))
	wrongSig, _ := other.Mint(o.ana, domain.RoleMember, time.Hour)
	expired, _ := o.Tokens.Mint(o.ana, domain.RoleMember, -time.Minute)
	b64 := base64.RawURLEncoding.EncodeToString
	none := b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
		b64([]byte(`{"sub":"`+o.ana+`","role":"admin","exp":`+strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)+`}`)) + "."
	huge := make([]byte, 5000)
	for i := range huge {
		huge[i] = 'a'
	}
	for name, tok := range map[string]string{"missing": "", "wrong signature": wrongSig, "expired": expired, "alg none": none, "oversized": string(huge)} {
		t.Run(name, func(t *testing.T) {
			r := o.Do(http.MethodGet, "/v1/people/"+o.ana, tok, nil)
			if r.Status != http.StatusUnauthorized || r.Map(t)["code"] != "unauthorized" {
				t.Fatalf("status %d %s, want 401 unauthorized", r.Status, r.Body)
			}
		})
	}
}

func TestAccess(t *testing.T) {
	o := newOrg(t)
	pip := o.Created(http.MethodPost, "/v1/people/"+o.ben+"/pips", o.hr, map[string]any{
		"reason": "below standard", "starts_on": day(0), "ends_on": day(30), "goals": []map[string]any{{"text": "more pipeline"}}})
	cases := []struct {
		name, method, path, token string
		body                      any
		status                    int
	}{
		{"rep reads own journal", "GET", "/v1/people/" + o.ana, o.anaT, nil, 200},
		{"leader reads report", "GET", "/v1/people/" + o.ana + "/timeline", o.leaderT, nil, 200},
		{"owner reads two levels down", "GET", "/v1/people/" + o.ana + "/commitments", o.ownerT, nil, 200},
		{"member of another team", "GET", "/v1/people/" + o.ana, o.cyT, nil, 404},
		{"other leader", "GET", "/v1/people/" + o.ana + "/timeline", o.otherT, nil, 404},
		{"rep reads their manager", "GET", "/v1/people/" + o.leader, o.anaT, nil, 404},
		{"rep reads a peer", "GET", "/v1/people/" + o.ben, o.anaT, nil, 404},
		{"rep reads a peer's PIP", "GET", "/v1/people/" + o.ben + "/pips/" + pip, o.anaT, nil, 404},
		{"unknown person", "GET", "/v1/people/01936b2e-0000-7000-8000-000000000000", o.hr, nil, 404},
		{"analyst reads a person", "GET", "/v1/people/" + o.ana, o.analyst, nil, 403},
		{"analyst lists people", "GET", "/v1/people", o.analyst, nil, 403},
		{"member lists PIPs", "GET", "/v1/pips", o.leaderT, nil, 403},
		{"rep closes own PIP", "POST", "/v1/people/" + o.ben + "/pips/" + pip + "/closure", o.benT, map[string]any{"outcome": "succeeded", "note": "done"}, 403},
		{"rep extends own PIP", "POST", "/v1/people/" + o.ben + "/pips/" + pip + "/extension", o.benT, map[string]any{"new_ends_on": day(40), "reason": "x"}, 403},
		{"leader acknowledges for the rep", "POST", "/v1/people/" + o.ben + "/pips/" + pip + "/acknowledgement", o.leaderT, map[string]any{}, 403},
		{"member writes outside view", "POST", "/v1/people/" + o.ana + "/commitments", o.cyT, map[string]any{"text": "x", "due_on": day(1)}, 404},
		{"rep erases", "POST", "/v1/people/" + o.ana + "/erasure", o.anaT, map[string]any{"reason": "x"}, 403},
		{"rep moves themselves", "POST", "/v1/people/" + o.ana + "/manager", o.anaT, map[string]any{"manager_id": o.other}, 403},
		{"rep registers a top-level person", "POST", "/v1/people", o.anaT, map[string]any{"name": "X", "email": "x@example.com"}, 403},
		{"analyst writes", "POST", "/v1/people/" + o.ana + "/commitments", o.analyst, map[string]any{"text": "x", "due_on": day(1)}, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := o.LastSeq()
			r := o.Do(tc.method, tc.path, tc.token, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.method == "POST" && o.LastSeq() != before {
				t.Fatalf("a refused write moved the stream")
			}
		})
	}
}

// TestContinuity: a rep moved to another manager takes their whole history
// along; the old manager no longer sees it.
func TestContinuity(t *testing.T) {
	o := newOrg(t)
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.anaT, map[string]any{"text": "first", "due_on": day(1)})
	o.Must(http.StatusNotFound, http.MethodGet, "/v1/people/"+o.ana+"/timeline", o.otherT, nil)
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/manager", o.ownerT, map[string]any{"manager_id": o.other})
	var tl struct{ Items []any }
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ana+"/timeline", o.otherT, nil).Decode(t, &tl)
	if len(tl.Items) != 3 {
		t.Fatalf("new manager sees %d entries, want 3 (registered, commitment, move)", len(tl.Items))
	}
	o.Must(http.StatusNotFound, http.MethodGet, "/v1/people/"+o.ana+"/timeline", o.leaderT, nil)
	// Moving the owner under someone below them would make a cycle: a
	// conflict with the org as it stands (domain.DecideOrg), naming the field.
	r := o.Must(http.StatusConflict, http.MethodPost, "/v1/people/"+o.owner+"/manager", o.admin, map[string]any{"manager_id": o.ana})
	if r.Map(t)["errors"].([]any)[0].(map[string]any)["field"] != "manager_id" {
		t.Fatalf("cycle error = %s", r.Body)
	}
}
