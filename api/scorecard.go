package api

import (
	"net/http"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/labstack/echo/v4"
)

// scorecardRoutes registers the scorecard, the team board and the standard
// in force.
func (s *Server) scorecardRoutes(g *echo.Group) {
	g.GET("/people/:id/scorecard", s.scorecard)
	g.GET("/people/:id/standard", s.standardInForce)
	g.GET("/teams/:manager_id/board", s.board)
}

// scorecard answers GET /v1/people/{id}/scorecard?period=YYYY-MM&as_of=.
func (s *Server) scorecard(c echo.Context) error {
	person, err := s.see(c)
	if err != nil {
		return err
	}
	month, asOf, err := s.monthQuery(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(person.Version))
	key := readKey("scorecard", string(person.ID[:]), month.String(), instantKey(asOf))
	return s.serveRead(c, key, nullAsOf, func() (any, projections.Stamp) { // a nil as_of is now
		return s.views.StampedScorecard(person.ID, month, asOf)
	})
}

// board answers GET /v1/teams/{manager_id}/board?period=YYYY-MM&as_of=:
// the caller must see the manager. Its ETag is the manager's journal
// version, like every person read.
func (s *Server) board(c echo.Context) error {
	mgr, err := s.seeParam(c, "manager_id")
	if err != nil {
		return err
	}
	month, asOf, err := s.monthQuery(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(mgr.Version))
	key := readKey("board", string(mgr.ID[:]), month.String(), instantKey(asOf))
	return s.serveRead(c, key, nullAsOf, func() (any, projections.Stamp) { // the board's and its rows' nil as_of are now
		return s.views.StampedBoard(mgr.ID, month, asOf)
	})
}

// standardInForce answers GET /v1/people/{id}/standard?on=DATE (default
// today); 404 when no standard is in force that day.
func (s *Server) standardInForce(c echo.Context) error {
	person, err := s.see(c)
	if err != nil {
		return err
	}
	on := s.today()
	if raw := c.QueryParam("on"); raw != "" {
		if on, err = domain.ParseDate(raw); err != nil {
			return domain.Invalid(domain.FieldError{Field: "on", Message: "must be a date (YYYY-MM-DD)"})
		}
		if !domain.InYears(on.Time()) {
			return domain.Invalid(domain.FieldError{Field: "on", Message: yearsMessage})
		}
	}
	std, ok := s.views.Standard(person.ID, on, time.Time{})
	if !ok {
		return httperr.New(domain.KindNotFound, "no standard is in force for this person on "+on.String())
	}
	c.Response().Header().Set("ETag", etag(person.Version))
	return c.JSON(http.StatusOK, std)
}

// monthQuery reads period (required, a month: 422 otherwise) and as_of
// (RFC 3339 in the years 1970–2100: 422 otherwise). A missing or future as_of is now, returned as
// the zero time: everything applied.
func (s *Server) monthQuery(c echo.Context) (domain.Period, time.Time, error) {
	asOf, err := s.asOfQuery(c)
	if err != nil {
		return domain.Period{}, asOf, err
	}
	raw := c.QueryParam("period")
	month, err := domain.ParsePeriod(raw)
	switch {
	case raw == "":
		return month, asOf, domain.Invalid(domain.FieldError{Field: "period", Message: "is required: a month, YYYY-MM"})
	case err != nil || month.IsWeek():
		return month, asOf, domain.Invalid(domain.FieldError{Field: "period", Message: "must be a month, YYYY-MM"})
	case !periodInYears(month):
		return month, asOf, domain.Invalid(domain.FieldError{Field: "period", Message: yearsMessage})
	}
	return month, asOf, nil
}

// asOfQuery reads as_of (RFC 3339 in 1970–2100: 422 otherwise); a missing or future
// one is now, returned as the zero time: everything applied.
func (s *Server) asOfQuery(c echo.Context) (time.Time, error) {
	var asOf time.Time
	if raw := c.QueryParam("as_of"); raw != "" {
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil {
			return asOf, httperr.New(domain.KindInvalid, "as_of is not an RFC 3339 time",
				domain.FieldError{Field: "as_of", Message: "must be an RFC 3339 time, e.g. 2026-11-01T00:00:00Z"})
		}
		if !domain.InYears(t) {
			return asOf, domain.Invalid(domain.FieldError{Field: "as_of", Message: yearsMessage})
		}
		if t.Before(s.now()) {
			asOf = t
		}
	}
	return asOf, nil
}
