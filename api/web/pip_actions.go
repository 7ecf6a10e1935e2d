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

// The forms of the PIP page: each posts to its own route under the PIP
// and records one event. A refusal shows the PIP page again with that
// form open, what was typed and the reason beside its field.

// pipForms are the forms the PIP page offers the viewer; nil is not offered.
type pipForms struct {
	CheckIn, Revise, Extend, Close, Ack *form
	Open                                string // the form shown open: the one just posted
	Rows                                []int  // the revision's goal rows
	Metrics, Statuses, Outcomes         []choice
}

// Any reports whether the viewer may do anything on the PIP.
func (p pipForms) Any() bool {
	return p.CheckIn != nil || p.Revise != nil || p.Extend != nil || p.Close != nil
}

// pipAction is one of the PIP page's forms: its route, the command it
// reads, and what the page says once it is recorded.
type pipAction struct {
	route string
	read  func(f *form, x projections.PIP) (cmd domain.Command, rename func(string) string)
	what  string
}

var pipActions = map[string]pipAction{
	"check-in":        {"check-ins", readCheckIn, "the check-in"},
	"revise":          {"revision", readRevision, "the revised goals; the person is asked to acknowledge them"},
	"extend":          {"extension", readExtension, "the new end date"},
	"close":           {"closure", readClosure, "the closure"},
	"acknowledgement": {"acknowledgement", readAcknowledgement, "your acknowledgement of receipt"},
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

// postPIP handles POST /ui/people/{id}/pips/{pid}/<route> for one action.
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
		if name == "revise" && f.Get("action") == "add-row" {
			addRow(f)
			return u.showPIP(c, p, x, f, name, http.StatusOK)
		}
		cmd, rename := a.read(f, x)
		labelsFor(f, name)
		if f.Invalid() {
			f.Notice = "Nothing was recorded yet: please correct what is marked below."
			return u.showPIP(c, p, x, f, name, httperr.Status(domain.KindInvalid))
		}
		res, err := u.write(c, p.ID, f, name, cmd, true)
		if err != nil {
			kind, handled := u.refused(f, p, err, rename)
			if !handled || kind == domain.KindForbidden {
				return u.failRefused(c, kind, f)
			}
			p, _ = u.Views.Person(p.ID)
			x, _ = u.Views.PIP(x.ID)
			return u.showPIP(c, p, x, f, name, httperr.Status(kind))
		}
		return saved(c, pipPath(p.ID, x.ID), a.what, res.Replayed, "saved")
	}
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

// pipFormsFor prepares the forms the viewer may send on x, fresh, except
// posted (the form named which), shown again as sent.
func (u *ui) pipFormsFor(c echo.Context, p projections.Person, x projections.PIP, posted *form, which string) pipForms {
	today := domain.DateOf(u.Now().UTC())
	fs := pipForms{Open: which, Statuses: goalStatuses, Outcomes: pipOutcomes}
	if x.State != projections.PIPActive {
		return fs
	}
	checkIn, revise, extend := domain.CheckInPIP{PIPID: x.ID}, domain.RevisePIP{PIPID: x.ID}, domain.ExtendPIP{PIPID: x.ID}
	closing, ack := domain.ClosePIP{PIPID: x.ID}, domain.AcknowledgePIP{PIPID: x.ID}
	j := u.journalAt(p.ID, p.Version, checkIn, revise, extend, closing, ack)
	offer := func(name string, cmd domain.Command, values url.Values) *form {
		if name == which {
			return posted
		}
		if u.allowed(c, j, p, cmd) != nil {
			return nil
		}
		f := newForm(p.Version, values)
		labelsFor(f, name)
		return f
	}
	fs.CheckIn = offer("check-in", checkIn, url.Values{"on": {today.String()}})
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
	fs.Revise = offer("revise", revise, rev)
	if fs.Revise != nil {
		fs.Rows = formRows(fs.Revise, len(x.Goals))
		fs.Metrics = u.standardMetrics(p.ID, today) // the goal rows' choices
	}
	fs.Extend = offer("extend", extend, url.Values{"new_ends_on": {x.EndsOn.AddDays(14).String()}})
	fs.Close = offer("close", closing, nil)
	fs.Ack = offer("acknowledgement", ack, nil)
	return fs
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
