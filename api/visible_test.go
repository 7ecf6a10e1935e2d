package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/google/uuid"
)

// TestWriteNotVisibleAnswers202: on a replica whose projections are held
// behind (they apply nothing while the follower delivers), a write is
// stored but this replica's reads do not show it: it answers 202 with
// "visible": false, its sequence and Retry-After, never a 201 that the
// next read contradicts. X-Min-Sequence with that sequence answers 503
// while the replica is behind, and the write once it has caught up. A web
// form's redirect page says the entry is recorded and will show shortly.
func TestWriteNotVisibleAnswers202(t *testing.T) {
	o := newOrgWith(t, apitest.Options{ReadWait: 200 * time.Millisecond})
	b := newBrowser(t, o, o.leaderT)
	ws := b.get("/ui/people/" + o.ben + "/one-on-one")
	skip := ws.form(t, "/ui/people/"+o.ben+"/one-on-one/skipped")

	release := o.HoldProjections()
	defer release()
	path := "/v1/people/" + o.ana + "/commitments"
	r := o.Do(http.MethodPost, path, o.anaT, map[string]any{"text": "call the held-back prospects", "due_on": day(3)})
	if r.Status != http.StatusAccepted {
		t.Fatalf("write on a replica held behind: %d %s, want 202", r.Status, r.Body)
	}
	var body struct {
		ID       string `json:"id"`
		Sequence uint64 `json:"sequence"`
		Visible  *bool  `json:"visible"`
	}
	r.Decode(t, &body)
	seq := r.Header.Get("X-Journal-Sequence")
	if body.Visible == nil || *body.Visible || r.Header.Get("Retry-After") == "" || seq != strconv.FormatUint(body.Sequence, 10) || body.ID == "" {
		t.Fatalf("202: headers %v body %s; want visible false, Retry-After and the sequence", r.Header, r.Body)
	}
	if last := o.LastSeq(); last != body.Sequence {
		t.Fatalf("stream at %d, want the write stored at %d", last, body.Sequence)
	}
	// The reason it is not a 201: a read here does not show it yet.
	if list := o.Must(http.StatusOK, http.MethodGet, path, o.anaT, nil); strings.Contains(string(list.Body), "held-back") {
		t.Fatal("the held replica shows the write: the test holds nothing")
	}
	far := o.Must(http.StatusServiceUnavailable, http.MethodGet, path, o.anaT, nil, "X-Min-Sequence", seq)
	if far.Header.Get("Retry-After") == "" {
		t.Errorf("X-Min-Sequence while behind: %v, want Retry-After", far.Header)
	}

	// An import likewise: 202, not 200.
	imp := o.Do(http.MethodPost, "/v1/import", o.admin, ndjson(t, map[string]any{"person_id": uuid.NewString(), "type": "person.registered",
		"data": map[string]any{"name": "Held Back", "email": "held@example.com"}}))
	if imp.Status != http.StatusAccepted || !strings.Contains(string(imp.Body), `"visible":false`) || imp.Header.Get("Retry-After") == "" {
		t.Errorf("import on a replica held behind: %d %v %s, want 202 visible false", imp.Status, imp.Header, imp.Body)
	}

	// A form: the redirect page says it is recorded and will show shortly.
	post := b.post("/ui/people/"+o.ben+"/one-on-one/skipped", with(skip, "scheduled_for", day(0), "reason", "out sick"))
	if post.status != http.StatusSeeOther || !strings.Contains(post.location, "pending=1") {
		t.Fatalf("form on a replica held behind: %d to %q, want 303 saying pending", post.status, post.location)
	}
	release()
	o.Must(http.StatusOK, http.MethodGet, path, o.anaT, nil, "X-Min-Sequence", seq)
	if list := o.Must(http.StatusOK, http.MethodGet, path, o.anaT, nil); !strings.Contains(string(list.Body), "held-back") {
		t.Fatalf("after catching up the write is not shown: %s", list.Body)
	}
	done := b.get(strings.TrimPrefix(post.location, o.URL))
	mustContain(t, "after the redirect", done.text(), "Recorded: the meeting as skipped. It will show on this page shortly")

	// Caught up, writes are 201 and visible.
	r = o.Do(http.MethodPost, path, o.anaT, map[string]any{"text": "one more", "due_on": day(3)})
	if r.Status != http.StatusCreated || !strings.Contains(string(r.Body), `"visible":true`) {
		t.Fatalf("write when caught up: %d %s, want 201 visible", r.Status, r.Body)
	}
}
