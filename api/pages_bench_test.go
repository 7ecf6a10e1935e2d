package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/api/web"
)

// BenchmarkServePage measures the server's own work per UI page, network
// left out, through the real router and middleware as a signed-in browser
// GETs it: the team board, the rep page, the 1-on-1 workspace and HR's
// view of an active PIP, rendered on every request ("render": the caches
// off) and served from the page cache ("cached"). Every view of the PIP
// page records its read durably first, so one view at a time waits for
// an fsync in both modes; the page cache keeps it but for its reads, chain
// badge and printed time, which each view writes. "pip_page_64" is the
// PIP page viewed by 64 goroutines at once, whose reads share their
// fsyncs (group commit): its ns/op is the wall time per page, 1 s over it
// the pages a second.
//
//	go test ./api -run '^$' -bench ServePage -benchmem -count 5
func BenchmarkServePage(b *testing.B) {
	for _, mode := range []struct {
		name  string
		cache int64
	}{{"render", -1}, {"cached", 0}} {
		o := newOrgWith(b, apitest.Options{ReadCacheBytes: mode.cache})
		o.Created(http.MethodPost, "/v1/people/"+o.leader+"/standards", o.leaderT, map[string]any{
			"applies_to": "reports", "effective_from": "2020-01-01", "period": "month",
			"targets": []map[string]any{{"metric": "revenue", "target": 200000, "kind": "lagging"}, {"metric": "new_opportunities", "target": 10, "kind": "leading"},
				{"metric": "deals_won", "target": 4, "kind": "leading"}}})
		for _, p := range []string{o.ana, o.ben} {
			o.Created(http.MethodPost, "/v1/people/"+p+"/metrics", o.leaderT, map[string]any{"period": lastMonth(),
				"values": map[string]any{"revenue": 150000, "new_opportunities": 10, "deals_won": 3}, "source": "manager"})
			o.Created(http.MethodPost, "/v1/people/"+p+"/commitments", o.leaderT, map[string]any{"text": "book 15 first meetings", "due_on": day(4)})
			o.Created(http.MethodPost, "/v1/people/"+p+"/meetings", o.leaderT, map[string]any{"kind": "performance", "held_at": day(-3) + "T10:00:00Z", "with_id": o.leader})
		}
		pip := o.Created(http.MethodPost, "/v1/people/"+o.ben+"/pips", o.hr, map[string]any{"reason": "win rate under 25% for three months",
			"starts_on": day(-20), "ends_on": day(40), "goals": []map[string]any{{"text": "win rate at 30% or more", "metric": "win_rate", "target": 0.3},
				{"text": "two role-plays a week"}}})
		var audit struct {
			Goals []struct {
				GoalID string `json:"goal_id"`
			} `json:"goals"`
		}
		o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ben+"/pips/"+pip, o.hr, nil).Decode(b, &audit)
		o.Created(http.MethodPost, "/v1/people/"+o.ben+"/pips/"+pip+"/check-ins", o.leaderT, map[string]any{"on": day(-13), "note": "a slow start",
			"goals": []map[string]any{{"goal_id": audit.Goals[0].GoalID, "status": "at_risk", "note": "two deals slipped"}}})
		for _, r := range []struct{ name, path, token string }{
			{"team_board", "/ui/teams/" + o.leader + "?period=" + lastMonth(), o.leaderT},
			{"rep_page", "/ui/people/" + o.ana, o.leaderT},
			{"one_on_one", "/ui/people/" + o.ana + "/one-on-one", o.leaderT},
			{"pip_page", "/ui/people/" + o.ben + "/pips/" + pip, o.hr},
		} {
			b.Run(mode.name+"/"+r.name, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, r.path, nil)
				req.AddCookie(&http.Cookie{Name: web.CookieName, Value: r.token})
				req.AddCookie(&http.Cookie{Name: "coachjournal_csrf", Value: "0123456789abcdefABCDEF0123456789"})
				serve := func() {
					w := httptest.NewRecorder()
					o.Handler.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("%s: %d %s", r.path, w.Code, w.Body)
					}
				}
				if r.name == "pip_page" { // its reads list first grows to its bound (readsShown, 100), so that every timed view lists as many
					for range 100 {
						serve()
					}
				}
				b.ReportAllocs()
				for b.Loop() {
					serve()
				}
			})
		}
		b.Run(mode.name+"/pip_page_64", func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/ui/people/"+o.ben+"/pips/"+pip, nil)
			req.AddCookie(&http.Cookie{Name: web.CookieName, Value: o.hr})
			req.AddCookie(&http.Cookie{Name: "coachjournal_csrf", Value: "0123456789abcdefABCDEF0123456789"})
			b.SetParallelism(32) // × GOMAXPROCS (2 here): 64 viewers
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := req.Clone(context.Background())
				for pb.Next() {
					w := httptest.NewRecorder()
					o.Handler.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Errorf("PIP page: %d", w.Code)
						return
					}
				}
			})
		})
	}
}
