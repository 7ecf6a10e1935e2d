package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// The steps of a PIP. HR's (a check-in, a revision of the goals, an
// extension, the closure) each have a page of their own, reached from the
// PIP page's links, that shows the form and posts it to the same path; a
// refusal shows that page again with what was typed and the reason beside
// its field. The person's acknowledgement is a form on the PIP page (and
// on their own page), shown again there when refused. The PIP page, the
// record HR reads and prints, carries no form of HR's: rendering four
// forms on every view of it cost a third of the page.

// pipOffers are what the PIP page offers the viewer: links to the steps
// they may record, and the acknowledgement form (nil: not offered).
type pipOffers struct {
	Steps []pipStepLink
	Ack   *form
}

// pipStepLink is a link of the PIP page to a step's page.
type pipStepLink struct {
	ID, Path, Label string
}

// pipAction is a step of a PIP: its route (the page that records it and
// the path its form posts to), the command that asks whether it may be
// recorded, the form's first values, what the form reads, and what the
// page says once it is recorded. A step without a title has no page of
// its own (the acknowledgement); a nil fresh starts its form empty.
type pipAction struct {
	route string
	title string
	empty func(x projections.PIP) domain.Command
	fresh func(x projections.PIP, today domain.Date) url.Values
	read  func(f *form, x projections.PIP) (cmd domain.Command, rename func(string) string)
	what  string
}

var pipActions = map[string]pipAction{
	"check-in": {"check-ins", "Record a check-in", func(x projections.PIP) domain.Command { return domain.CheckInPIP{PIPID: x.ID} },
		func(_ projections.PIP, today domain.Date) url.Values { return url.Values{"on": {today.String()}} },
		readCheckIn, "the check-in"},
	"revise": {"revision", "Revise the goals", func(x projections.PIP) domain.Command { return domain.RevisePIP{PIPID: x.ID} },
		revisionValues, readRevision, "the revised goals; the person is asked to acknowledge them"},
	"extend": {"extension", "Extend the plan", func(x projections.PIP) domain.Command { return domain.ExtendPIP{PIPID: x.ID} },
		func(x projections.PIP, _ domain.Date) url.Values {
			return url.Values{"new_ends_on": {x.EndsOn.AddDays(14).String()}}
		}, readExtension, "the new end date"},
	"close": {"closure", "Close the plan", func(x projections.PIP) domain.Command { return domain.ClosePIP{PIPID: x.ID} },
		nil, readClosure, "the closure"},
	"acknowledgement": {"acknowledgement", "", func(x projections.PIP) domain.Command { return domain.AcknowledgePIP{PIPID: x.ID} },
		nil, readAcknowledgement, "your acknowledgement of receipt"},
}

// pipSteps are the steps with a page of their own, in the order the PIP
// page lists them.
var pipSteps = []string{"check-in", "revise", "extend", "close"}

// revisionValues fill the revision's goal rows with the goals as they
// stand, and one empty row.
func revisionValues(x projections.PIP, _ domain.Date) url.Values {
	rev := url.Values{"rows": {strconv.Itoa(len(x.Goals) + 1)}}
	for i, g := range x.Goals {
		r := "g" + strconv.Itoa(i+1) + "_"
		rev.Set(r+"id", g.GoalID.String())
		rev.Set(r+"text", g.Text)
		if g.Metric != nil {
			rev.Set(r+"metric", *g.Metric)
		}
		if g.Target != nil {
			rev.Set(r+"target", strconv.FormatFloat(*g.Target, 'f', -1, 64))
		}
	}
	return rev
}

func same(s string) string { return s }

func readCheckIn(f *form, x projections.PIP) (domain.Command, func(string) string) {
	cmd := domain.CheckInPIP{PIPID: x.ID, On: f.Get("on"), Note: f.Get("note")}
	var rated []string
	for _, g := range x.Goals {
		id := g.GoalID.String()
		st := f.Get("s." + id)
		if st == "" {
			continue
		}
		gs := domain.GoalStatusInput{GoalID: id, Status: st}
		if n := f.Get("n." + id); strings.TrimSpace(n) != "" {
			gs.Note = &n
		}
		cmd.Goals = append(cmd.Goals, gs)
		rated = append(rated, id)
	}
	return cmd, func(field string) string {
		k, rest, ok := indexed(field, "goals")
		if !ok || k >= len(rated) {
			return field
		}
		if rest == "note" {
			return "n." + rated[k]
		}
		return "s." + rated[k]
	}
}

