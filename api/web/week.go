package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

type weekData struct {
	Person    projections.Person
	Self      bool // the person enters their own numbers (source self), else a leader (source manager)
	Period    domain.Period
	Prev      string
	Next      string
	Month     domain.Period
	Metrics   []weekMetric
	Earlier   *domain.MetricsSubmitted // the latest numbers already recorded for the period
	EarlierBy string
	Form      *form
	Saved     string
}

type weekMetric struct {
	Key, Label, Target, Earlier string
}

// week renders GET /ui/people/{id}/week?period=YYYY-Www: the week's
// numbers, one field per metric of the standard in force (default: this
// ISO week by the server clock). A week that already has numbers shows
// them, prefilled, and asks for the reason of the correction.
func (u *ui) week(c echo.Context) error {
	p, ok, err := u.see(c, "id")
	if !ok {
		return err
	}
	per, ok := u.weekParam(c.QueryParam("period"))
	if !ok {
		return u.fail(c, httperr.KindMalformed, "period must be an ISO week, like 2026-W47, not in the future.")
	}
	d := u.weekPage(c, p, per, nil)
	d.Saved = savedNote(c)
	return u.render(c, http.StatusOK, "week", "Numbers for "+weekName(per), d)
}

// weekParam reads a week, default this one; a future week is refused.
func (u *ui) weekParam(raw string) (domain.Period, bool) {
	today := domain.DateOf(u.Now().UTC())
	if raw == "" {
		return domain.WeekPeriod(today), true
	}
	per, err := domain.ParsePeriod(raw)
	if err != nil || !per.IsWeek() || per.Start().After(today) {
		return per, false
	}
	return per, true
}

// weekPage prepares the page for period; f nil is a fresh form.
func (u *ui) weekPage(c echo.Context, p projections.Person, per domain.Period, f *form) weekData {
	today := domain.DateOf(u.Now().UTC())
	d := weekData{Person: p, Self: viewer(c).Person == p.ID, Period: per, Month: per.Month(),
		Prev: domain.WeekPeriod(per.Start().AddDays(-7)).String()}
	if next := per.Start().AddDays(7); !next.After(today) {
		d.Next = domain.WeekPeriod(next).String()
	}
	d.Earlier, d.EarlierBy = u.earlierNumbers(p.ID, per)
	fresh := f == nil
	if fresh {
		f = newForm(p.Version, url.Values{"period": {per.String()}})
	}
	labels := map[string]string{"period": "Week", "correction_reason": "Reason for the correction", "values": "Numbers", "source": "Source"}
	f.label = labelsIn(labels)
	for _, m := range u.entryMetrics(p.ID, per.Start()) {
		wm := weekMetric{Key: m.Value, Label: m.Label, Target: m.Hint}
		if d.Earlier != nil {
			if v, ok := d.Earlier.Values[m.Value]; ok {
				wm.Earlier = metricValue(projections.MetricRow{Metric: m.Value}, &v) // a custom unit shows as a plain number
				if fresh {
					f.Values.Set("v."+m.Value, strconv.FormatFloat(v, 'f', -1, 64))
				}
			}
		}
		labels["v."+m.Value] = m.Label
		labels["values."+m.Value] = m.Label
		d.Metrics = append(d.Metrics, wm)
	}
	d.Form = f
	return d
}

// entryMetrics are the metrics a week's form asks for: the standard's, a
// derived one (win rate, average deal size) replaced by the numbers it is
// computed from, each once.
func (u *ui) entryMetrics(id uuid.UUID, day domain.Date) []choice {
	var out []choice
	seen := map[string]bool{}
	add := func(c choice) {
		if !seen[c.Value] {
			seen[c.Value] = true
			out = append(out, c)
		}
	}
	std := u.standardMetrics(id, day)
	for _, m := range std {
		if projections.DerivedFrom(m.Value) == nil {
			add(m)
		}
	}
	for _, m := range std {
		for _, in := range projections.DerivedFrom(m.Value) {
			add(choice{Value: in, Label: standardLabel(in, nil), Hint: "—"})
		}
	}
	return out
}

