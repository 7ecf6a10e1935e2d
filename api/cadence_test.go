package api_test

import (
	"net/http"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

func TestManagerCadence(t *testing.T) {
	o := newOrg(t)
	p := "/v1/people/"
	o.Created(http.MethodPost, p+o.leader+"/cadence", o.leaderT, map[string]any{"every_days": 7})
	held := func(rep, with, kind string, offset int) {
		o.Created(http.MethodPost, p+rep+"/meetings", o.leaderT, map[string]any{
			"kind": kind, "held_at": day(offset) + "T10:00:00Z", "with_id": with})
	}
	// The range is the 28 days before today: four weeks W1 day(-28)..day(-22),
	// W2 ..day(-15), W3 ..day(-8), W4 ..day(-1).
	held(o.ana, o.leader, "performance", -28) // W1
	o.Created(http.MethodPost, p+o.ana+"/meetings/skipped", o.leaderT, map[string]any{"scheduled_for": day(-20), "reason": "travel"})
	held(o.ana, o.leader, "performance", -13)                                    // W3
	held(o.ana, o.leader, "pipeline", -5)                                        // W4: does not count
	held(o.ana, o.owner, "performance", -19)                                     // W2, with the owner: does not count for the leader
	o.Created(http.MethodPost, p+o.leader+"/meetings", o.ownerT, map[string]any{ // the owner's own 1-on-1 with the leader, recorded by the owner
		"kind": "performance", "held_at": day(-10) + "T10:00:00Z", "with_id": o.owner})
	from, to := day(-28), day(-1)

	var got struct {
		ManagerID string `json:"manager_id"`
		From, To  string
		EveryDays int `json:"every_days"`
		Rows      []struct {
			PersonID            string `json:"person_id"`
			From                string
			Windows             int
			WindowsMet          int      `json:"windows_met"`
			Compliance          *float64 `json:"compliance"`
			PerformanceMeetings int      `json:"performance_meetings"`
			PipelineReviews     int      `json:"pipeline_reviews"`
			Skipped             int
			LongestGapDays      *int    `json:"longest_gap_days"`
			LastMeeting         *string `json:"last_meeting"`
			DaysSinceLast       *int    `json:"days_since_last_meeting"`
			Overdue             bool    `json:"overdue"`
		}
		Leaders []struct {
			ManagerID string `json:"manager_id"`
			Rows      []any
		}
	}
	r := o.Must(http.StatusOK, http.MethodGet, "/v1/managers/"+o.leader+"/cadence?from="+from+"&to="+to, o.leaderT, nil)
	r.Decode(t, &got)
	// Ana: W1 and W3 met: 2/4; gaps day(-28)→day(-13) 15, →day(-1) 12.
	// Ben has no meeting and was registered today: his row starts after it ends.
	ana, ben := got.Rows[0], got.Rows[1]
	if got.ManagerID != o.leader || got.EveryDays != 7 || len(got.Rows) != 2 || ana.PersonID != o.ana || ana.From != from ||
		ana.Windows != 4 || ana.WindowsMet != 2 || *ana.Compliance != 0.5 || ana.PerformanceMeetings != 2 || ana.PipelineReviews != 1 ||
		ana.Skipped != 1 || *ana.LongestGapDays != 15 || *ana.LastMeeting != day(-13) {
		t.Errorf("leader's cadence = %s", r.Body)
	}
	if ben.Windows != 0 || ben.Compliance != nil || ben.LongestGapDays != nil || ben.From != day(0) {
		t.Errorf("Ben = %+v", ben)
	}
	// Days since the last performance 1-on-1, to the range's last day: Ana
	// day(-13) → day(-1), over the weekly cadence; Ben's row is empty.
	if ana.DaysSinceLast == nil || *ana.DaysSinceLast != 12 || !ana.Overdue || ben.DaysSinceLast != nil || ben.Overdue {
		t.Errorf("days since: Ana %v overdue %v, Ben %v overdue %v; want 12 true, nil false", ana.DaysSinceLast, ana.Overdue, ben.DaysSinceLast, ben.Overdue)
	}
	sameJSON(t, r.Body, o.Views.Cadence(uuid.MustParse(o.leader), parseDay(t, from), parseDay(t, to)))

	// The owner sees their leaders as rows, and every leader below them.
	o.Must(http.StatusOK, http.MethodGet, "/v1/managers/"+o.owner+"/cadence?from="+from+"&to="+to, o.ownerT, nil).Decode(t, &got)
	if len(got.Rows) != 2 || got.Rows[0].PersonID != o.leader || got.Rows[0].WindowsMet != 1 || len(got.Leaders) != 2 ||
		got.Leaders[0].ManagerID != o.leader || len(got.Leaders[0].Rows) != 2 || got.Leaders[1].ManagerID != o.other {
		t.Errorf("owner's cadence = %+v", got)
	}

	// Defaults: the 90 days to today; a later to is today.
	o.Must(http.StatusOK, http.MethodGet, "/v1/managers/"+o.leader+"/cadence", o.ownerT, nil).Decode(t, &got)
	if got.From != day(-89) || got.To != day(0) {
		t.Errorf("default range %s..%s, want %s..%s", got.From, got.To, day(-89), day(0))
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/managers/"+o.leader+"/cadence?from="+from+"&to="+day(30), o.ownerT, nil).Decode(t, &got)
	if got.From != from || got.To != day(0) {
		t.Errorf("range %s..%s, want %s..%s", got.From, got.To, from, day(0))
	}
}

func TestManagerCadenceRefusals(t *testing.T) {
	o := newOrg(t)
	path := "/v1/managers/" + o.leader + "/cadence"
	bad := []struct{ query, field string }{
		{"from=last-week", "from"},
		{"to=2026-13-01", "to"},
		{"from=" + day(-1) + "&to=" + day(-2), "from"},
		{"from=" + day(-800), "from"},
	}
	for _, tc := range bad {
		t.Run(tc.query, func(t *testing.T) {
			m := o.Must(http.StatusUnprocessableEntity, http.MethodGet, path+"?"+tc.query, o.leaderT, nil).Map(t)
			if m["code"] != "validation_failed" || m["errors"].([]any)[0].(map[string]any)["field"] != tc.field {
				t.Fatalf("%v", m)
			}
		})
	}
	cases := []struct {
		name, path, token string
		status            int
	}{
		{"own", path, o.leaderT, 200},
		{"owner", path, o.ownerT, 200},
		{"HR", path, o.hr, 200},
		{"a rep of the leader", path, o.anaT, 404},
		{"member outside view", path, o.cyT, 404},
		{"other leader", path, o.otherT, 404},
		{"analyst", path, o.analyst, 403},
		{"not a UUID", "/v1/managers/leo/cadence", o.admin, 404},
		{"unknown person", "/v1/managers/01936b2e-0000-7000-8000-000000000000/cadence", o.admin, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if r := o.Do(http.MethodGet, tc.path, tc.token, nil); r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
		})
	}
}

func parseDay(t *testing.T, s string) domain.Date {
	t.Helper()
	d, err := domain.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCadenceSelfRecorded (issue 15): a rep who records performance
// meetings on her own journal with her manager as with_id does not make the
// manager's cadence look kept: they show as unconfirmed and the compliance
// stays 0; the leader recording the meeting themselves is what counts.
func TestCadenceSelfRecorded(t *testing.T) {
	o := newOrg(t)
	p := "/v1/people/" + o.ana + "/meetings"
	// The leader's skipped meeting on day(-28) puts Ana's row there (her
	// registration is today); meetings the rep records do not move it.
	o.Created(http.MethodPost, p+"/skipped", o.leaderT, map[string]any{"scheduled_for": day(-28), "reason": "travel"})
	for _, offset := range []int{-27, -20, -13, -6} { // one in each of the four weeks
		o.Created(http.MethodPost, p, o.anaT, map[string]any{"kind": "performance", "held_at": day(offset) + "T10:00:00Z", "with_id": o.leader})
	}
	var got struct {
		Rows []struct {
			PersonID            string   `json:"person_id"`
			Windows             int      `json:"windows"`
			WindowsMet          int      `json:"windows_met"`
			Compliance          *float64 `json:"compliance"`
			PerformanceMeetings int      `json:"performance_meetings"`
			Unconfirmed         int      `json:"unconfirmed"`
			LastMeeting         *string  `json:"last_meeting"`
		}
		Summary struct {
			Compliance  *float64 `json:"compliance"`
			Unconfirmed int      `json:"unconfirmed"`
		}
	}
	path := "/v1/managers/" + o.leader + "/cadence?from=" + day(-28) + "&to=" + day(-1)
	r := o.Must(http.StatusOK, http.MethodGet, path, o.ownerT, nil)
	r.Decode(t, &got)
	ana := got.Rows[0]
	if ana.PersonID != o.ana || ana.Windows != 4 || ana.WindowsMet != 0 || ana.Compliance == nil || *ana.Compliance != 0 ||
		ana.PerformanceMeetings != 0 || ana.Unconfirmed != 4 || ana.LastMeeting != nil || *got.Summary.Compliance != 0 || got.Summary.Unconfirmed != 4 {
		t.Fatalf("after the rep recorded four meetings herself: %s", r.Body)
	}
	// The leader records one of them: that one counts.
	o.Created(http.MethodPost, p, o.leaderT, map[string]any{"kind": "performance", "held_at": day(-13) + "T10:00:00Z", "with_id": o.leader})
	r = o.Must(http.StatusOK, http.MethodGet, path, o.ownerT, nil)
	r.Decode(t, &got)
	if ana = got.Rows[0]; ana.WindowsMet != 1 || ana.PerformanceMeetings != 1 || ana.Unconfirmed != 4 || *ana.LastMeeting != day(-13) {
		t.Errorf("after the leader recorded one: %s", r.Body)
	}
}
