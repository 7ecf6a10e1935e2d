package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/labstack/echo/v4"
)

// The org forms of one person (GET /ui/people/{id}/org): their manager,
// their departure, the cadence they keep with their reports and the
// standard they set. Each form is its own POST, with its own key, carrying
// the journal version it was rendered from as If-Match.

type orgData struct {
	Person   projections.Person
	Manager  string
	Reports  []projections.Person
	Standard *projections.ResolvedStandard // the one the person is held to
	StdFrom  string                        // whose standard it is, when inherited
	Team     *projections.ResolvedStandard // the one the person sets for their reports
	Every    int                           // the cadence in force today
	Managers []choice
	TopOK    bool // "no manager" is a choice
	MayMove  bool // manager and departure (someone above the person)
	MaySelf  bool // a standard for the person themselves
	Forms    map[string]*form
	Targets  []standardRow
	Saved    string
}

// standardRow is one metric of the standard's form.
type standardRow struct {
	Metric, Label, Kind string
	Unit                *string
}

// standardRows are the targets the form offers, the funnel's first.
var standardRows = []standardRow{
	{"revenue", "Revenue", "lagging", ptrTo("USD")},
	{"new_opportunities", "New opportunities", "leading", nil},
	{"win_rate", "Win rate (0 to 1)", "leading", nil},
	{"avg_deal_size", "Average deal size", "lagging", ptrTo("USD")},
	{"activities", "Activities", "leading", nil},
}

func ptrTo[T any](v T) *T { return &v }

var orgForms = []string{"manager", "departure", "cadence", "standard"}

// org renders the person's org page.
func (u *ui) org(c echo.Context) error {
	p, ok, err := u.see(c, "id")
	if !ok {
		return err
	}
	d := u.orgPage(c, p, "", nil)
	d.Saved = savedNote(c)
	return u.render(c, http.StatusOK, "org", p.Name+": place in the org", d)
}

// orgPage prepares the page; posted, when set, is the form named name as
// it was sent, and the other forms are fresh.
func (u *ui) orgPage(c echo.Context, p projections.Person, name string, posted *form) orgData {
	v := viewer(c)
	today := domain.DateOf(u.Now().UTC())
	d := orgData{Person: p, Manager: u.managerName(p), Reports: u.Views.People(&p.ID), Forms: map[string]*form{},
		Managers: u.managerChoices(v, p.ID), Targets: standardRows,
		TopOK:   u.may(v, domain.Write{PersonID: p.ID, Command: domain.ChangeManager{}}),
		MayMove: u.may(v, domain.Write{PersonID: p.ID, Command: domain.DepartPerson{}}),
		MaySelf: u.may(v, domain.Write{PersonID: p.ID, Command: domain.SetStandard{AppliesTo: "self"}}),
		Every:   u.Views.Cadence(p.ID, today, today).EveryDays}
	if std, ok := u.Views.TeamStandard(p.ID, today); ok {
		d.Team = &std
	}
	if std, ok := u.Views.Standard(p.ID, today, time.Time{}); ok {
		d.Standard = &std
		if std.SourcePersonID != p.ID {
			d.StdFrom = u.name(std.SourcePersonID.String())
		}
	}
	for _, n := range orgForms {
		if n == name && posted != nil {
			d.Forms[n] = posted
		} else {
			d.Forms[n] = u.freshOrgForm(n, p, d, today)
		}
	}
	d.Forms["manager"].label = labelsIn(map[string]string{"manager_id": "Manager"})
	d.Forms["departure"].label = labelsIn(map[string]string{"on": "Last day", "reason": "Reason"})
	d.Forms["cadence"].label = labelsIn(map[string]string{"every_days": "Cadence"})
	sl := map[string]string{"applies_to": "Applies to", "effective_from": "Effective from", "targets": "Targets", "period": "Period"}
	for _, r := range standardRows {
		sl["t."+r.Metric] = r.Label
	}
	d.Forms["standard"].label = labelsIn(sl)
	return d
}

func (u *ui) freshOrgForm(name string, p projections.Person, d orgData, today domain.Date) *form {
	vals := url.Values{}
	switch name {
	case "manager":
		if p.ManagerID != nil {
			vals.Set("manager_id", p.ManagerID.String())
		}
	case "departure":
		vals.Set("on", today.String())
	case "cadence":
		vals.Set("every_days", strconv.Itoa(d.Every))
	case "standard":
		vals.Set("applies_to", "reports")
		vals.Set("effective_from", thisMonth(u.Now()).Start().String())
		if d.Team != nil {
			for _, t := range d.Team.Targets {
				vals.Set("t."+t.Metric, strconv.FormatFloat(t.Target, 'f', -1, 64))
			}
		}
	}
	return newForm(p.Version, vals)
}

