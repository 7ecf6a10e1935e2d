package web

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/export"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// The analyst's page (/ui/analysis): a metric's trend for the org or one
// team as charts, from the same figures as GET /v1/trends, the teams below
// compared, and the export's download form. Analysts see no person: a team
// is named by its manager's pseudonym (the export's manager_pseudonym), so
// the page carries nothing the export does not; admins see names.

// ExportFunc streams an export of r for v to the response (GET
// /v1/export's path: its caps and roles). When it refuses before the first
// byte it answers nothing and returns the problem the API would answer
// (its kind, the reason in words and, when rate limited, the seconds to
// wait); nil means it answered.
type ExportFunc func(c echo.Context, v Viewer, r export.Request) *httperr.Problem

// analysisMetrics are the metrics the page offers, in the order a sales
// leader reads them.
var analysisMetrics = []string{"revenue", "deals_won", "new_opportunities", "activities", "win_rate", "avg_deal_size"}

// analysisMonths is how many months the charts show, the current one last.
const analysisMonths = 6

type team struct {
	Key   string // the manager's pseudonym: the form's value
	Label string
	ID    uuid.UUID
	Size  int // direct reports
	Depth int
}

type teamRow struct {
	team
	People           int
	Month            string
	Reps             int
	MedianAttainment *float64
	ShareBelow90     *float64
}

type analysisData struct {
	Metric, Team string // the chosen metric and team key ("" the org)
	Metrics      []string
	Teams        []team
	Scope        string // "the whole org" or the team's label
	Trend        projections.Trends
	Attainment   drawing // the charts
	Totals       drawing
	Rows         []teamRow // the teams directly below the scope
	Download     *form
	CanClear     bool
	Retry        string // a download refused for a cap: why
}

func canAnalyse(v Viewer) bool { return v.Role == domain.RoleAnalyst || v.Role == domain.RoleAdmin }

// analysis renders the page for the query's metric and team.
func (u *ui) analysis(c echo.Context) error {
	v := viewer(c)
	if !canAnalyse(v) {
		return u.fail(c, domain.KindForbidden, "The analysis page is for analysts and admins.")
	}
	return u.renderAnalysis(c, http.StatusOK, c.QueryParam("metric"), c.QueryParam("team"), newDownloadForm(nil), "")
}

func newDownloadForm(values url.Values) *form {
	if values == nil {
		values = url.Values{"format": {"parquet"}, "table": {"metrics"}}
	}
	return &form{Values: values, Errors: map[string]string{}}
}

func (u *ui) renderAnalysis(c echo.Context, status int, metric, teamKey string, dl *form, retry string) error {
	v := viewer(c)
	d := analysisData{Metric: metric, Team: teamKey, Metrics: analysisMetrics, Teams: u.teams(v), Scope: "the whole org",
		Download: dl, CanClear: v.Role == domain.RoleAdmin, Retry: retry}
	if !domain.ValidMetricKey(d.Metric) {
		d.Metric = "revenue"
	}
	var mgr *uuid.UUID
	byKey := map[string]team{}
	for _, t := range d.Teams {
		byKey[t.Key] = t
	}
	if t, ok := byKey[d.Team]; ok {
		mgr, d.Scope = &t.ID, t.Label
	} else {
		d.Team = ""
	}
	to := domain.MonthPeriod(domain.DateOf(u.Now().UTC()))
	from := addMonths(to, 1-analysisMonths)
	d.Trend = u.Views.Trends(projections.TrendQuery{Metric: d.Metric, ManagerID: mgr, Granularity: projections.TrendMonth, From: from, To: to})
	att, tot := make([]point, len(d.Trend.Buckets)), make([]point, len(d.Trend.Buckets))
	for i, b := range d.Trend.Buckets {
		label := b.Period.Start().Time().Format("Jan")
		att[i], tot[i] = point{label, b.MedianAttainment}, point{label, b.Total}
	}
	d.Attainment = lineChart("Median attainment of "+metricLabel(d.Metric)+" by month, against the standard (100%)", att)
	d.Totals = barChart(metricLabel(d.Metric)+" by month, the scope's total", tot, func(v *float64) string { return compact(d.Metric, v) })
	for _, t := range d.Teams {
		if (mgr == nil && t.Depth > 1) || (mgr != nil && !u.reportsTo(t.ID, *mgr)) {
			continue
		}
		tr := u.Views.Trends(projections.TrendQuery{Metric: d.Metric, ManagerID: &t.ID, Granularity: projections.TrendMonth, From: from, To: to})
		row := teamRow{team: t, People: tr.People}
		for _, b := range tr.Buckets { // the latest month with a figure
			if b.Reps > 0 {
				row.Month, row.Reps, row.MedianAttainment, row.ShareBelow90 = monthName(b.Period), b.Reps, b.MedianAttainment, b.ShareBelow90
			}
		}
		d.Rows = append(d.Rows, row)
	}
	return u.render(c, status, "analysis", "Analysis", d)
}

