package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
)

// org is a small organisation: owner → leader → ana, ben; owner → other → cy.
type org struct {
	*apitest.Env
	admin, hr, analyst                       string // tokens
	owner, leader, ana, ben, other, cy       string // person ids
	ownerT, leaderT, anaT, benT, otherT, cyT string // their tokens
}

func newOrg(t testing.TB) *org { t.Helper(); return newOrgWith(t, apitest.Options{}) }

// newOrgWith is newOrg on a service started with options.
func newOrgWith(t testing.TB, opts apitest.Options) *org {
	t.Helper()
	o := &org{Env: apitest.StartWith(t, opts)}
	o.admin = o.Token("admin-service", domain.RoleAdmin)
	o.hr = o.Token("hr-service", domain.RoleHR)
	o.analyst = o.Token("analyst-service", domain.RoleAnalyst)
	reg := func(name, email string, mgr string) string {
		body := map[string]any{"name": name, "email": email, "title": "Account Executive"}
		if mgr != "" {
			body["manager_id"] = mgr
		}
		return o.Created(http.MethodPost, "/v1/people", o.admin, body)
	}
	o.owner = reg("Olga Owner", "olga@example.com", "")
	o.leader = reg("Leo Leader", "leo@example.com", o.owner)
	o.ana = reg("Ana Lima", "ana@example.com", o.leader)
	o.ben = reg("Ben Brook", "ben@example.com", o.leader)
	o.other = reg("Otto Other", "otto@example.com", o.owner)
	o.cy = reg("Cy Chen", "cy@example.com", o.other)
	tok := func(id string) string { return o.Token(id, domain.RoleMember) }
	o.ownerT, o.leaderT, o.anaT, o.benT, o.otherT, o.cyT = tok(o.owner), tok(o.leader), tok(o.ana), tok(o.ben), tok(o.other), tok(o.cy)
	return o
}

// lastWeek is the ISO week before today's, as a period string.
func lastWeek() string {
	return domain.WeekPeriod(domain.DateOf(clock.Now().UTC().AddDate(0, 0, -7))).String()
}

func lastMonth() string {
	now := clock.Now().UTC()
	return domain.MonthPeriod(domain.DateOf(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1))).String()
}

func day(offset int) string { return domain.DateOf(clock.Now().UTC()).AddDays(offset).String() }
