package web

import (
	"net/http"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/labstack/echo/v4"
)

// cadenceDays is the range the cadence page shows by default: 26 weeks.
const cadenceDays = 182

type cadenceData struct {
	Manager  projections.Person
	Cadence  projections.Cadence
	From, To string
}

// cadence renders GET /ui/cadence/{id}?from=&to=: the 1-on-1 cadence of
// {id} and of every leader below them (for an owner: each leader's
// compliance, pipeline share and longest gaps).
func (u *ui) cadence(c echo.Context) error {
	mgr, ok, err := u.see(c, "id")
	if !ok {
		return err
	}
	to := domain.DateOf(u.Now().UTC())
	from := to.AddDays(1 - cadenceDays)
	if raw := c.QueryParam("from"); raw != "" {
		d, err := domain.ParseDate(raw)
		if err != nil || d.After(to) || d.DaysUntil(to) > 730 {
			return u.fail(c, http.StatusBadRequest, "from must be a date (YYYY-MM-DD) within the last two years.")
		}
		from = d
	}
	cad := u.Views.Cadence(mgr.ID, from, to)
	return u.render(c, http.StatusOK, "cadence", "Cadence", cadenceData{Manager: mgr, Cadence: cad, From: from.String(), To: to.String()})
}