// reportsTo reports whether id's manager is mgr.
func (u *ui) reportsTo(id, mgr uuid.UUID) bool {
	p, ok := u.Views.Person(id)
	return ok && p.ManagerID != nil && *p.ManagerID == mgr
}

// teams are the people who manage someone today, as the viewer may name
// them: by name for admins, by pseudonym for analysts (keyed by it, so no
// id reaches an analyst's page either); the top of the org
// first, then by label.
func (u *ui) teams(v Viewer) []team {
	if u.Pseudonym == nil && v.Role != domain.RoleAdmin {
		return nil // no pseudonym key: the org as a whole only
	}
	people := u.Views.People(nil)
	reports := map[uuid.UUID]int{}
	managerOf := map[uuid.UUID]*uuid.UUID{}
	for _, p := range people {
		managerOf[p.ID] = p.ManagerID
		if p.ManagerID != nil && p.DepartedOn == nil {
			reports[*p.ManagerID]++
		}
	}
	var out []team
	for _, p := range people {
		if reports[p.ID] == 0 || p.DepartedOn != nil {
			continue
		}
		t := team{ID: p.ID, Size: reports[p.ID], Key: p.ID.String()}
		if u.Pseudonym != nil {
			t.Key = u.Pseudonym(p.ID)
		}
		for m := managerOf[p.ID]; m != nil && t.Depth < 64; m = managerOf[*m] {
			t.Depth++
		}
		t.Label = "Team " + t.Key[:min(len(t.Key), 8)] // the pseudonym's first digits tell teams apart
		if v.Role == domain.RoleAdmin {
			t.Label = p.Name + "'s team"
		}
		out = append(out, t)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Depth != out[b].Depth {
			return out[a].Depth < out[b].Depth
		}
		return out[a].Label < out[b].Label
	})
	return out
}

// analysisExport is the download: the form's fields are GET /v1/export's
// parameters. A refused form is the page again, its fields as typed and
// the reasons beside them.
func (u *ui) analysisExport(c echo.Context) error {
	v := viewer(c)
	if !canAnalyse(v) {
		return u.fail(c, domain.KindForbidden, "Downloads are for analysts and admins.")
	}
	dl := newDownloadForm(c.QueryParams())
	r, err := export.ParseRequest(c.QueryParams())
	var de *domain.Error
	if errors.As(err, &de) {
		for _, f := range de.Fields {
			dl.fieldError(f.Field, downloadWords(f))
		}
	} else if err != nil {
		return err
	}
	if r.Clear && v.Role != domain.RoleAdmin {
		dl.fieldError("clear", "Only an admin may download names and ids in clear.")
	}
	if dl.Invalid() {
		dl.Notice = "The download was not started: see the fields marked below."
		return u.renderAnalysis(c, httperr.Status(domain.KindInvalid), "", "", dl, "")
	}
	if u.Export == nil {
		return u.fail(c, domain.KindUnavailable, "Downloads are not available on this server.")
	}
	p := u.Export(c, v, r)
	switch {
	case p == nil:
		return nil
	case p.Kind == httperr.KindRateLimited:
		retry := strconv.Itoa(p.RetryAfter)
		c.Response().Header().Set("Retry-After", retry)
		return u.renderAnalysis(c, p.Status, "", "", dl, "The download was not started: "+p.Detail+" (try again in "+retry+" seconds).")
	}
	return u.fail(c, p.Kind, p.Detail)
}

// downloadWords says what is wrong with a download field, for people.
func downloadWords(f domain.FieldError) string {
	switch f.Field {
	case "from", "to":
		if f.Message == "must be after from" {
			return "The end must be after the start."
		}
		return "Give a date as YYYY-MM-DD."
	case "type":
		return "Give an event type, or the start of one ending in a dot, or leave it empty for every event."
	case "table":
		return "NDJSON holds the events only; choose CSV or Parquet for the metrics or scorecards table."
	case "format":
		return "Choose Parquet, CSV or NDJSON."
	}
	return "This value is not valid: " + f.Message + "."
}

// compact writes a chart label short enough for a column: $1.2M, 350k, 42%.
func compact(metric string, v *float64) string {
	if v == nil {
		return "—"
	}
	if metric == "win_rate" {
		return pct(v)
	}
	s, x := "", *v
	switch {
	case math.Abs(x) >= 1e6:
		s = strconv.FormatFloat(x/1e6, 'f', 1, 64) + "M"
	case math.Abs(x) >= 1e4:
		s = strconv.FormatFloat(x/1e3, 'f', 0, 64) + "k"
	default:
		s = num(v)
	}
	if metric == "revenue" || metric == "avg_deal_size" {
		s = "$" + s
	}
	return s
}

// metricRow is a metric's row without a unit, for metricValue.
func metricRow(key string) projections.MetricRow { return projections.MetricRow{Metric: key} }
