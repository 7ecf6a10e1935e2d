package api

import (
	"net/http"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/labstack/echo/v4"
)

// Cadence ranges: 90 days unless asked, at most two years.
const (
	defaultCadenceDays = 90
	maxCadenceDays     = 731
)

// managerCadence answers GET /v1/managers/{id}/cadence?from=&to=: the
// cadence of {id} with each direct report and of every leader below them
// (projections.Set.Cadence). The caller must see {id}, as for any person
// read. from and to are dates, both included; to defaults to today and is
// cut to today when later (a window that has not happened cannot be
// missed); from defaults to 89 days before to (90 days in all). A date that
// does not parse or lies outside 1970–2100, from after to, or a range over
// two years answers 422 validation_failed naming the field.
func (s *Server) managerCadence(c echo.Context) error {
	mgr, err := s.see(c)
	if err != nil {
		return err
	}
	from, to, err := s.cadenceRange(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.views.Cadence(mgr.ID, from, to))
}

func (s *Server) cadenceRange(c echo.Context) (from, to domain.Date, err error) {
	var p domain.Problems
	date := func(name string) (domain.Date, bool) {
		raw := c.QueryParam(name)
		if raw == "" {
			return domain.Date{}, false
		}
		d, err := domain.ParseDate(raw)
		if err != nil {
			p.Add(name, "must be a date (YYYY-MM-DD)")
			return domain.Date{}, false
		}
		if !domain.InYears(d.Time()) {
			p.Add(name, "%s", yearsMessage)
			return domain.Date{}, false
		}
		return d, true
	}
	today := s.today()
	to, ok := date("to")
	if !ok || to.After(today) {
		to = today
	}
	from, ok = date("from")
	if !ok {
		from = to.AddDays(1 - defaultCadenceDays)
	}
	switch {
	case len(p) > 0:
	case from.After(to):
		p.Add("from", "must be on or before to (%s)", to)
	case from.DaysUntil(to) >= maxCadenceDays:
		p.Add("from", "the range may span at most %d days", maxCadenceDays)
	}
	if len(p) > 0 {
		return from, to, httperr.New(domain.KindInvalid, "the cadence range is not valid", p...)
	}
	return from, to, nil
}
