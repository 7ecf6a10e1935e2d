package api

import (
	"net/http"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// Trend ranges: at most 36 months or 104 weeks.
const (
	maxTrendMonths = 36
	maxTrendWeeks  = 104
)

// trends answers GET /v1/trends?metric=&manager_id=&granularity=&from=&to=&as_of=
// (projections.Set.Trends): aggregates only, no person's id or name.
//
// metric is required (a metric key); granularity is month (default) or
// week; from and to are periods (YYYY-MM or YYYY-Www) or dates
// (YYYY-MM-DD, standing for the bucket holding them), both included: a
// month asked by weeks is the weeks that roll into it. to defaults to the
// current bucket and is cut to it when later; from defaults to the start
// of the sixth month ending with to's month (six months, or the weeks
// rolling into them). A malformed parameter, from after to or a range over
// 36 months or 104 weeks answers 422 naming the field, as does a malformed
// as_of and any value outside 1970–2100 (queryparams.go).
//
// Who: admin, HR and analysts any scope, the whole org by default;
// analysts may name a team by its manager's real id (they get aggregates,
// never ids). A member reads their own subtree by default, or that of
// anyone in their view; any other manager_id, like an unknown one, is 404.
func (s *Server) trends(c echo.Context) error {
	q, err := s.trendQuery(c)
	if err != nil {
		return err
	}
	p := principal(c)
	if p.Role == domain.RoleMember && q.ManagerID == nil {
		q.ManagerID = &p.Person
	}
	if q.ManagerID != nil {
		if _, ok := s.views.Person(*q.ManagerID); !ok || (p.Role == domain.RoleMember && !s.views.InView(p.Person, *q.ManagerID)) {
			return httperr.New(domain.KindNotFound, "no such manager",
				domain.FieldError{Field: "manager_id", Message: "names no one in your view"})
		}
	}
	t := s.views.Trends(q)
	if t.AsOf == nil {
		now := s.now().UTC()
		t.AsOf = &now
	}
	return c.JSON(http.StatusOK, t)
}

func (s *Server) trendQuery(c echo.Context) (projections.TrendQuery, error) {
	var q projections.TrendQuery
	var p domain.Problems
	switch q.Metric = c.QueryParam("metric"); {
	case q.Metric == "":
		p.Add("metric", "is required: a metric key such as revenue or win_rate")
	case !domain.ValidMetricKey(q.Metric):
		p.Add("metric", "must be a metric key (lower-case letters, digits and _, starting with a letter)")
	}
	if raw := c.QueryParam("manager_id"); raw != "" {
		id, err := uuid.Parse(raw)
		if err != nil || len(raw) != 36 {
			p.Add("manager_id", "is not a UUID")
		} else {
			q.ManagerID = &id
		}
	}
	switch q.Granularity = c.QueryParam("granularity"); q.Granularity {
	case "":
		q.Granularity = projections.TrendMonth
	case projections.TrendMonth, projections.TrendWeek:
	default:
		p.Add("granularity", "must be month or week")
	}
	bucketOf := domain.MonthPeriod
	if q.Granularity == projections.TrendWeek {
		bucketOf = domain.WeekPeriod
	}
	bound := func(name string) (domain.Period, bool) {
		raw := c.QueryParam(name)
		if raw == "" {
			return domain.Period{}, false
		}
		per, err := domain.ParsePeriod(raw)
		if err != nil {
			d, derr := domain.ParseDate(raw)
			if derr != nil {
				p.Add(name, "must be a month (YYYY-MM), an ISO week (YYYY-Www) or a date (YYYY-MM-DD)")
				return domain.Period{}, false
			}
			per = bucketOf(d)
		}
		if !periodInYears(per) {
			p.Add(name, "%s", yearsMessage)
			return domain.Period{}, false
		}
		return per, true
	}
	current := bucketOf(s.today())
	to, ok := bound("to")
	if !ok {
		to = current
	}
	from, ok := bound("from")
	if !ok {
		from = domain.MonthPeriod(domain.DateOf(to.Month().Start().Time().AddDate(0, -5, 0)))
	}
	if len(p) > 0 {
		return q, p.Err()
	}
	first, last, n := projections.TrendRange(q.Granularity, from, to)
	if last.Start().After(current.Start()) {
		first, last, n = projections.TrendRange(q.Granularity, first, current)
	}
	limit, unit := maxTrendMonths, "months"
	if q.Granularity == projections.TrendWeek {
		limit, unit = maxTrendWeeks, "weeks"
	}
	switch {
	case n == 0:
		p.Add("from", "must be on or before to (%s)", last)
	case n > limit:
		p.Add("from", "the range may span at most %d %s", limit, unit)
	}
	if len(p) > 0 {
		return q, p.Err()
	}
	q.From, q.To = first, last
	var err error
	q.AsOf, err = s.asOfQuery(c)
	return q, err
}
