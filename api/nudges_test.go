package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/nudges"
	"github.com/google/uuid"
)

// TestNudges: each nudge reaches the right people on the right day and is
// gone once the journal resolves it. The org is built through the API
// today; the days after are the nudges' own argument, so the test runs the
// clock forward without waiting for it.
func TestNudges(t *testing.T) {
	o := newOrg(t)
	today := domain.DateOf(clock.Now().UTC())
	P := "/v1/people/"
	o.Created(http.MethodPost, P+o.leader+"/cadence", o.leaderT, map[string]any{"every_days": 7})
	cid := o.Created(http.MethodPost, P+o.ana+"/commitments", o.anaT, map[string]any{"text": "book 15 first meetings", "due_on": day(3)})
	every := 7
	pip := o.Created(http.MethodPost, P+o.ben+"/pips", o.hr, map[string]any{"reason": "below standard", "starts_on": day(0), "ends_on": day(60),
		"check_in_every_days": every, "goals": []map[string]any{{"text": "more pipeline"}}})

	type who struct {
		name string
		r    nudges.Recipient
	}
	person := func(name, id string) who {
		return who{name, nudges.Recipient{Person: uuid.MustParse(id), Role: domain.RoleMember}}
	}
	ana, ben, leo, olga, otto := person("Ana", o.ana), person("Ben", o.ben), person("Leo", o.leader), person("Olga", o.owner), person("Otto", o.other)
	hr := who{"HR", nudges.Recipient{Role: domain.RoleHR}}
	analyst := who{"an analyst", nudges.Recipient{Role: domain.RoleAnalyst}}
	kinds := func(w who, offset int) map[string]int {
		got := map[string]int{}
		for _, n := range nudges.For(o.Views, w.r, today.AddDays(offset)) {
			got[n.Kind]++
			if n.Text == "" || n.Link == "" || n.ID == "" {
				t.Errorf("day %+d, %s: a nudge without words, link or id: %+v", offset, w.name, n)
			}
		}
		return got
	}
	check := func(what string, offset int, w who, want map[string]int) {
		t.Helper()
		got := kinds(w, offset)
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s, day %+d, %s: %d %s, want %d (all: %v)", what, offset, w.name, got[k], k, n, got)
			}
		}
	}
	const (
		due, overdue  = nudges.CommitmentDueTomorrow, nudges.CommitmentOverdue
		missing       = nudges.OneOnOneMissing
		ckDue, ckMiss = nudges.PIPCheckInDue, nudges.PIPCheckInMissed
		acknowledgeIt = nudges.PIPRevisionUnacknowledged
	)
	// The commitment: due tomorrow for Ana alone, overdue for Ana and Leo.
	check("commitment not due yet", 1, ana, map[string]int{due: 0, overdue: 0})
	check("commitment due tomorrow", 2, ana, map[string]int{due: 1, overdue: 0})
	check("commitment due tomorrow", 2, leo, map[string]int{due: 0, overdue: 0})
	check("commitment overdue", 4, ana, map[string]int{overdue: 1})
	check("commitment overdue", 4, leo, map[string]int{overdue: 1})
	check("commitment overdue", 4, olga, map[string]int{overdue: 0})

	// The PIP: Ben acknowledges it; HR and Leo hear of the check-in two
	// days ahead and of a missed one, nobody else does.
	check("PIP opened", 0, ben, map[string]int{acknowledgeIt: 1})
	check("PIP opened", 0, leo, map[string]int{acknowledgeIt: 0})
	check("check-in far off", 4, hr, map[string]int{ckDue: 0, ckMiss: 0})
	for _, w := range []who{hr, leo} {
		check("check-in in two days", every-2, w, map[string]int{ckDue: 1})
		check("check-in missed", every+1, w, map[string]int{ckMiss: 1, ckDue: 0})
		for _, offset := range []int{every - 2, every + 1} {
			for _, n := range nudges.For(o.Views, w.r, today.AddDays(offset)) {
				if want := "/ui/people/" + o.ben + "/pips/" + pip + "/check-ins"; (n.Kind == ckDue || n.Kind == ckMiss) && n.Link != want {
					t.Errorf("day %+d, %s: the %s nudge links to %s, want the check-in's page %s", offset, w.name, n.Kind, n.Link, want)
				}
			}
		}
	}
	for _, w := range []who{ana, olga, otto, analyst} {
		check("check-in missed", every+1, w, map[string]int{ckMiss: 0})
	}

	// The cadence, every 7 days: Leo's reports came under him today with
	// no 1-on-1. Past 7 days Leo hears of both, past 14 Olga too (beside
	// her own reports, Leo and Otto, and Otto's Cy); Otto never of them.
	about := func(w who, offset int) map[string]bool {
		got := map[string]bool{}
		for _, n := range nudges.For(o.Views, w.r, today.AddDays(offset)) {
			if n.Kind == missing {
				got[n.About.String()] = true
			}
		}
		return got
	}
	cadence := func(what string, offset int, w who, want map[string]bool) {
		t.Helper()
		got := about(w, offset)
		for id, in := range want {
			if got[id] != in {
				t.Errorf("%s, day %+d, %s: a missing 1-on-1 about %s: %v, want %v", what, offset, w.name, id, got[id], in)
			}
		}
	}
	cadence("cadence kept", every, leo, map[string]bool{o.ana: false, o.ben: false})
	cadence("cadence missed", every+1, leo, map[string]bool{o.ana: true, o.ben: true})
	cadence("cadence missed once", every+1, olga, map[string]bool{o.ana: false, o.ben: false, o.leader: true, o.other: true})
	cadence("cadence missed twice", 2*every+1, olga, map[string]bool{o.ana: true, o.ben: true, o.cy: true})
	cadence("cadence missed twice", 2*every+1, otto, map[string]bool{o.ana: false, o.ben: false, o.cy: true})
	// A 1-on-1 with Ana recorded after the fact, 20 days ago: Leo and Olga
	// hear of her today; one held an hour ago resolves both.
	meet := func(ago time.Duration) {
		o.Must(http.StatusCreated, http.MethodPost, P+o.ana+"/meetings", o.leaderT, map[string]any{"kind": "performance",
			"held_at": clock.Now().UTC().Add(-ago).Format(time.RFC3339), "with_id": o.leader})
	}
	meet(20 * 24 * time.Hour)
	cadence("last 1-on-1 20 days ago", 0, leo, map[string]bool{o.ana: true, o.ben: false})
	cadence("last 1-on-1 20 days ago", 0, olga, map[string]bool{o.ana: true, o.ben: false})
	meet(time.Hour)
	cadence("1-on-1 an hour ago", 0, leo, map[string]bool{o.ana: false})
	cadence("1-on-1 an hour ago", 0, olga, map[string]bool{o.ana: false})
	cadence("1-on-1 an hour ago", every+1, leo, map[string]bool{o.ana: true, o.ben: true})

	// The journal resolves the rest: the commitment kept, Ben's PIP
	// acknowledged.
	o.Must(http.StatusCreated, http.MethodPost, P+o.ana+"/commitments/"+cid+"/resolution", o.anaT, map[string]any{"status": "kept"})
	o.Must(http.StatusCreated, http.MethodPost, P+o.ben+"/pips/"+pip+"/acknowledgement", o.benT, map[string]any{})
	check("commitment kept", 4, ana, map[string]int{overdue: 0})
	check("commitment kept", 4, leo, map[string]int{overdue: 0})
	check("PIP acknowledged", 0, ben, map[string]int{acknowledgeIt: 0})

	// Over HTTP: the caller's own nudges today, each marked read by its
	// reader alone; a nudge not theirs is 404; an analyst has none.
	type inbox struct {
		On     string
		Unread int
		Items  []struct {
			ID   string
			Kind string
			Read bool
		}
	}
	o.Created(http.MethodPost, P+o.ana+"/pips", o.hr, map[string]any{"reason": "below standard", "starts_on": day(-10), "ends_on": day(50),
		"check_in_every_days": every, "goals": []map[string]any{{"text": "more pipeline"}}}) // its first check-in, 3 days ago, missed
	var got inbox
	o.Must(http.StatusOK, http.MethodGet, "/v1/me/nudges", o.hr, nil).Decode(t, &got)
	if got.On != today.String() {
		t.Errorf("GET /v1/me/nudges is for %s, want today %s", got.On, today)
	}
	o2 := o.Token("hr-desk-2", domain.RoleHR)
	if len(got.Items) == 0 || got.Unread != len(got.Items) {
		t.Fatalf("HR's inbox: %+v, want unread nudges (a missed check-in at least)", got)
	}
	nid := got.Items[0].ID
	o.Must(http.StatusNoContent, http.MethodPost, "/v1/me/nudges/"+nid+"/read", o.hr, nil)
	o.Must(http.StatusNoContent, http.MethodPost, "/v1/me/nudges/"+nid+"/read", o.hr, nil)
	o.Must(http.StatusOK, http.MethodGet, "/v1/me/nudges", o.hr, nil).Decode(t, &got)
	if got.Items[0].ID != nid || !got.Items[0].Read || got.Unread != len(got.Items)-1 {
		t.Errorf("after marking %s read: %+v", nid, got)
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/me/nudges", o2, nil).Decode(t, &got)
	if got.Unread != len(got.Items) {
		t.Errorf("another HR reader sees %s read: %+v", nid, got)
	}
	o.Must(http.StatusNotFound, http.MethodPost, "/v1/me/nudges/"+nid+"/read", o.anaT, nil)
	o.Must(http.StatusNotFound, http.MethodPost, "/v1/me/nudges/0123456789abcdef/read", o.hr, nil)
	o.Must(http.StatusOK, http.MethodGet, "/v1/me/nudges", o.analyst, nil).Decode(t, &got)
	if len(got.Items) != 0 {
		t.Errorf("an analyst has nudges: %+v", got.Items)
	}
}