// earlierNumbers is the latest submission for period, and who made it.
func (u *ui) earlierNumbers(id uuid.UUID, per domain.Period) (*domain.MetricsSubmitted, string) {
	var last *domain.MetricsSubmitted
	var by string
	for after := uint64(0); ; {
		page, next := u.Views.Timeline(id, projections.TimelineQuery{TypePrefix: "metrics.", After: after, Limit: 500})
		for _, st := range page {
			if m, ok := st.Data.(*domain.MetricsSubmitted); ok && m.Period == per {
				last, by = m, u.actorName(st.Actor)+" on "+st.RecordedAt.UTC().Format("2 Jan 2006")
			}
		}
		if next == 0 {
			return last, by
		}
		after = next
	}
}

// submitWeek handles POST /ui/people/{id}/week: source self for the
// person's own numbers, manager for a leader's; empty fields are left out.
func (u *ui) submitWeek(c echo.Context) error {
	p, f, ok, err := u.seePosted(c)
	if !ok {
		return err
	}
	per, ok := u.weekParam(f.Get("period"))
	if !ok || f.Get("period") == "" {
		per = domain.WeekPeriod(domain.DateOf(u.Now().UTC()))
	}
	d := u.weekPage(c, p, per, f)
	if !ok {
		f.fieldError("period", "Week must be an ISO week like "+per.String()+", not in the future.")
	}
	cmd := domain.SubmitMetrics{Period: f.Get("period"), Values: map[string]float64{}, Source: "manager"}
	if d.Self {
		cmd.Source = "self"
	}
	for _, m := range d.Metrics {
		raw := strings.NewReplacer(",", "", "$", "", " ", "").Replace(f.Get("v." + m.Key))
		if raw == "" {
			continue
		}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			f.fieldError("v."+m.Key, m.Label+" must be a number.")
			continue
		}
		cmd.Values[m.Key] = v
	}
	if r := f.Get("correction_reason"); strings.TrimSpace(r) != "" {
		cmd.CorrectionReason = &r
	}
	if f.Invalid() {
		f.Notice = "Nothing was recorded yet: please correct what is marked below."
		return u.render(c, httperr.Status(domain.KindInvalid), "week", "Numbers for "+weekName(per), d)
	}
	res, err := u.write(c, p.ID, f, "metrics", cmd, true)
	if err != nil {
		kind, handled := u.refused(f, p, err, func(s string) string { return strings.Replace(s, "values.", "v.", 1) })
		if !handled {
			return u.fail(c, kind, errNotFound)
		}
		p, _ = u.Views.Person(p.ID)
		return u.render(c, httperr.Status(kind), "week", "Numbers for "+weekName(per), u.weekPage(c, p, per, f))
	}
	what := "the numbers for " + weekName(per)
	if cmd.CorrectionReason != nil {
		what = "the correction of " + weekName(per)
	}
	return saved(c, "/ui/people/"+p.ID.String()+"/week?period="+per.String(), what, res.Replayed, "")
}

// weekName says a week for people: "week 47 of 2026 (16–22 Nov)".
func weekName(p domain.Period) string {
	return "week " + strconv.Itoa(p.Week) + " of " + strconv.Itoa(p.Year) +
		" (" + p.Start().Time().Format("2 Jan") + "–" + p.End().Time().Format("2 Jan") + ")"
}

// latestMonth is the latest month, up to today's, with numbers for id;
// ok is false when there are none.
func (u *ui) latestMonth(id uuid.UUID) (domain.Period, bool) {
	today := domain.DateOf(u.Now().UTC())
	var months []domain.Period
	for after := uint64(0); ; {
		page, next := u.Views.Timeline(id, projections.TimelineQuery{TypePrefix: "metrics.", After: after, Limit: 500})
		for _, st := range page {
			if m, ok := st.Data.(*domain.MetricsSubmitted); ok && !m.Period.Month().Start().After(today) {
				months = append(months, m.Period.Month())
			}
		}
		if next == 0 {
			break
		}
		after = next
	}
	if len(months) == 0 {
		return domain.Period{}, false
	}
	return slices.MaxFunc(months, func(a, b domain.Period) int { return a.Start().Time().Compare(b.Start().Time()) }), true
}

// repHome is where a rep lands: their page on the latest month with
// numbers (this month without any); the week's entry is linked from there.
func (u *ui) repHome(id uuid.UUID) string {
	if m, ok := u.latestMonth(id); ok {
		return "/ui/people/" + id.String() + "?period=" + m.String()
	}
	return "/ui/people/" + id.String()
}