// orgWrite is the end of every org form: the write as the viewer, then a
// redirect to the org page, or the page again with the refusal in words.
func (u *ui) orgWrite(c echo.Context, p projections.Person, f *form, name string, cmd domain.Command, what string, rename func(string) string) error {
	title := p.Name + ": place in the org"
	if f.Invalid() {
		f.Notice = "Nothing was recorded yet: please correct what is marked below."
		return u.render(c, httperr.Status(domain.KindInvalid), "org", title, u.orgPage(c, p, name, f))
	}
	res, err := u.write(c, p.ID, f, name, cmd, true)
	if err != nil {
		u.orgPage(c, p, name, f) // the labels, before the messages use them
		kind, handled := u.refused(f, p, err, rename)
		if !handled {
			return u.fail(c, kind, errNotFound)
		}
		if cur, ok := u.Views.Person(p.ID); ok {
			p = cur // the other forms start from what is recorded now
		}
		return u.render(c, httperr.Status(kind), "org", title, u.orgPage(c, p, name, f))
	}
	return saved(c, "/ui/people/"+p.ID.String()+"/org", what, res.Replayed, name)
}

// moveManager handles POST /ui/people/{id}/manager.
func (u *ui) moveManager(c echo.Context) error {
	p, f, ok, err := u.seePosted(c)
	if !ok {
		return err
	}
	var cmd domain.ChangeManager
	what := p.Name + " at the top of the org"
	if m := f.Get("manager_id"); m != "" {
		cmd.ManagerID = &m
		what = p.Name + " reporting to " + u.name(m)
	}
	return u.orgWrite(c, p, f, "manager", cmd, what, same)
}

// recordDeparture handles POST /ui/people/{id}/departure.
func (u *ui) recordDeparture(c echo.Context) error {
	p, f, ok, err := u.seePosted(c)
	if !ok {
		return err
	}
	cmd := domain.DepartPerson{On: strings.TrimSpace(f.Get("on")), Reason: strings.TrimSpace(f.Get("reason"))}
	return u.orgWrite(c, p, f, "departure", cmd, p.Name+"'s departure", same)
}

// setCadence handles POST /ui/people/{id}/cadence.
func (u *ui) setCadence(c echo.Context) error {
	p, f, ok, err := u.seePosted(c)
	if !ok {
		return err
	}
	n, err := strconv.Atoi(f.Get("every_days"))
	if err != nil {
		f.fieldError("every_days", "Cadence needs one of the choices.")
	}
	return u.orgWrite(c, p, f, "cadence", domain.SetCadence{EveryDays: n}, p.Name+"'s 1-on-1 cadence", same)
}

// setStandard handles POST /ui/people/{id}/standards: one target per
// filled row; an empty row is left out.
func (u *ui) setStandard(c echo.Context) error {
	p, f, ok, err := u.seePosted(c)
	if !ok {
		return err
	}
	cmd := domain.SetStandard{AppliesTo: f.Get("applies_to"), EffectiveFrom: strings.TrimSpace(f.Get("effective_from")), Period: "month"}
	index := map[string]string{} // targets[i] → t.metric
	for _, r := range standardRows {
		raw := strings.NewReplacer(",", "", "$", "", " ", "").Replace(f.Get("t." + r.Metric))
		if raw == "" {
			continue
		}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			f.fieldError("t."+r.Metric, r.Label+" must be a number.")
			continue
		}
		index["targets["+strconv.Itoa(len(cmd.Targets))+"]"] = "t." + r.Metric
		cmd.Targets = append(cmd.Targets, domain.TargetInput{Metric: r.Metric, Target: &v, Kind: r.Kind, Unit: r.Unit})
	}
	rename := func(s string) string {
		if i := strings.Index(s, "]"); strings.HasPrefix(s, "targets[") && i > 0 {
			if n, ok := index[s[:i+1]]; ok {
				return n
			}
		}
		return s
	}
	whom := p.Name + "'s reports"
	if cmd.AppliesTo == "self" {
		whom = p.Name
	}
	return u.orgWrite(c, p, f, "standard", cmd, "the standard for "+whom+" from "+cmd.EffectiveFrom, rename)
}

// orgRoutes registers the directory and the org forms.
func (u *ui) orgRoutes(in *echo.Group) {
	in.GET("/people", u.directory)
	in.GET("/people/new", u.newPerson)
	in.POST("/people", u.register)
	in.GET("/people/:id/org", u.org)
	in.POST("/people/:id/manager", u.moveManager)
	in.POST("/people/:id/departure", u.recordDeparture)
	in.POST("/people/:id/cadence", u.setCadence)
	in.POST("/people/:id/standards", u.setStandard)
	in.GET("/leaders/:id", u.leaders)
}

// targetValue is a standard's target as the metric's numbers are written.
func targetValue(t domain.Target) string {
	return metricValue(projections.MetricRow{Metric: t.Metric, Unit: t.Unit}, &t.Target)
}

// choiceText is a choice as an option shows it: its label, and its hint
// after a dot.
func choiceText(c choice) string {
	if c.Hint == "" {
		return c.Label
	}
	return c.Label + " · " + c.Hint
}
