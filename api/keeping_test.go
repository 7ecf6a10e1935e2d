package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/google/uuid"
)

// sameJSON fails unless got (a response body) and want (a value) are the
// same JSON document once the top-level keys in skip are dropped.
func sameJSON(t *testing.T, got []byte, want any, skip ...string) {
	t.Helper()
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatalf("decode %s: %v", got, err)
	}
	_ = json.Unmarshal(w, &b)
	for _, k := range skip {
		delete(a, k)
		delete(b, k)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatalf("response =\n%s\nwant\n%s", ja, jb)
	}
}

func TestCommitmentHistory(t *testing.T) {
	o := newOrg(t)
	p := "/v1/people/" + o.ana
	c1 := o.Created(http.MethodPost, p+"/commitments", o.anaT, map[string]any{"text": "book 15 first meetings", "due_on": day(3)})
	c2 := o.Created(http.MethodPost, p+"/commitments", o.anaT, map[string]any{"text": "call 5 old clients", "due_on": day(-1)})
	c3 := o.Created(http.MethodPost, p+"/commitments", o.anaT, map[string]any{"text": "update the CRM", "due_on": day(1)})
	o.Created(http.MethodPost, p+"/commitments/"+c3+"/renegotiation", o.leaderT, map[string]any{"new_due_on": day(5), "reason": "holiday"})
	time.Sleep(5 * time.Millisecond)
	before := clock.Now().UTC()
	time.Sleep(5 * time.Millisecond)
	o.Created(http.MethodPost, p+"/commitments/"+c1+"/resolution", o.leaderT, map[string]any{"status": "kept", "note": "16 booked"})
	o.Created(http.MethodPost, p+"/commitments/"+c3+"/resolution", o.leaderT, map[string]any{"status": "missed"})

	type counts struct {
		Made, Kept, Missed, Withdrawn, Renegotiated, Open, Overdue int
		KeepRate                                                   *float64 `json:"keep_rate"`
		OnTimeRate                                                 *float64 `json:"on_time_rate"`
	}
	var got struct {
		PersonID    string    `json:"person_id"`
		AsOf        time.Time `json:"as_of"`
		Totals      counts
		ByMonth     []struct{ Month string } `json:"by_month"`
		Commitments []struct {
			ID, Status string
			Overdue    bool
			History    []struct {
				Type       string
				Sequence   uint64
				Hash       string
				RecordedAt time.Time `json:"recorded_at"`
			}
		}
	}
	r := o.Must(http.StatusOK, http.MethodGet, p+"/commitment-history", o.leaderT, nil)
	r.Decode(t, &got)
	// c1 kept on time, c3 missed, c2 open and overdue (due yesterday); c3 renegotiated.
	if tt := got.Totals; tt.Made != 3 || tt.Kept != 1 || tt.Missed != 1 || tt.Open != 1 || tt.Overdue != 1 || tt.Renegotiated != 1 ||
		tt.KeepRate == nil || *tt.KeepRate != 0.5 || tt.OnTimeRate == nil || *tt.OnTimeRate != 1 {
		t.Errorf("totals = %+v", tt)
	}
	if got.PersonID != o.ana || clock.Now().Sub(got.AsOf) > time.Minute || len(got.ByMonth) != 1 || got.ByMonth[0].Month != domain.MonthPeriod(domain.DateOf(clock.Now().UTC())).String() {
		t.Errorf("person %s as_of %s months %+v", got.PersonID, got.AsOf, got.ByMonth)
	}
	if len(got.Commitments) != 3 || got.Commitments[1].ID != c2 || !got.Commitments[1].Overdue || len(got.Commitments[2].History) != 3 ||
		got.Commitments[2].History[1].Type != "commitment.renegotiated" || got.Commitments[2].History[1].Hash == "" {
		t.Errorf("commitments = %+v", got.Commitments)
	}
	if r.Header.Get("ETag") != `"7"` {
		t.Errorf("ETag = %q, want the journal version \"7\"", r.Header.Get("ETag"))
	}
	sameJSON(t, r.Body, o.Views.CommitmentKeeping(uuid.MustParse(o.ana), time.Time{}, domain.DateOf(clock.Now().UTC())), "as_of")

	// As of before the resolutions: c1 and c3 open again, their history
	// without the resolution.
	r = o.Must(http.StatusOK, http.MethodGet, p+"/commitment-history?as_of="+url.QueryEscape(before.Format(time.RFC3339Nano)), o.anaT, nil)
	r.Decode(t, &got)
	if tt := got.Totals; tt.Made != 3 || tt.Kept != 0 || tt.Missed != 0 || tt.Open != 3 || tt.KeepRate != nil || tt.OnTimeRate != nil ||
		!got.AsOf.Equal(before) || len(got.Commitments[0].History) != 1 || got.Commitments[0].Status != "open" {
		t.Errorf("as of before the resolutions: %+v", got)
	}
	// A future as_of is now.
	future := clock.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	r = o.Must(http.StatusOK, http.MethodGet, p+"/commitment-history?as_of="+url.QueryEscape(future), o.anaT, nil)
	r.Decode(t, &got)
	if got.Totals.Kept != 1 || clock.Now().Sub(got.AsOf) > time.Minute || got.AsOf.After(clock.Now()) {
		t.Errorf("future as_of: as_of %s totals %+v", got.AsOf, got.Totals)
	}
	// An as_of before anything: nothing known.
	r = o.Must(http.StatusOK, http.MethodGet, p+"/commitment-history?as_of=2020-01-01T00:00:00Z", o.anaT, nil)
	r.Decode(t, &got)
	if got.Totals.Made != 0 || len(got.Commitments) != 0 || len(got.ByMonth) != 0 {
		t.Errorf("as of 2020: %+v", got)
	}
}