func readRevision(f *form, x projections.PIP) (domain.Command, func(string) string) {
	n, _ := strconv.Atoi(f.Get("rows"))
	goals, rename := goalInputs(f, min(n, maxRows))
	return domain.RevisePIP{PIPID: x.ID, Goals: goals, Reason: f.Get("reason")}, rename
}

func readExtension(f *form, x projections.PIP) (domain.Command, func(string) string) {
	return domain.ExtendPIP{PIPID: x.ID, NewEndsOn: f.Get("new_ends_on"), Reason: f.Get("reason")}, same
}

func readClosure(f *form, x projections.PIP) (domain.Command, func(string) string) {
	return domain.ClosePIP{PIPID: x.ID, Outcome: f.Get("outcome"), Note: f.Get("note")}, same
}

func readAcknowledgement(f *form, x projections.PIP) (domain.Command, func(string) string) {
	cmd := domain.AcknowledgePIP{PIPID: x.ID}
	if s := f.Get("comment"); strings.TrimSpace(s) != "" {
		cmd.Comment = &s
	}
	return cmd, same
}

// postPIP handles POST /ui/people/{id}/pips/{pid}/<route> for one step.
func (u *ui) postPIP(name string) echo.HandlerFunc {
	a := pipActions[name]
	return func(c echo.Context) error {
		p, f, ok, err := u.seePosted(c)
		if !ok {
			return err
		}
		x, ok := u.pipOf(c, p)
		if !ok {
			return u.fail(c, domain.KindNotFound, errNotFound)
		}
		again := func(status int) error { // the form shown again where it was sent from
			if a.title == "" {
				return u.showPIP(c, p, x, f, status)
			}
			return u.showStep(c, p, x, name, f, status)
		}
		if name == "revise" && f.Get("action") == "add-row" {
			addRow(f)
			return again(http.StatusOK)
		}
		cmd, rename := a.read(f, x)
		labelsFor(f, name)
		if f.Invalid() {
			f.Notice = "Nothing was recorded yet: please correct what is marked below."
			return again(httperr.Status(domain.KindInvalid))
		}
		res, err := u.write(c, p.ID, f, name, cmd, true)
		if err != nil {
			kind, handled := u.refused(f, p, err, rename)
			if !handled || kind == domain.KindForbidden {
				return u.failRefused(c, kind, f)
			}
			p, _ = u.Views.Person(p.ID)
			x, _ = u.Views.PIP(x.ID)
			return again(httperr.Status(kind))
		}
		return saved(c, pipPath(p.ID, x.ID), a.what, res.Replayed, "saved")
	}
}

// pipStepData is the page that records one step of a PIP.
type pipStepData struct {
	Person  projections.Person
	PIP     projections.PIP
	Step    string // its pipActions name
	Form    *form
	Rows    []int    // the revision's goal rows
	Metrics []choice // their metric choices
}

// Title is the step's, as the page's heading says it.
func (d pipStepData) Title() string { return pipActions[d.Step].title }

// GoalRows is the revision's goal rows.
func (d pipStepData) GoalRows() goalRowsView { return goalRowsView{d.Form, d.Rows, d.Metrics} }

// pipStep renders GET /ui/people/{id}/pips/{pid}/<route>: the page of one
// step, when the viewer may record it on the PIP as it is. A PIP that
// takes no more steps says so (409); outside the viewer's view 404, and
// 403 for a step they see but may not record.
func (u *ui) pipStep(name string) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, ok, err := u.see(c, "id")
		if !ok {
			return err
		}
		x, ok := u.pipOf(c, p)
		if !ok {
			return u.fail(c, domain.KindNotFound, errNotFound)
		}
		return u.showStep(c, p, x, name, nil, http.StatusOK)
	}
}

