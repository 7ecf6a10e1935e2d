package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain/clock"
)

// A leader records a rep's departure: the person shows it, the journal
// takes no new coaching events (409, nothing appended), and what was
// open can still be closed out.
func TestDeparture(t *testing.T) {
	o := newOrg(t)
	cid := o.Created(http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.anaT, map[string]any{"text": "ten calls a day", "due_on": day(7)})

	w := o.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+o.ana+"/departure", o.leaderT,
		map[string]any{"on": day(0), "reason": "left for a competitor"})
	seq := w.Header.Get("X-Journal-Sequence")
	var person struct {
		DepartedOn string `json:"departed_on"`
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ana, o.leaderT, nil, "X-Min-Sequence", seq).Decode(t, &person)
	if person.DepartedOn != day(0) {
		t.Errorf("departed_on = %q, want %s", person.DepartedOn, day(0))
	}

	before := o.LastSeq()
	for _, tc := range []struct{ name, path string }{
		{"commitment", "/commitments"},
		{"meeting", "/meetings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"text": "one more", "due_on": day(7)}
			if tc.name == "meeting" {
				body = map[string]any{"kind": "coaching", "with_id": o.leader, "held_at": clock.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "duration_minutes": 30}
			}
			m := o.Must(http.StatusConflict, http.MethodPost, "/v1/people/"+o.ana+tc.path, o.leaderT, body).Map(t)
			if m["code"] != "conflict" {
				t.Errorf("code = %v, want conflict: %v", m["code"], m)
			}
		})
	}
	if after := o.LastSeq(); after != before {
		t.Errorf("refused writes moved the stream from %d to %d", before, after)
	}
	// The same writes are fine on a rep who stays.
	o.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+o.ben+"/commitments", o.leaderT, map[string]any{"text": "one more", "due_on": day(7)})
	o.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+o.ben+"/meetings", o.leaderT,
		map[string]any{"kind": "coaching", "with_id": o.leader, "held_at": clock.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "duration_minutes": 30})
	o.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+o.ana+"/commitments/"+cid+"/resolution", o.leaderT,
		map[string]any{"status": "missed", "note": "left before the due date"})
}
