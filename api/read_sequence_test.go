package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
)

// TestReadsSayTheirSequence: every read names the stream sequence its
// projections had applied, so a client can tell a replica that trails its
// writes; a read right after a write reflects at least that write, the
// second time from the read cache too.
func TestReadsSayTheirSequence(t *testing.T) {
	e := apitest.Start(t)
	admin := e.Token("admin-service", domain.RoleAdmin)
	ana := e.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": "Ana Lima", "email": "ana@example.com"})
	w := e.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+ana+"/commitments", admin, map[string]any{"text": "call", "due_on": "2030-01-01"})
	wrote, err := strconv.ParseUint(w.Header.Get("X-Journal-Sequence"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/v1/people/" + ana, "/v1/people/" + ana + "/commitments", "/v1/people/" + ana + "/commitments"} {
		r := e.Must(http.StatusOK, http.MethodGet, path, admin, nil)
		got, err := strconv.ParseUint(r.Header.Get("X-Projections-Sequence"), 10, 64)
		if err != nil || got < wrote {
			t.Errorf("GET %s: X-Projections-Sequence %q, want at least %d", path, r.Header.Get("X-Projections-Sequence"), wrote)
		}
	}
	if h := w.Header.Get("X-Projections-Sequence"); h != "" {
		t.Errorf("a write carries X-Projections-Sequence %q; it says X-Journal-Sequence", h)
	}
}

// TestReadsSayTheirLag: a replica whose projections trail the stream says
// by how much (X-Projections-Lag, from the stream's last sequence it
// learned in the background), and /readyz turns 503 past its ReadyLag. The
// replica held behind is a router over the same store whose projections
// never follow it.
func TestReadsSayTheirLag(t *testing.T) {
	e := apitest.Start(t)
	admin := e.Token("admin-service", domain.RoleAdmin)
	for i := range 3 {
		e.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": fmt.Sprintf("Rep %d", i), "email": "rep@example.com"})
	}
	if r := e.Must(http.StatusOK, http.MethodGet, "/v1/people", admin, nil); r.Header.Get("X-Projections-Lag") != "0" {
		t.Errorf("a caught-up replica says X-Projections-Lag %q, want 0", r.Header.Get("X-Projections-Lag"))
	}
	behind := httptest.NewServer(api.New(e.Store, projections.NewSet(), e.Tokens, api.Config{ReadyLag: 2}))
	defer behind.Close()
	get := func(path string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, behind.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	// The first read asks for the stream's head in the background; a
	// later one reports the lag against it.
	// Three registrations are six sequences: each is stored with its org
	// marker (eventstore/org.go), and the lag counts sequences.
	last := strconv.FormatUint(e.LastSeq(), 10)
	var lag string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if lag = get("/v1/people").Header.Get("X-Projections-Lag"); lag == last {
			break
		}
	}
	if lag != last {
		t.Errorf("a replica that applied nothing of %s sequences says X-Projections-Lag %q", last, lag)
	}
	if r := get("/readyz"); r.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz of a replica 6 sequences behind with ReadyLag 2: %d, want 503", r.StatusCode)
	}
}
