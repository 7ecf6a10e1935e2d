package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

// BenchmarkServeRead measures the server's own work per read, network
// left out: the router, every middleware, authentication, visibility and
// the answer from the read cache, written to a recorder. healthz is the
// cheapest route through the same middleware; bare-echo, Echo with no
// middleware at all, is the floor.
//
//	go test ./api -run '^$' -bench ServeRead -benchmem -count 10
func BenchmarkServeRead(b *testing.B) {
	o := newOrg(b)
	o.Created(http.MethodPost, "/v1/people/"+o.leader+"/standards", o.leaderT, map[string]any{
		"applies_to": "reports", "effective_from": "2020-01-01", "period": "month",
		"targets": []map[string]any{{"metric": "revenue", "target": 200000, "kind": "lagging"}, {"metric": "new_opportunities", "target": 10, "kind": "leading"},
			{"metric": "deals_won", "target": 4, "kind": "leading"}}})
	for _, p := range []string{o.ana, o.ben} {
		o.Created(http.MethodPost, "/v1/people/"+p+"/metrics", o.leaderT, map[string]any{"period": lastMonth(),
			"values": map[string]any{"revenue": 150000, "new_opportunities": 10, "deals_won": 3}, "source": "manager"})
		o.Created(http.MethodPost, "/v1/people/"+p+"/commitments", o.leaderT, map[string]any{"text": "book 15 first meetings", "due_on": day(4)})
	}
	bare := echo.New() // the floor: Echo with no middleware, as the bench's static GET
	bare.GET("/static", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]any{"period": "2026-10", "metrics": []int{1, 2, 3}})
	})
	b.Run("bare-echo", func(b *testing.B) {
		req := httptest.NewRequest(http.MethodGet, "/static", nil)
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			bare.ServeHTTP(w, req)
		}
	})
	for _, r := range []struct{ name, path, token string }{
		{"healthz", "/healthz", ""},
		{"scorecard", "/v1/people/" + o.ana + "/scorecard?period=" + lastMonth(), o.leaderT},
		{"board", "/v1/teams/" + o.leader + "/board?period=" + lastMonth(), o.leaderT},
		{"timeline", "/v1/people/" + o.ana + "/timeline?limit=50", o.leaderT},
		{"history", "/v1/people/" + o.ana + "/commitment-history", o.leaderT},
	} {
		b.Run(r.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, r.path, nil)
			if r.token != "" {
				req.Header.Set("Authorization", "Bearer "+r.token)
			}
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				o.Handler.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", r.path, w.Code, w.Body)
				}
			}
		})
	}
}

// BenchmarkHistoryAfterWrite is the commitment history of a rep with a
// year of weekly commitments (52 made, each followed up, 48 resolved)
// read right after a write to the rep's journal, as the bench's
// afterwrite scenario reads it: the write (untimed) is a metrics
// correction, which changes the journal and none of the commitments.
//
//	go test ./api -run '^$' -bench HistoryAfterWrite -benchmem -count 5
func BenchmarkHistoryAfterWrite(b *testing.B) {
	o := newOrg(b)
	p := "/v1/people/" + o.ana
	for w := range 52 {
		id := o.Created(http.MethodPost, p+"/commitments", o.leaderT, map[string]any{"text": "book 15 first meetings with the mid-market accounts", "due_on": day(4)})
		o.Created(http.MethodPost, p+"/commitments/"+id+"/follow-ups", o.leaderT, map[string]any{"note": "eight booked so far", "progress": 0.5})
		switch {
		case w >= 48:
		case w%5 == 0:
			o.Created(http.MethodPost, p+"/commitments/"+id+"/resolution", o.leaderT, map[string]any{"status": "missed", "note": "two short"})
		default:
			o.Created(http.MethodPost, p+"/commitments/"+id+"/resolution", o.leaderT, map[string]any{"status": "kept"})
		}
	}
	o.Created(http.MethodPost, p+"/metrics", o.leaderT, map[string]any{"period": lastMonth(),
		"values": map[string]any{"revenue": 150000}, "source": "manager"})
	req := httptest.NewRequest(http.MethodGet, p+"/commitment-history", nil)
	req.Header.Set("Authorization", "Bearer "+o.leaderT)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		o.Created(http.MethodPost, p+"/metrics", o.leaderT, map[string]any{"period": lastMonth(),
			"values": map[string]any{"revenue": 150000}, "source": "manager", "correction_reason": "typo"})
		b.StartTimer()
		w := httptest.NewRecorder()
		o.Handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK || w.Body.Len() < 40_000 {
			b.Fatalf("%d, %d bytes: %.200s", w.Code, w.Body.Len(), w.Body)
		}
	}
}
