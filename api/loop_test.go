package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain/clock"
)

// TestCoachingLoop runs the whole loop of SPEC §1 over HTTP.
func TestCoachingLoop(t *testing.T) {
	o := newOrg(t)
	p := "/v1/people/"

	// The leader sets the team standard on their own journal.
	o.Created(http.MethodPost, p+o.leader+"/standards", o.leaderT, map[string]any{
		"applies_to": "reports", "effective_from": "2026-01-01", "period": "month",
		"targets": []map[string]any{
			{"metric": "revenue", "target": 200000, "kind": "lagging", "unit": "USD"},
			{"metric": "new_opportunities", "target": 10, "kind": "leading"},
		},
	})
	o.Created(http.MethodPost, p+o.leader+"/cadence", o.leaderT, map[string]any{"every_days": 7})

	// Ana submits her week; the leader submits Ben's month, then corrects it.
	o.Created(http.MethodPost, p+o.ana+"/metrics", o.anaT, map[string]any{
		"period": lastWeek(), "source": "self", "values": map[string]any{"activities": 40, "new_opportunities": 2}})
	o.Created(http.MethodPost, p+o.ben+"/metrics", o.leaderT, map[string]any{
		"period": lastMonth(), "source": "manager", "values": map[string]any{"revenue": 150000, "deals_won": 3}})
	o.Must(http.StatusUnprocessableEntity, http.MethodPost, p+o.ben+"/metrics", o.leaderT, map[string]any{
		"period": lastMonth(), "source": "manager", "values": map[string]any{"revenue": 160000}})
	o.Created(http.MethodPost, p+o.ben+"/metrics", o.leaderT, map[string]any{
		"period": lastMonth(), "source": "manager", "values": map[string]any{"revenue": 160000}, "correction_reason": "late deal"})

	// A performance meeting with a diagnosis, a skipped one, and a commitment.
	meeting := o.Created(http.MethodPost, p+o.ana+"/meetings", o.leaderT, map[string]any{
		"kind": "performance", "held_at": clock.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "with_id": o.leader,
		"duration_minutes": 30, "notes": "Pipeline is thin", "diagnosis": map[string]any{"primary": "activity"}})
	o.Created(http.MethodPost, p+o.ana+"/meetings/skipped", o.leaderT, map[string]any{"scheduled_for": day(-7), "reason": "travel"})
	c1 := o.Created(http.MethodPost, p+o.ana+"/commitments", o.anaT, map[string]any{
		"text": "book 15 first meetings by Friday", "due_on": day(4), "meeting_id": meeting,
		"metric": map[string]any{"key": "activities", "target": 15}})
	o.Created(http.MethodPost, p+o.ana+"/commitments/"+c1+"/follow-ups", o.leaderT, map[string]any{"note": "9 booked", "progress": 0.6})
	o.Created(http.MethodPost, p+o.ana+"/commitments/"+c1+"/renegotiation", o.leaderT, map[string]any{"new_due_on": day(7), "reason": "holiday"})
	o.Created(http.MethodPost, p+o.ana+"/commitments/"+c1+"/resolution", o.leaderT, map[string]any{"status": "kept", "note": "16 booked"})
	o.Must(http.StatusConflict, http.MethodPost, p+o.ana+"/commitments/"+c1+"/resolution", o.leaderT, map[string]any{"status": "missed"})
	c2 := o.Created(http.MethodPost, p+o.ana+"/commitments", o.anaT, map[string]any{"text": "call 5 old clients", "due_on": day(-1)})

	var list struct {
		Items []struct {
			ID, Status string
			Overdue    bool
			History    []map[string]any
		}
	}
	o.Must(http.StatusOK, http.MethodGet, p+o.ana+"/commitments", o.leaderT, nil).Decode(t, &list)
	if len(list.Items) != 2 || list.Items[0].ID != c1 || list.Items[0].Status != "kept" || len(list.Items[0].History) != 4 {
		t.Fatalf("commitments = %+v, want c1 kept with 4 steps, then c2", list.Items)
	}
	if list.Items[1].ID != c2 || !list.Items[1].Overdue {
		t.Fatalf("c2 = %+v, want overdue", list.Items[1])
	}
	o.Must(http.StatusOK, http.MethodGet, p+o.ana+"/commitments?status=overdue", o.anaT, nil).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != c2 {
		t.Fatalf("overdue = %+v, want only c2", list.Items)
	}

	// HR opens a PIP for Ben; only Ben acknowledges; check-in, extension, closure.
	pip := o.Created(http.MethodPost, p+o.ben+"/pips", o.hr, map[string]any{
		"reason": "three months under 60%", "starts_on": day(-14), "ends_on": day(46),
		"goals": []map[string]any{{"text": "10 new opportunities a month", "metric": "new_opportunities", "target": 10}}})
	o.Must(http.StatusForbidden, http.MethodPost, p+o.ben+"/pips/"+pip+"/acknowledgement", o.leaderT, map[string]any{})
	o.Created(http.MethodPost, p+o.ben+"/pips/"+pip+"/acknowledgement", o.benT, map[string]any{"comment": "understood"})
	var view struct {
		State string
		Goals []struct {
			GoalID string `json:"goal_id"`
		}
		Steps []struct{ Type string }
	}
	o.Must(http.StatusOK, http.MethodGet, p+o.ben+"/pips/"+pip, o.hr, nil).Decode(t, &view)
	goal := view.Goals[0].GoalID
	o.Created(http.MethodPost, p+o.ben+"/pips/"+pip+"/check-ins", o.leaderT, map[string]any{
		"on": day(-7), "note": "first week", "goals": []map[string]any{{"goal_id": goal, "status": "at_risk"}}})
	o.Created(http.MethodPost, p+o.ben+"/pips/"+pip+"/extension", o.hr, map[string]any{"new_ends_on": day(60), "reason": "sick leave"})
	o.Must(http.StatusForbidden, http.MethodPost, p+o.ben+"/pips/"+pip+"/closure", o.benT, map[string]any{"outcome": "succeeded", "note": "x"})
	o.Created(http.MethodPost, p+o.ben+"/pips/"+pip+"/closure", o.hr, map[string]any{"outcome": "succeeded", "note": "targets met"})
	o.Must(http.StatusOK, http.MethodGet, p+o.ben+"/pips/"+pip, o.benT, nil).Decode(t, &view)
	if view.State != "closed" || len(view.Steps) != 5 {
		t.Fatalf("PIP = %+v, want closed with 5 steps", view)
	}
	var pips struct{ Items []map[string]any }
	o.Must(http.StatusOK, http.MethodGet, "/v1/pips?state=closed", o.hr, nil).Decode(t, &pips)
	if len(pips.Items) != 1 {
		t.Fatalf("closed PIPs = %d, want 1", len(pips.Items))
	}

	// Ana's timeline: in order, with summaries, filterable and paginated.
	var tl struct {
		Items []struct {
			Sequence uint64
			Type     string
			Summary  string
		}
		NextCursor string `json:"next_cursor"`
	}
	o.Must(http.StatusOK, http.MethodGet, p+o.ana+"/timeline", o.anaT, nil).Decode(t, &tl)
	wantTypes := []string{"person.registered", "metrics.submitted", "meeting.held", "meeting.skipped", "commitment.made",
		"commitment.followed_up", "commitment.renegotiated", "commitment.kept", "commitment.made"}
	if len(tl.Items) != len(wantTypes) {
		t.Fatalf("timeline has %d entries, want %d: %+v", len(tl.Items), len(wantTypes), tl.Items)
	}
	for i, e := range tl.Items {
		if e.Type != wantTypes[i] || e.Summary == "" || (i > 0 && e.Sequence <= tl.Items[i-1].Sequence) {
			t.Errorf("timeline[%d] = %+v, want type %s in order with a summary", i, e, wantTypes[i])
		}
	}
	o.Must(http.StatusOK, http.MethodGet, p+o.ana+"/timeline?type=commitment.&limit=2", o.leaderT, nil).Decode(t, &tl)
	if len(tl.Items) != 2 || tl.NextCursor == "" || !strings.HasPrefix(tl.Items[0].Type, "commitment.") {
		t.Fatalf("filtered page = %+v", tl)
	}
	seen := len(tl.Items)
	for cursor := tl.NextCursor; cursor != ""; {
		var next struct {
			Items      []any
			NextCursor string `json:"next_cursor"`
		}
		o.Must(http.StatusOK, http.MethodGet, p+o.ana+"/timeline?type=commitment.&limit=2&cursor="+cursor, o.leaderT, nil).Decode(t, &next)
		seen += len(next.Items)
		cursor = next.NextCursor
	}
	if seen != 5 {
		t.Fatalf("paged commitment entries = %d, want 5", seen)
	}

	// The owner sees the whole subtree; reads carry the journal version as ETag.
	r := o.Must(http.StatusOK, http.MethodGet, p+o.ana, o.ownerT, nil)
	if r.Header.Get("ETag") != `"9"` {
		t.Fatalf("ETag = %q, want \"9\" (nine events in Ana's journal)", r.Header.Get("ETag"))
	}
	var people struct{ Items []map[string]any }
	o.Must(http.StatusOK, http.MethodGet, "/v1/people?manager_id="+o.leader, o.ownerT, nil).Decode(t, &people)
	if len(people.Items) != 2 {
		t.Fatalf("leader's reports = %d, want 2", len(people.Items))
	}
	var rep struct{ Broken []any }
	o.Must(http.StatusOK, http.MethodGet, "/v1/audit/verify", o.hr, nil).Decode(t, &rep)
	if len(rep.Broken) != 0 {
		t.Fatalf("verify: %+v", rep)
	}
}
