package web

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/labstack/echo/v4"
)

// cadenceDays is the range the cadence page shows by default: 26 weeks.
const cadenceDays = 182

// maxCadenceDays is the longest range, as GET /v1/managers/{id}/cadence.
const maxCadenceDays = 731

type cadenceData struct {
	Manager  projections.Person
	Self     bool // the viewer is the manager
	Cadence  projections.Cadence
	From, To string
	Errors   map[string]string // range field → message
}

// cadence renders GET /ui/cadence/{id}?from=&to=: the 1-on-1 cadence of
// {id} with their own reports (for an owner, their 1-on-1s with their
// leaders) and of every leader below them: compliance, weeks missed,
// pipeline share, days since each report's last performance 1-on-1. The
// range follows the API's rules (to defaults to today and is cut to it,
// at most two years), so the page and GET /v1/managers/{id}/cadence give
// the same figures for the same range; a range that breaks them is shown
// again with the reason beside the field, and the default range.
func (u *ui) cadence(c echo.Context) error {
	mgr, ok, err := u.see(c, "id")
	if !ok {
		return err
	}
	today := domain.DateOf(u.Now().UTC())
	d := cadenceData{Manager: mgr, Self: viewer(c).Person == mgr.ID, Errors: map[string]string{}}
	date := func(name string) (domain.Date, bool) {
		raw := c.QueryParam(name)
		if raw == "" {
			return domain.Date{}, false
		}
		v, err := domain.ParseDate(raw)
		if err != nil {
			d.Errors[name] = "must be a date (YYYY-MM-DD)."
			return domain.Date{}, false
		}
		return v, true
	}
	to, ok := date("to")
	if !ok || to.After(today) {
		to = today
	}
	from, ok := date("from")
	if !ok {
		from = to.AddDays(1 - cadenceDays)
	}
	switch {
	case len(d.Errors) > 0:
	case from.After(to):
		d.Errors["from"] = "must be on or before " + day(to.Time()) + "."
	case from.DaysUntil(to) >= maxCadenceDays:
		d.Errors["from"] = "the range may span at most two years."
	}
	status := http.StatusOK
	if len(d.Errors) > 0 {
		status = httperr.Status(domain.KindInvalid)
		to, from = today, today.AddDays(1-cadenceDays)
	}
	d.Cadence, d.From, d.To = u.Views.Cadence(mgr.ID, from, to), c.QueryParam("from"), c.QueryParam("to")
	if d.From == "" || status == http.StatusOK {
		d.From = from.String()
	}
	if d.To == "" || status == http.StatusOK {
		d.To = to.String()
	}
	return u.render(c, status, "cadence", "Cadence", d)
}

// windowsWord names a cadence's windows: fortnights for a 14-day
// cadence, weeks otherwise.
func windowsWord(everyDays int) string {
	if everyDays == 14 {
		return "fortnights"
	}
	return "weeks"
}

// windowsTitle is windowsWord at the start of a heading.
func windowsTitle(everyDays int) string {
	if everyDays == 14 {
		return "Fortnights"
	}
	return "Weeks"
}

// daysOrDash is a count of days and what follows it, or "—" without one.
func daysOrDash(n *int, unit string) string {
	if n == nil {
		return "—"
	}
	return strconv.Itoa(*n) + unit
}

// rangeInvalid marks a range field refused, pointing at its message.
func rangeInvalid(errs map[string]string, name string) templ.Attributes {
	if errs[name] == "" {
		return nil
	}
	return templ.Attributes{"aria-invalid": "true", "aria-describedby": name + "-error"}
}