// showStep renders the page of step name: posted shown again as sent, or
// (nil) a fresh form once the viewer may record the step.
func (u *ui) showStep(c echo.Context, p projections.Person, x projections.PIP, name string, posted *form, status int) error {
	a := pipActions[name]
	today := domain.DateOf(u.Now().UTC())
	f := posted
	if f == nil {
		cmd := a.empty(x)
		if err := u.allowed(c, u.journalAt(p.ID, p.Version, cmd), p, cmd); err != nil {
			var de *domain.Error
			if domain.KindOf(err) != domain.KindConflict || !asDomain(err, &de) {
				return u.notAllowed(c, p, err)
			}
			return u.fail(c, domain.KindConflict, conflictWords(u, p, de))
		}
		var values url.Values
		if a.fresh != nil {
			values = a.fresh(x, today)
		}
		f = newForm(p.Version, values)
		labelsFor(f, name)
	}
	d := pipStepData{Person: p, PIP: x, Step: name, Form: f}
	if name == "revise" {
		d.Rows = formRows(f, len(x.Goals))
		d.Metrics = u.standardMetrics(p.ID, today)
	}
	return u.render(c, status, "pipstep", d.Title()+": "+p.Name, d)
}

// pipOf is the PIP the route's :pid names, if it is p's.
func (u *ui) pipOf(c echo.Context, p projections.Person) (projections.PIP, bool) {
	id, found := u.pipIDOf(c, p)
	if !found {
		return projections.PIP{}, false
	}
	return u.Views.PIP(id)
}

// pipIDOf is pipOf's PIP's id, without building the PIP.
func (u *ui) pipIDOf(c echo.Context, p projections.Person) (uuid.UUID, bool) {
	raw := c.Param("pid")
	id, err := parseID(raw)
	if err != nil || len(raw) != 36 {
		return uuid.Nil, false
	}
	owner, found := u.Views.PIPPerson(id)
	return id, found && owner == p.ID
}

// pipOffersFor is what the PIP page offers the viewer on x: the steps
// they may record on it as it is, and the acknowledgement form, fresh or
// (posted, not nil) as it was sent.
func (u *ui) pipOffersFor(c echo.Context, p projections.Person, x projections.PIP, posted *form) pipOffers {
	var o pipOffers
	if x.State != projections.PIPActive {
		return o
	}
	ack := pipActions["acknowledgement"].empty(x)
	cmds := []domain.Command{ack}
	for _, name := range pipSteps {
		cmds = append(cmds, pipActions[name].empty(x))
	}
	j := u.journalAt(p.ID, p.Version, cmds...) // one journal for every dry run
	for i, name := range pipSteps {
		if u.allowed(c, j, p, cmds[i+1]) == nil {
			a := pipActions[name]
			o.Steps = append(o.Steps, pipStepLink{ID: "to-" + name, Path: pipPath(p.ID, x.ID) + "/" + a.route, Label: a.title})
		}
	}
	o.Ack = posted
	if o.Ack == nil && u.allowed(c, j, p, ack) == nil {
		o.Ack = newForm(p.Version, nil)
		labelsFor(o.Ack, "acknowledgement")
	}
	return o
}

// labelsFor names each field of a PIP form for the messages beside it.
// The names are looked up when a message needs one: a form shown fresh
// builds nothing.
func labelsFor(f *form, name string) {
	fixed := pipLabels[name]
	f.label = func(field string) string {
		if l, ok := fixed[field]; ok {
			return l
		}
		switch name {
		case "check-in": // s.<goal id>, n.<goal id>
			if strings.HasPrefix(field, "s.") {
				return "Status"
			}
			if strings.HasPrefix(field, "n.") {
				return "Goal note"
			}
		case "revise":
			return goalLabel(field)
		}
		return ""
	}
}

// pipLabels are the fixed fields' names of each PIP form.
var pipLabels = map[string]map[string]string{
	"check-in":        {"on": "Day of the check-in", "note": "Note", "goals": "Goals"},
	"revise":          {"reason": "Reason for the revision", "goals": "Goals"},
	"extend":          {"new_ends_on": "New end date", "reason": "Reason"},
	"close":           {"outcome": "Outcome", "note": "Note"},
	"acknowledgement": {"comment": "Comment"},
}

// ackView is what the ackForm component needs (pip_ack.templ; the rep
// page's html template still uses the ackForm define of partials.html).
type ackView struct {
	PIP     projections.PIP
	Form    *form
	CSRF    string
	Version int // the goal version acknowledged
}

// ackOf is the acknowledgement form f of x, posted with the CSRF token csrf.
func ackOf(x projections.PIP, f *form, csrf string) ackView {
	return ackView{PIP: x, Form: f, CSRF: csrf, Version: len(x.GoalVersions)}
}