func TestCommitmentHistoryRefusals(t *testing.T) {
	o := newOrg(t)
	path := "/v1/people/" + o.ana + "/commitment-history"
	for _, raw := range []string{"yesterday", "2026-11-01", "2026-11-01T25:00:00Z", "1700000000"} {
		t.Run("as_of="+raw, func(t *testing.T) {
			r := o.Must(http.StatusUnprocessableEntity, http.MethodGet, path+"?as_of="+url.QueryEscape(raw), o.leaderT, nil)
			m := r.Map(t)
			if m["code"] != "validation_failed" || m["errors"].([]any)[0].(map[string]any)["field"] != "as_of" ||
				r.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%s", r.Body)
			}
		})
	}
	cases := []struct {
		name, path, token string
		status            int
	}{
		{"own", path, o.anaT, 200},
		{"owner two levels up", path, o.ownerT, 200},
		{"HR", path, o.hr, 200},
		{"member outside view", path, o.cyT, 404},
		{"other leader", path, o.otherT, 404},
		{"peer", path, o.benT, 404},
		{"analyst", path, o.analyst, 403},
		{"no token", path, "", 401},
		{"not a UUID", "/v1/people/ana/commitment-history", o.admin, 404},
		{"unknown person", "/v1/people/01936b2e-0000-7000-8000-000000000000/commitment-history", o.admin, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if r := o.Do(http.MethodGet, tc.path, tc.token, nil); r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
		})
	}
}

// TestHistoryReusesLives: a commitment history read after a write reuses
// the lives of the answer it replaces where their commitments did not
// change; every answer must still be, byte for byte (as_of aside), the
// read model's keeping as encoding/json writes it, whichever lives
// changed: none (a metrics submission), one (a follow-up, a renegotiation,
// a resolution), a new one, with text that JSON escapes.
func TestHistoryReusesLives(t *testing.T) {
	o := newOrg(t)
	p := "/v1/people/" + o.ana
	path := p + "/commitment-history"
	if r := o.Must(http.StatusOK, http.MethodGet, path, o.leaderT, nil); !bytes.Contains(r.Body, []byte(`"by_month":[],"commitments":[]}`)) {
		t.Fatalf("no commitments yet: %s", r.Body)
	}
	c1 := o.Created(http.MethodPost, p+"/commitments", o.anaT, map[string]any{"text": "book 15 <first> meetings & more", "due_on": day(3)})
	c2 := o.Created(http.MethodPost, p+"/commitments", o.anaT, map[string]any{"text": "call 5 old clients", "due_on": day(1)})
	c3 := o.Created(http.MethodPost, p+"/commitments", o.anaT, map[string]any{"text": "update the CRM", "due_on": day(2)})
	lives := func(result string) float64 {
		return metricValue(t, o.Env, `coachjournal_read_cache_lives_total{result="`+result+`"}`)
	}
	check := func(step string, built, reused float64) {
		t.Helper()
		misses, b0, r0 := cacheCount(t, o.Env, "miss"), lives("built"), lives("reused")
		r := o.Must(http.StatusOK, http.MethodGet, path, o.leaderT, nil)
		if got := cacheCount(t, o.Env, "miss"); got != misses+1 {
			t.Fatalf("%s: misses %v → %v, want the read computed afresh", step, misses, got)
		}
		if b, r := lives("built")-b0, lives("reused")-r0; b != built || r != reused {
			t.Errorf("%s: %v lives built and %v reused, want %v and %v", step, b, r, built, reused)
		}
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(o.Views.CommitmentKeeping(uuid.MustParse(o.ana), time.Time{}, domain.DateOf(clock.Now().UTC()))); err != nil {
			t.Fatal(err)
		}
		if a, b := asOfValue.ReplaceAll(r.Body, nil), asOfValue.ReplaceAll(want.Bytes(), nil); !bytes.Equal(a, b) {
			t.Fatalf("%s: answer\n%s\nthe read model's\n%s", step, a, b)
		}
		if m := asOfValue.Find(r.Body); m == nil || bytes.Contains(m, []byte("0001-01-01")) {
			t.Fatalf("%s: as_of %s, want the time of the answer", step, m)
		}
	}
	check("first read", 3, 0)
	steps := []struct {
		name, path    string
		body          map[string]any
		built, reused float64
	}{
		{"metrics", p + "/metrics", map[string]any{"period": lastMonth(), "values": map[string]any{"revenue": 1000}, "source": "manager"}, 0, 3},
		{"follow-up", p + "/commitments/" + c2 + "/follow-ups", map[string]any{"note": "three \"called\" so far", "progress": 0.6}, 1, 2},
		{"renegotiation", p + "/commitments/" + c3 + "/renegotiation", map[string]any{"new_due_on": day(6), "reason": "holiday"}, 1, 2},
		{"new commitment", p + "/commitments", map[string]any{"text": "shadow Ben on two calls", "due_on": day(4)}, 1, 3},
		{"resolution", p + "/commitments/" + c1 + "/resolution", map[string]any{"status": "kept", "note": "16 booked"}, 1, 3},
		{"withdrawal", p + "/commitments/" + c2 + "/resolution", map[string]any{"status": "withdrawn", "note": "client left"}, 1, 3},
		{"meeting", p + "/meetings/skipped", map[string]any{"scheduled_for": day(0), "reason": "offsite"}, 0, 4},
	}
	for _, st := range steps {
		o.Created(http.MethodPost, st.path, o.leaderT, st.body)
		check(st.name, st.built, st.reused)
	}
}
