package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/google/uuid"
)

type trendsBody struct {
	Metric      string
	ManagerID   *string `json:"manager_id"`
	Scope       string
	Granularity string
	From, To    string
	AsOf        string `json:"as_of"`
	People      int
	Buckets     []struct {
		Period           string
		Reps             int
		Total            *float64
		RepsWithTarget   int      `json:"reps_with_target"`
		MedianAttainment *float64 `json:"median_attainment"`
		RepsBelow90      int      `json:"reps_below_90"`
		ShareBelow90     *float64 `json:"share_below_90"`
	}
}

func (b trendsBody) bucket(t *testing.T, period string) int {
	t.Helper()
	for k, x := range b.Buckets {
		if x.Period == period {
			return k
		}
	}
	t.Fatalf("no bucket %s in %+v", period, b)
	return -1
}

// TestTrendsEndpoint: last month Ana is at 0.75 and Ben at 0.5 of the
// leader's revenue standard; Cy (other's team, no standard) sold 80,000.
func TestTrendsEndpoint(t *testing.T) {
	o := scoreOrg(t)
	o.Created(http.MethodPost, "/v1/people/"+o.cy+"/metrics", o.cyT, map[string]any{
		"period": lastMonth(), "source": "self", "values": map[string]any{"new_opportunities": 4, "deals_won": 2, "revenue": 80000}})
	now := clock.Now().UTC()
	thisMonth := domain.MonthPeriod(domain.DateOf(now))

	// Defaults: the whole org for admin, HR and analysts, by month, six months to this one.
	for _, tok := range []string{o.admin, o.hr, o.analyst} {
		r := o.Must(http.StatusOK, http.MethodGet, "/v1/trends?metric=revenue", tok, nil)
		var b trendsBody
		r.Decode(t, &b)
		from := domain.MonthPeriod(domain.DateOf(thisMonth.Start().Time().AddDate(0, -5, 0)))
		if b.Scope != "org" || b.ManagerID != nil || b.Granularity != "month" || b.To != thisMonth.String() || b.From != from.String() ||
			len(b.Buckets) != 6 || b.People != 6 || b.AsOf == "" {
			t.Fatalf("trends = %s", r.Body)
		}
		x := b.Buckets[b.bucket(t, lastMonth())]
		if x.Reps != 3 || *x.Total != 330000 || x.RepsWithTarget != 2 || *x.MedianAttainment != 0.625 || x.RepsBelow90 != 2 || *x.ShareBelow90 != 1 {
			t.Errorf("last month = %+v", x)
		}
		// Aggregates only: no name, email or person id.
		for _, id := range []string{o.owner, o.leader, o.ana, o.ben, o.other, o.cy, "Ana", "example.com"} {
			if strings.Contains(string(r.Body), id) {
				t.Errorf("trends carry %q: %s", id, r.Body)
			}
		}
	}

	// A leader's default is their own subtree; the derived win rate comes from the sums.
	r := o.Must(http.StatusOK, http.MethodGet, "/v1/trends?metric=win_rate&from="+lastMonth()+"&to="+lastMonth(), o.leaderT, nil)
	var b trendsBody
	r.Decode(t, &b)
	if b.Scope != "team" || b.ManagerID == nil || *b.ManagerID != o.leader || b.People != 2 || len(b.Buckets) != 1 {
		t.Fatalf("leader's trends = %s", r.Body)
	}
	// 5 won of 15; Ana 0.3/0.4, Ben 0.4/0.4.
	if x := b.Buckets[0]; x.Reps != 2 || *x.Total != 0.333333333333 || *x.MedianAttainment != 0.875 || x.RepsBelow90 != 1 || *x.ShareBelow90 != 0.5 {
		t.Errorf("leader's win rate = %s", r.Body)
	}

	// Who may ask for which team.
	team := func(mgr string) string { return "/v1/trends?metric=revenue&manager_id=" + mgr }
	for _, tok := range []string{o.ownerT, o.leaderT, o.admin, o.hr, o.analyst} {
		o.Must(http.StatusOK, http.MethodGet, team(o.leader), tok, nil)
	}
	r = o.Must(http.StatusOK, http.MethodGet, team(o.leader), o.analyst, nil)
	if strings.Contains(string(r.Body), o.ana) || strings.Contains(string(r.Body), o.ben) {
		t.Errorf("analyst's team trends carry a rep's id: %s", r.Body)
	}
	for _, tc := range []struct{ tok, mgr string }{
		{o.leaderT, o.other}, {o.anaT, o.leader}, {o.cyT, o.owner}, {o.admin, uuid.NewString()}, {o.analyst, uuid.NewString()},
	} {
		o.Must(http.StatusNotFound, http.MethodGet, team(tc.mgr), tc.tok, nil)
	}
	r = o.Must(http.StatusOK, http.MethodGet, "/v1/trends?metric=revenue", o.anaT, nil)
	r.Decode(t, &b)
	if *b.ManagerID != o.ana || b.People != 0 {
		t.Errorf("a rep's own subtree = %s", r.Body)
	}
	o.Must(http.StatusUnauthorized, http.MethodGet, "/v1/trends?metric=revenue", "", nil)

	// By week: Ben's weekly numbers; a later to is cut to this week.
	o.Created(http.MethodPost, "/v1/people/"+o.ben+"/metrics", o.benT, map[string]any{
		"period": lastWeek(), "source": "self", "values": map[string]any{"revenue": 30000}})
	thisWeek := domain.WeekPeriod(domain.DateOf(now)).String()
	r = o.Must(http.StatusOK, http.MethodGet, "/v1/trends?metric=revenue&granularity=week&from="+lastWeek()+"&to="+day(90), o.leaderT, nil)
	r.Decode(t, &b)
	if b.Granularity != "week" || b.From != lastWeek() || b.To != thisWeek || len(b.Buckets) != 2 {
		t.Fatalf("weekly = %s", r.Body)
	}
	if x := b.Buckets[0]; x.Reps != 1 || *x.Total != 30000 || x.RepsWithTarget != 1 || x.RepsBelow90 != 1 {
		t.Errorf("last week = %s", r.Body)
	}
	// A date stands for its bucket; a month asked by weeks for its weeks.
	r = o.Must(http.StatusOK, http.MethodGet, "/v1/trends?metric=revenue&from="+day(-1)+"&to="+day(0), o.admin, nil)
	r.Decode(t, &b)
	if b.To != thisMonth.String() || len(b.Buckets) > 2 {
		t.Errorf("dates = %s", r.Body)
	}
	r = o.Must(http.StatusOK, http.MethodGet, "/v1/trends?metric=revenue&granularity=week&from=2025-01&to=2025-01", o.admin, nil)
	r.Decode(t, &b)
	if b.From != "2025-W01" || b.To != "2025-W05" || len(b.Buckets) != 5 {
		t.Errorf("January 2025 by weeks = %s", r.Body)
	}
}

