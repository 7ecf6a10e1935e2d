package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/google/uuid"
)

// TestSingleCommitmentAndMeeting: a commitment and a meeting can be read
// alone, with the journal's ETag, under the person's access rule: 404 for
// a caller who cannot see the person, for an id of someone else's
// resource, and for an id that is no resource.
func TestSingleCommitmentAndMeeting(t *testing.T) {
	o := newOrg(t)
	P := "/v1/people/"
	held := clock.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	mid := o.Created(http.MethodPost, P+o.ana+"/meetings", o.leaderT, map[string]any{"kind": "performance", "held_at": held, "with_id": o.leader,
		"duration_minutes": 30, "notes": "thin pipeline"})
	cid := o.Created(http.MethodPost, P+o.ana+"/commitments", o.anaT, map[string]any{"text": "book 15 first meetings", "due_on": day(4), "meeting_id": mid})
	o.Created(http.MethodPost, P+o.ana+"/commitments/"+cid+"/follow-ups", o.leaderT, map[string]any{"note": "9 booked", "progress": 0.6})

	r := o.Must(http.StatusOK, http.MethodGet, P+o.ana+"/commitments/"+cid, o.leaderT, nil)
	var cm struct {
		History []any `json:"history"`
	}
	m := r.Map(t)
	r.Decode(t, &cm)
	if m["id"] != cid || m["text"] != "book 15 first meetings" || m["status"] != "open" || m["meeting_id"] != mid || len(cm.History) != 2 {
		t.Errorf("commitment = %s", r.Body)
	}
	var person struct{ Version uint64 }
	o.Must(http.StatusOK, http.MethodGet, P+o.ana, o.anaT, nil).Decode(t, &person)
	if got, want := r.Header.Get("ETag"), etagOf(person.Version); got != want {
		t.Errorf("commitment ETag = %q, want the journal's %q", got, want)
	}

	r = o.Must(http.StatusOK, http.MethodGet, P+o.ana+"/meetings/"+mid, o.anaT, nil)
	mm := r.Map(t)
	if mm["meeting_id"] != mid || mm["kind"] != "performance" || mm["notes"] != "thin pipeline" || mm["with_id"] != o.leader {
		t.Errorf("meeting = %s", r.Body)
	}
	if cs, _ := mm["commitments"].([]any); len(cs) != 1 || cs[0] != cid {
		t.Errorf("meeting's commitments = %v, want [%s]", mm["commitments"], cid)
	}
	if r.Header.Get("ETag") != etagOf(person.Version) {
		t.Errorf("meeting ETag = %q", r.Header.Get("ETag"))
	}

	for _, tc := range []struct{ name, path, token string }{
		{"outside the view", P + o.ana + "/commitments/" + cid, o.cyT},
		{"outside the view", P + o.ana + "/meetings/" + mid, o.otherT},
		{"another person's", P + o.ben + "/commitments/" + cid, o.leaderT},
		{"another person's", P + o.ben + "/meetings/" + mid, o.leaderT},
		{"no such", P + o.ana + "/commitments/" + uuid.NewString(), o.leaderT},
		{"no such", P + o.ana + "/meetings/" + uuid.NewString(), o.leaderT},
		{"not an id", P + o.ana + "/meetings/x", o.leaderT},
		{"a commitment is not a meeting", P + o.ana + "/meetings/" + cid, o.leaderT},
	} {
		if r := o.Do(http.MethodGet, tc.path, tc.token, nil); r.Status != http.StatusNotFound {
			t.Errorf("%s: GET %s = %d %s, want 404", tc.name, tc.path, r.Status, r.Body)
		}
	}
	o.Must(http.StatusForbidden, http.MethodGet, P+o.ana+"/meetings/"+mid, o.analyst, nil)
}

func etagOf(v uint64) string { return `"` + strconv.FormatUint(v, 10) + `"` }