// TestParkedNudgesAdmin: only admins list and replay parked nudge
// deliveries; a replay of a sequence that is not a parked delivery is 404.
func TestParkedNudgesAdmin(t *testing.T) {
	o := newOrg(t)
	var got struct{ Items []domain.ParkedNudge }
	o.Must(http.StatusOK, http.MethodGet, "/v1/admin/nudges/parked", o.admin, nil).Decode(t, &got)
	if got.Items == nil || len(got.Items) != 0 {
		t.Errorf("parked nudges of a fresh service: %+v, want an empty list", got.Items)
	}
	for _, token := range []string{o.hr, o.leaderT, o.analyst} {
		o.Must(http.StatusForbidden, http.MethodGet, "/v1/admin/nudges/parked", token, nil)
		o.Must(http.StatusForbidden, http.MethodPost, "/v1/admin/nudges/parked/1/replay", token, nil)
	}
	o.Must(http.StatusNotFound, http.MethodPost, "/v1/admin/nudges/parked/1/replay", o.admin, nil)
	o.Must(http.StatusUnprocessableEntity, http.MethodPost, "/v1/admin/nudges/parked/x/replay", o.admin, nil)
}

// TestNudgePrefs: a person reads defaults, replaces their preferences and
// reads them back; a bad channel, half a quiet range, a time that is not
// HH:MM, an unknown time zone are 422 naming the field, an unknown key 400,
// and a service token has none (403). Nothing bad is stored.
func TestNudgePrefs(t *testing.T) {
	o := newOrg(t)
	P := "/v1/me/nudge-preferences"
	var got nudges.Prefs
	o.Must(http.StatusOK, http.MethodGet, P, o.anaT, nil).Decode(t, &got)
	if got.DigestOnly || got.QuietFrom != "" || len(got.Channels) != 0 {
		t.Errorf("defaults: %+v", got)
	}
	want := map[string]any{"channels": map[string]bool{"slack": false}, "quiet_from": "22:00", "quiet_to": "07:00", "time_zone": "Europe/Berlin", "digest_only": true}
	o.Must(http.StatusOK, http.MethodPut, P, o.anaT, want)
	o.Must(http.StatusOK, http.MethodGet, P, o.anaT, nil).Decode(t, &got)
	if !got.DigestOnly || got.QuietFrom != "22:00" || got.QuietTo != "07:00" || got.TimeZone != "Europe/Berlin" || got.On("slack") || !got.On("email") {
		t.Errorf("after PUT: %+v", got)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"channels": map[string]bool{"pager": true}}, "channels.pager"},
		{map[string]any{"quiet_from": "22:00"}, "quiet_to"},
		{map[string]any{"quiet_from": "10pm", "quiet_to": "07:00"}, "quiet_from"},
		{map[string]any{"time_zone": "Mars/Olympus"}, "time_zone"},
	} {
		r := o.Do(http.MethodPut, P, o.anaT, c.body)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"`+c.field+`"`) {
			t.Errorf("PUT %v: %d %s, want 422 naming %s", c.body, r.Status, r.Body, c.field)
		}
	}
	if r := o.Do(http.MethodPut, P, o.anaT, map[string]any{"digest": true}); r.Status != http.StatusBadRequest {
		t.Errorf("an unknown key: %d %s, want 400", r.Status, r.Body)
	}
	o.Must(http.StatusForbidden, http.MethodGet, P, o.hr, nil)
	o.Must(http.StatusOK, http.MethodGet, P, o.anaT, nil).Decode(t, &got)
	if got.TimeZone != "Europe/Berlin" || !got.DigestOnly {
		t.Errorf("a refused PUT changed the preferences: %+v", got)
	}
}

// TestNudgeMarketSignal: when most of Leo's team was below 90% last month
// (the board's market signal), Leo and his manager Olga hear of it, with
// a link to that month's board; a rep and another leader do not. The
// current month, below goal as every month is early on, raises nothing.
func TestNudgeMarketSignal(t *testing.T) {
	o := newOrg(t)
	today := domain.DateOf(clock.Now().UTC())
	month := domain.MonthPeriod(today.AddDays(-today.Time().Day())).String()
	dee := o.Created(http.MethodPost, "/v1/people", o.admin, map[string]any{"name": "Dee Diaz", "email": "dee@example.com", "manager_id": o.leader})
	o.Created(http.MethodPost, "/v1/people/"+o.leader+"/standards", o.leaderT, map[string]any{"applies_to": "reports", "effective_from": "2020-01-01",
		"period": "month", "targets": []map[string]any{{"metric": "revenue", "target": 100000, "kind": "lagging", "unit": "USD"}}})
	market := func(r nudges.Recipient) []nudges.Nudge {
		var out []nudges.Nudge
		for _, n := range nudges.For(o.Views, r, today) {
			if n.Kind == nudges.MarketSignal {
				out = append(out, n)
			}
		}
		return out
	}
	member := func(id string) nudges.Recipient {
		return nudges.Recipient{Person: uuid.MustParse(id), Role: domain.RoleMember}
	}
	for _, rep := range []string{o.ana, o.ben, dee} {
		o.Created(http.MethodPost, "/v1/people/"+rep+"/metrics", o.leaderT, map[string]any{"period": domain.MonthPeriod(today).String(), "source": "manager", "values": map[string]any{"revenue": 20000}})
	}
	if got := market(member(o.leader)); len(got) != 0 {
		t.Errorf("the current month, below goal so far, raised a market nudge: %+v", got)
	}
	for _, rep := range []string{o.ana, o.ben, dee} {
		o.Created(http.MethodPost, "/v1/people/"+rep+"/metrics", o.leaderT, map[string]any{"period": month, "source": "manager", "values": map[string]any{"revenue": 20000}})
	}
	for name, id := range map[string]string{"Leo": o.leader, "Olga": o.owner} {
		got := market(member(id))
		if len(got) != 1 || got[0].About.String() != o.leader || got[0].Link != "/ui/teams/"+o.leader+"?period="+month {
			t.Errorf("%s's market nudges: %+v, want one about Leo's team linking to its board", name, got)
		}
	}
	for name, id := range map[string]string{"Ana": o.ana, "Otto": o.other} {
		if got := market(member(id)); len(got) != 0 {
			t.Errorf("%s hears of Leo's market signal: %+v", name, got)
		}
	}
}
