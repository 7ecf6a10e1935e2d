package api_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain/clock"
)

// scoreOrg is newOrg with the worked standard on the leader's team and
// last month's numbers for Ana (the worked example) and Ben.
func scoreOrg(t *testing.T) *org {
	t.Helper()
	o := newOrg(t)
	o.Created(http.MethodPost, "/v1/people/"+o.leader+"/standards", o.leaderT, map[string]any{
		"applies_to": "reports", "effective_from": "2020-01-01",
		"targets": []map[string]any{
			{"metric": "revenue", "target": 200000, "kind": "lagging"},
			{"metric": "new_opportunities", "target": 10, "kind": "leading"},
			{"metric": "win_rate", "target": 0.4, "kind": "lagging"},
			{"metric": "avg_deal_size", "target": 50000, "kind": "lagging"},
		}})
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/metrics", o.anaT, map[string]any{
		"period": lastMonth(), "source": "self", "values": map[string]any{"new_opportunities": 10, "deals_won": 3, "revenue": 150000}})
	o.Created(http.MethodPost, "/v1/people/"+o.ben+"/metrics", o.leaderT, map[string]any{
		"period": lastMonth(), "source": "manager", "values": map[string]any{"new_opportunities": 5, "deals_won": 2, "revenue": 100000}})
	return o
}

type scorecardBody struct {
	PersonID string `json:"person_id"`
	Period   string
	AsOf     string `json:"as_of"`
	Standard *struct {
		SourcePersonID string `json:"source_person_id"`
		EffectiveFrom  string `json:"effective_from"`
	}
	Metrics []map[string]any
	Funnel  struct {
		Attainment *float64
		Factors    map[string]struct{ Ratio *float64 }
		PrimaryGap *string `json:"primary_gap"`
		Focus      *string `json:"recommended_focus"`
		Market     bool    `json:"market_shift_suspected"`
	}
}

func TestScorecardEndpoint(t *testing.T) {
	o := scoreOrg(t)
	path := "/v1/people/" + o.ana + "/scorecard?period=" + lastMonth()
	r := o.Must(http.StatusOK, http.MethodGet, path, o.anaT, nil)
	var card scorecardBody
	r.Decode(t, &card)
	fn := card.Funnel
	if card.PersonID != o.ana || card.Period != lastMonth() || card.AsOf == "" || card.Standard == nil || card.Standard.SourcePersonID != o.leader {
		t.Fatalf("scorecard = %s", r.Body)
	}
	if *fn.Attainment != 0.75 || *fn.Factors["opportunities"].Ratio != 1 || *fn.Factors["win_rate"].Ratio != 0.75 ||
		*fn.Factors["deal_size"].Ratio != 1 || *fn.PrimaryGap != "conversion" || *fn.Focus != "coaching" || fn.Market {
		t.Fatalf("funnel = %s", r.Body)
	}
	if r.Header.Get("ETag") != `"2"` {
		t.Errorf("ETag = %q, want \"2\"", r.Header.Get("ETag"))
	}

	// Who may read it: Ana, her managers, HR; not a peer nor another team.
	for _, tok := range []string{o.leaderT, o.ownerT, o.hr, o.admin} {
		o.Must(http.StatusOK, http.MethodGet, path, tok, nil)
	}
	for _, tok := range []string{o.benT, o.cyT, o.otherT} {
		o.Must(http.StatusNotFound, http.MethodGet, path, tok, nil)
	}
	o.Must(http.StatusForbidden, http.MethodGet, path, o.analyst, nil)
	o.Must(http.StatusNotFound, http.MethodGet, "/v1/people/not-a-uuid/scorecard?period="+lastMonth(), o.admin, nil)

	// A correction: as_of before it shows the old numbers, after it the new.
	before := clock.Now().UTC()
	time.Sleep(2 * time.Millisecond)
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/metrics", o.leaderT, map[string]any{
		"period": lastMonth(), "source": "manager", "correction_reason": "a late deal",
		"values": map[string]any{"new_opportunities": 10, "deals_won": 4, "revenue": 200000}})
	at := func(asOf string) float64 {
		t.Helper()
		var c scorecardBody
		o.Must(http.StatusOK, http.MethodGet, path+"&as_of="+url.QueryEscape(asOf), o.anaT, nil).Decode(t, &c)
		return *c.Funnel.Attainment
	}
	if got := at(before.Format(time.RFC3339Nano)); got != 0.75 {
		t.Errorf("as of before the correction: %v, want 0.75", got)
	}
	if got := at(clock.Now().UTC().Format(time.RFC3339Nano)); got != 1 {
		t.Errorf("as of after the correction: %v, want 1", got)
	}
	if got := at(clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)); got != 1 {
		t.Errorf("as of a future time (now): %v, want 1", got)
	}

	// Ben has no standard of his own but the team's; Cy has neither data nor standard.
	var cy scorecardBody
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.cy+"/scorecard?period="+lastMonth(), o.otherT, nil).Decode(t, &cy)
	if cy.Standard != nil || cy.Funnel.Attainment != nil || cy.Funnel.PrimaryGap != nil || len(cy.Metrics) != 0 {
		t.Errorf("Cy's scorecard = %+v, want empty", cy)
	}
}

