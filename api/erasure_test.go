package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain/clock"
)

// TestErasure: after person.erased, the person's names and texts read
// "[erased]" in every response, numbers stay, and the chain still verifies.
func TestErasure(t *testing.T) {
	o := newOrg(t)
	p := "/v1/people/" + o.ana
	o.Created(http.MethodPost, p+"/metrics", o.anaT, map[string]any{"period": lastWeek(), "source": "self", "values": map[string]any{"revenue": 12345}})
	o.Created(http.MethodPost, p+"/meetings", o.leaderT, map[string]any{"kind": "performance", "with_id": o.leader,
		"held_at": clock.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "notes": "Ana struggles with discovery calls"})
	o.Created(http.MethodPost, p+"/commitments", o.anaT, map[string]any{"text": "shadow Ben on three discovery calls", "due_on": day(3)})
	o.Created(http.MethodPost, p+"/pips", o.hr, map[string]any{"reason": "Ana missed quota twice", "starts_on": day(0), "ends_on": day(30),
		"goals": []map[string]any{{"text": "Ana books ten meetings"}}})

	o.Created(http.MethodPost, p+"/erasure", o.hr, map[string]any{"reason": "request from Ana Lima"})

	secrets := []string{"Ana Lima", "ana@example.com", "discovery calls", "shadow Ben", "missed quota", "books ten"}
	var pips struct {
		Items []struct{ ID string }
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/pips", o.hr, nil).Decode(t, &pips)
	reads := []string{p, p + "/timeline", p + "/commitments", "/v1/pips", p + "/pips/" + pips.Items[0].ID, "/v1/people?manager_id=" + o.leader}
	for _, path := range reads {
		r := o.Must(http.StatusOK, http.MethodGet, path, o.hr, nil)
		for _, s := range secrets {
			if strings.Contains(string(r.Body), s) {
				t.Errorf("%s still shows %q: %s", path, s, r.Body)
			}
		}
		if !strings.Contains(string(r.Body), "[erased]") {
			t.Errorf("%s shows no [erased] marker", path)
		}
	}
	if r := o.Must(http.StatusOK, http.MethodGet, p+"/timeline?type=metrics.", o.hr, nil); !strings.Contains(string(r.Body), "12345") {
		t.Errorf("numbers must stay after erasure: %s", r.Body)
	}
	var rep struct{ Broken []any }
	o.Must(http.StatusOK, http.MethodGet, "/v1/audit/verify?person_id="+o.ana, o.hr, nil).Decode(t, &rep)
	if len(rep.Broken) != 0 {
		t.Fatalf("verify after erasure: %+v", rep)
	}
	o.Must(http.StatusConflict, http.MethodPost, p+"/commitments", o.leaderT, map[string]any{"text": "x", "due_on": day(1)})

	// After a restart (a full rebuild from the stream), still erased.
	o.Restart()
	r := o.Must(http.StatusOK, http.MethodGet, p+"/timeline", o.hr, nil)
	for _, s := range secrets {
		if strings.Contains(string(r.Body), s) {
			t.Errorf("after restart the timeline shows %q", s)
		}
	}
}
