package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
)

// TestPIPAuditView: the audit view of SPEC §3 over HTTP.
func TestPIPAuditView(t *testing.T) {
	o := newOrg(t)
	p := "/v1/people/" + o.ben + "/pips/"
	pip := o.Created(http.MethodPost, "/v1/people/"+o.ben+"/pips", o.hr, map[string]any{
		"reason": "three months under 60%", "starts_on": day(-21), "ends_on": day(40), "check_in_every_days": 7,
		"goals": []map[string]any{{"text": "10 new opportunities a month", "metric": "new_opportunities", "target": 10}}})
	o.Created(http.MethodPost, p+pip+"/acknowledgement", o.benT, map[string]any{"comment": "understood"})
	var view struct {
		State string
		Goals []struct {
			GoalID string  `json:"goal_id"`
			Status *string `json:"status"`
		}
		Acknowledgements []struct {
			GoalVersion int `json:"goal_version"`
		}
		Steps []struct {
			EventID    string `json:"event_id"`
			Sequence   uint64
			Hash       string
			Type       string
			Actor      struct{ ID, Role string }
			OccurredAt time.Time `json:"occurred_at"`
			RecordedAt time.Time `json:"recorded_at"`
		}
		CheckInSchedule []struct{ Due, Status string } `json:"check_in_schedule"`
		CheckInSummary  struct {
			Expected, Done int
			OnTime         int `json:"on_time"`
			Late, Missed   []string
		} `json:"check_in_summary"`
		Scorecards []struct {
			PersonID string `json:"person_id"`
			Period   string
			AsOf     *time.Time `json:"as_of"`
		}
	}
	o.Must(http.StatusOK, http.MethodGet, p+pip, o.hr, nil).Decode(t, &view)
	// Due day(-14): the check-in of day(-12) comes late; due day(-7): missed.
	o.Created(http.MethodPost, p+pip+"/check-ins", o.leaderT, map[string]any{
		"on": day(-12), "note": "slow start", "goals": []map[string]any{{"goal_id": view.Goals[0].GoalID, "status": "at_risk"}}})
	o.Must(http.StatusOK, http.MethodGet, p+pip, o.benT, nil).Decode(t, &view)

	if view.State != "active" || len(view.Goals) != 1 || view.Goals[0].Status == nil || *view.Goals[0].Status != "at_risk" ||
		len(view.Acknowledgements) != 1 || view.Acknowledgements[0].GoalVersion != 1 {
		t.Errorf("state %s goals %+v acknowledgements %+v", view.State, view.Goals, view.Acknowledgements)
	}
	if len(view.Steps) != 3 {
		t.Fatalf("steps = %+v, want opened, acknowledged, checked in", view.Steps)
	}
	for k, st := range view.Steps {
		if st.EventID == "" || st.Sequence == 0 || len(st.Hash) != 64 || st.Actor.Role == "" || st.OccurredAt.IsZero() || st.RecordedAt.IsZero() ||
			(k > 0 && st.Sequence <= view.Steps[k-1].Sequence) {
			t.Errorf("step %d = %+v, want id, sequence, hash, actor and times", k, st)
		}
	}
	if s := view.CheckInSummary; s.Expected != 2 || s.Done != 1 || s.OnTime != 0 || len(s.Late) != 1 || s.Late[0] != day(-14) ||
		len(s.Missed) != 1 || s.Missed[0] != day(-7) {
		t.Errorf("check-in summary = %+v (schedule %+v)", s, view.CheckInSchedule)
	}
	var months []string
	for m := domain.MonthPeriod(domain.DateOf(clock.Now().UTC().AddDate(0, 0, -21))); !m.Start().After(domain.DateOf(clock.Now().UTC())); m = domain.MonthPeriod(m.End().AddDays(1)) {
		months = append(months, m.String())
	}
	if len(view.Scorecards) != len(months) {
		t.Fatalf("scorecards = %+v, want the months %v", view.Scorecards, months)
	}
	for k, sc := range view.Scorecards {
		if sc.PersonID != o.ben || sc.Period != months[k] || sc.AsOf == nil {
			t.Errorf("scorecard %d = %+v, want %s", k, sc, months[k])
		}
	}
}
