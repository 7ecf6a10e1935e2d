package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
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