func TestTrendsBadParams(t *testing.T) {
	o := newOrg(t)
	for _, tc := range []struct {
		query  string
		status int
		field  string
	}{
		{"", 422, "metric"},
		{"metric=Revenue", 422, "metric"},
		{"metric=revenue&granularity=day", 422, "granularity"},
		{"metric=revenue&from=2026-13", 422, "from"},
		{"metric=revenue&to=yesterday", 422, "to"},
		{"metric=revenue&from=2025-06&to=2025-05", 422, "from"},
		{"metric=revenue&from=2020-01&to=2022-12", 200, ""},
		{"metric=revenue&from=2020-01&to=2023-01", 422, "from"},
		{"metric=revenue&granularity=week&from=2023-W01&to=2024-W52", 200, ""},
		{"metric=revenue&granularity=week&from=2023-W01&to=2025-W01", 422, "from"},
		{"metric=revenue&manager_id=not-a-uuid", 422, "manager_id"},
		{"metric=revenue&as_of=yesterday", 422, "as_of"},
	} {
		r := o.Must(tc.status, http.MethodGet, "/v1/trends?"+tc.query, o.admin, nil)
		if tc.field == "" {
			continue
		}
		var p struct {
			Code   string
			Errors []struct{ Field string }
		}
		r.Decode(t, &p)
		if p.Code != "validation_failed" || len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
			t.Errorf("%s: %s, want field %s", tc.query, r.Body, tc.field)
		}
	}
}