func TestScorecardBadParams(t *testing.T) {
	o := newOrg(t)
	base := "/v1/people/" + o.ana + "/scorecard"
	tests := []struct {
		query  string
		status int
		field  string
	}{
		{"", http.StatusUnprocessableEntity, "period"},
		{"?period=2026-W44", http.StatusUnprocessableEntity, "period"},
		{"?period=2026-13", http.StatusUnprocessableEntity, "period"},
		{"?period=2026-1", http.StatusUnprocessableEntity, "period"},
		{"?period=2026-10&as_of=yesterday", http.StatusUnprocessableEntity, "as_of"},
		{"?period=2026-10&as_of=2026-10-01", http.StatusUnprocessableEntity, "as_of"},
		{"?period=2026-10&as_of=2026-10-01T00:00:00Z", http.StatusOK, ""},
	}
	for _, path := range []string{base, "/v1/teams/" + o.leader + "/board"} {
		for _, tt := range tests {
			r := o.Must(tt.status, http.MethodGet, path+tt.query, o.leaderT, nil)
			if tt.field == "" {
				continue
			}
			var p struct {
				Code   string
				Errors []struct{ Field string }
			}
			r.Decode(t, &p)
			if p.Code != "validation_failed" || len(p.Errors) != 1 || p.Errors[0].Field != tt.field {
				t.Errorf("%s%s: %s, want validation_failed on %s", path, tt.query, r.Body, tt.field)
			}
		}
	}
}

func TestBoardEndpoint(t *testing.T) {
	o := scoreOrg(t)
	path := "/v1/teams/" + o.leader + "/board?period=" + lastMonth()
	var b struct {
		ManagerID    string `json:"manager_id"`
		Period       string
		MarketSignal bool `json:"market_signal"`
		Totals       struct {
			Reps         int
			RepsWithData int `json:"reps_with_data"`
			Attainment   *float64
			Metrics      map[string]float64
		}
		Rows []struct {
			PersonID  string `json:"person_id"`
			Name      string
			Scorecard scorecardBody
		}
	}
	r := o.Must(http.StatusOK, http.MethodGet, path, o.leaderT, nil)
	r.Decode(t, &b)
	if b.ManagerID != o.leader || b.Period != lastMonth() || b.MarketSignal || len(b.Rows) != 2 {
		t.Fatalf("board = %s", r.Body)
	}
	if b.Rows[0].PersonID != o.ana || b.Rows[0].Name != "Ana Lima" || *b.Rows[0].Scorecard.Funnel.PrimaryGap != "conversion" ||
		b.Rows[1].PersonID != o.ben || *b.Rows[1].Scorecard.Funnel.PrimaryGap != "activity" || b.Rows[1].Scorecard.AsOf == "" {
		t.Fatalf("rows = %s", r.Body)
	}
	if b.Totals.Reps != 2 || b.Totals.RepsWithData != 2 || *b.Totals.Attainment != 0.625 || b.Totals.Metrics["revenue"] != 250000 {
		t.Fatalf("totals = %+v", b.Totals)
	}
	if r.Header.Get("ETag") == "" {
		t.Error("no ETag")
	}
	for _, tok := range []string{o.ownerT, o.hr, o.admin} {
		o.Must(http.StatusOK, http.MethodGet, path, tok, nil)
	}
	for _, tok := range []string{o.anaT, o.otherT, o.cyT} {
		o.Must(http.StatusNotFound, http.MethodGet, path, tok, nil)
	}
	o.Must(http.StatusForbidden, http.MethodGet, path, o.analyst, nil)
	o.Must(http.StatusNotFound, http.MethodGet, "/v1/teams/nobody/board?period="+lastMonth(), o.admin, nil)

	// A rep sees their own (empty) team board.
	var own struct{ Rows []any }
	o.Must(http.StatusOK, http.MethodGet, "/v1/teams/"+o.ana+"/board?period="+lastMonth(), o.anaT, nil).Decode(t, &own)
	if len(own.Rows) != 0 {
		t.Errorf("Ana's team = %+v, want none", own.Rows)
	}
}

func TestStandardEndpoint(t *testing.T) {
	o := scoreOrg(t)
	path := "/v1/people/" + o.ana + "/standard"
	var std struct {
		SourcePersonID string `json:"source_person_id"`
		AppliesTo      string `json:"applies_to"`
		EffectiveFrom  string `json:"effective_from"`
		Targets        []map[string]any
	}
	r := o.Must(http.StatusOK, http.MethodGet, path, o.anaT, nil)
	r.Decode(t, &std)
	if std.SourcePersonID != o.leader || std.AppliesTo != "reports" || std.EffectiveFrom != "2020-01-01" || len(std.Targets) != 4 || r.Header.Get("ETag") == "" {
		t.Fatalf("standard = %s", r.Body)
	}
	// Ana's own standard, from tomorrow, overrides the team's from then on.
	o.Created(http.MethodPost, path+"s", o.leaderT, map[string]any{
		"applies_to": "self", "effective_from": day(1),
		"targets": []map[string]any{{"metric": "new_opportunities", "target": 12, "kind": "leading"}}})
	o.Must(http.StatusOK, http.MethodGet, path, o.anaT, nil).Decode(t, &std)
	if std.SourcePersonID != o.leader {
		t.Errorf("today: standard from %s, want the leader's", std.SourcePersonID)
	}
	o.Must(http.StatusOK, http.MethodGet, path+"?on="+day(1), o.anaT, nil).Decode(t, &std)
	if std.SourcePersonID != o.ana || std.AppliesTo != "self" {
		t.Errorf("tomorrow: standard %+v, want Ana's own", std)
	}
	o.Must(http.StatusNotFound, http.MethodGet, path+"?on=2019-12-31", o.anaT, nil)
	o.Must(http.StatusNotFound, http.MethodGet, "/v1/people/"+o.cy+"/standard", o.cyT, nil)
	o.Must(http.StatusUnprocessableEntity, http.MethodGet, path+"?on=tomorrow", o.anaT, nil)
	o.Must(http.StatusNotFound, http.MethodGet, path, o.benT, nil)
	o.Must(http.StatusForbidden, http.MethodGet, path, o.analyst, nil)
}
