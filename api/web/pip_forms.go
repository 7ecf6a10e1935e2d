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

// The PIP's forms (SPEC §3): opening a PIP, its check-ins, revisions,
// extension and closure, and the person's acknowledgement. Each records
// one event through the API's write path (Deps.Execute), with the forms
// layer's key, version and words (forms.go). Who may send which is not
// decided here: a page offers a form only when the API's rule (Deps.Check)
// and the domain's decision on the journal as it is let the viewer send
// it, and the write itself is checked again by both.

// defaultPIPDays is the length a new PIP's form suggests (six weeks).
const defaultPIPDays = 42

var pipOutcomes = []choice{
	{"succeeded", "Succeeded", "the goals were met"},
	{"not_met", "Not met", "the goals were not met"},
	{"withdrawn", "Withdrawn", "the plan no longer applies; say why in the note"},
}

var goalStatuses = []choice{{"", "Not rated", ""}, {"on_track", "On track", ""}, {"at_risk", "At risk", ""}, {"met", "Met", ""}, {"not_met", "Not met", ""}}

// allowed is nil when the viewer may write cmd on p's journal as it is at
// j: the API's rule, then the domain's own decision. A command refused
// only for what it says (KindInvalid) is allowed: the form is there to
// say it. Errors: KindNotFound, KindForbidden, KindConflict, KindUnavailable.
func (u *ui) allowed(c echo.Context, j *domain.Journal, p projections.Person, cmd domain.Command) error {
	if u.Check == nil || u.Execute == nil {
		return domain.Errorf(domain.KindUnavailable, "writes are not available")
	}
	v := viewer(c)
	err := u.Check(v, p.ID, cmd)
	if err == nil || domain.KindOf(err) == domain.KindInvalid {
		_, err = domain.Decide(j, cmd, domain.Meta{Actor: domain.Actor{ID: v.Sub, Role: v.Role}, Now: u.Now()})
	}
	if err != nil && domain.KindOf(err) == domain.KindInvalid {
		return nil
	}
	return err
}

// notAllowed answers a page whose form the viewer may not send: 404
// outside their view, 403 for what they see but may not do.
func (u *ui) notAllowed(c echo.Context, p projections.Person, err error) error {
	switch domain.KindOf(err) {
	case domain.KindNotFound:
		return u.fail(c, domain.KindNotFound, errNotFound)
	case domain.KindForbidden:
		return u.fail(c, domain.KindForbidden, "You may not do this: "+plain(u, err.Error())+".")
	}
	return u.fail(c, domain.KindUnavailable, "This cannot be done right now. Try again shortly.")
}

// pipOpenData is the page that opens a PIP.
type pipOpenData struct {
	Person  projections.Person
	Manager string
	Form    *form
	Rows    []int
	Metrics []choice
	Blocked string // why no PIP can be opened now (Form is nil)
	Active  string // the path of the active PIP in the way
}

// newPIP renders GET /ui/people/{id}/pips/new: the form that opens a PIP.
func (u *ui) newPIP(c echo.Context) error {
	p, ok, err := u.see(c, "id")
	if !ok {
		return err
	}
	today := domain.DateOf(u.Now().UTC())
	f := newForm(p.Version, url.Values{"starts_on": {today.String()}, "ends_on": {today.AddDays(defaultPIPDays).String()},
		"check_in_every_days": {"7"}, "rows": {"3"}})
	d := u.openPage(p, f)
	open := u.sampleOpenPIP()
	if err := u.allowed(c, u.journalAt(p.ID, p.Version, open), p, open); err != nil {
		if domain.KindOf(err) != domain.KindConflict {
			return u.notAllowed(c, p, err)
		}
		// The viewer may open PIPs for p, only not now: say why, and where
		// the PIP in the way is.
		var de *domain.Error
		asDomain(err, &de)
		d.Blocked, d.Form = conflictWords(u, p, de), nil
		for _, x := range u.Views.PIPsOf(p.ID) {
			if x.State == projections.PIPActive {
				d.Active = pipPath(p.ID, x.ID)
			}
		}
	}
	return u.render(c, http.StatusOK, "pipopen", "Open a PIP for "+p.Name, d)
}

// goalRowsView is what the goalRows component needs (pip_forms.templ).
type goalRowsView struct {
	Form    *form
	Rows    []int
	Metrics []choice
}

// GoalRows is the form's goal rows.
func (d pipOpenData) GoalRows() goalRowsView { return goalRowsView{d.Form, d.Rows, d.Metrics} }

// sampleOpenPIP is an OpenPIP the domain accepts for what it says, so that
// asking whether the viewer may open one also asks whether the journal
// takes one now (a person has at most one active PIP).
func (u *ui) sampleOpenPIP() domain.OpenPIP {
	today := domain.DateOf(u.Now().UTC())
	return domain.OpenPIP{Reason: "sample", StartsOn: today.String(), EndsOn: today.AddDays(defaultPIPDays).String(),
		Goals: []domain.GoalInput{{Text: "sample"}}}
}

func (u *ui) openPage(p projections.Person, f *form) pipOpenData {
	d := pipOpenData{Person: p, Form: f, Metrics: u.standardMetrics(p.ID, domain.DateOf(u.Now().UTC()))}
	if p.ManagerID != nil {
		d.Manager = u.name(p.ManagerID.String())
	}
	d.Rows = formRows(f, 1)
	f.label = func(field string) string {
		if l, ok := openLabels[field]; ok {
			return l
		}
		return goalLabel(field)
	}
	return d
}

// openPIP handles POST /ui/people/{id}/pips: "add-row" shows the form
// again with one more goal row; otherwise the PIP is opened.
func (u *ui) openPIP(c echo.Context) error {
	p, f, ok, err := u.seePosted(c)
	if !ok {
		return err
	}
	title := "Open a PIP for " + p.Name
	if f.Get("action") == "add-row" {
		addRow(f)
		return u.render(c, http.StatusOK, "pipopen", title, u.openPage(p, f))
	}
	d := u.openPage(p, f)
	goals, rename := goalInputs(f, len(d.Rows))
	cmd := domain.OpenPIP{Reason: f.Get("reason"), StartsOn: f.Get("starts_on"), EndsOn: f.Get("ends_on"), Goals: goals}
	if raw := strings.TrimSpace(f.Get("check_in_every_days")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			f.fieldError("check_in_every_days", "Check-ins every must be a whole number of days.")
		}
		cmd.CheckInEveryDays = &n
	}
	if f.Invalid() {
		f.Notice = "Nothing was recorded yet: please correct what is marked below."
		return u.render(c, httperr.Status(domain.KindInvalid), "pipopen", title, d)
	}
	res, err := u.write(c, p.ID, f, "pip", cmd, true)
	if err != nil {
		kind, handled := u.refused(f, p, err, rename)
		if !handled || kind == domain.KindForbidden {
			return u.failRefused(c, kind, f)
		}
		p, _ = u.Views.Person(p.ID)
		return u.render(c, httperr.Status(kind), "pipopen", title, u.openPage(p, f))
	}
	return saved(c, pipPath(p.ID, res.Event.ResourceID()), "the PIP is open, and "+p.Name+" is asked to acknowledge it", res.Replayed, "saved")
}

// failRefused is the page of a write refused outright: 404 outside the
// viewer's view, 403 (in words) for what they may not do.
func (u *ui) failRefused(c echo.Context, kind domain.Kind, f *form) error {
	if kind == domain.KindForbidden {
		return u.fail(c, kind, f.Notice)
	}
	return u.fail(c, kind, errNotFound)
}

func pipPath(person, pip uuid.UUID) string {
	return "/ui/people/" + person.String() + "/pips/" + pip.String()
}

// formRows is the goal rows the form shows, as 1..n: its "rows" field,
// at least least and at most maxRows.
func formRows(f *form, least int) []int {
	n, _ := strconv.Atoi(f.Get("rows"))
	n = min(max(n, least, 1), maxRows)
	f.Values.Set("rows", strconv.Itoa(n))
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func addRow(f *form) {
	n, _ := strconv.Atoi(f.Get("rows"))
	f.Values.Set("rows", strconv.Itoa(n+1))
}

// goalLabel names a goal row's field, g<row>_text, _metric or _target;
// "" for any other field.
func goalLabel(field string) string {
	rest, ok := strings.CutPrefix(field, "g")
	if !ok {
		return ""
	}
	i := strings.IndexByte(rest, '_')
	if i <= 0 {
		return ""
	}
	if _, err := strconv.Atoi(rest[:i]); err != nil {
		return ""
	}
	return goalRowLabels[rest[i+1:]]
}

var (
	goalRowLabels = map[string]string{"text": "Goal", "metric": "Metric", "target": "Target"}
	openLabels    = map[string]string{"reason": "Reason", "starts_on": "Start", "ends_on": "End",
		"check_in_every_days": "Check-ins every", "goals": "Goals"}
)

// goalInputs reads the goal rows g1_…gN_ (text, metric, target and, in a
// revision, the kept goal's id); a row with nothing typed is left out (a
// revision drops that goal). rename maps the domain's goals[k] fields
// back to the row they came from.
func goalInputs(f *form, rows int) ([]domain.GoalInput, func(string) string) {
	var goals []domain.GoalInput
	var from []string
	for i := 1; i <= rows; i++ {
		r := "g" + strconv.Itoa(i) + "_"
		text, metric, target := f.Get(r+"text"), f.Get(r+"metric"), strings.TrimSpace(f.Get(r+"target"))
		if strings.TrimSpace(text+target) == "" {
			continue
		}
		g := domain.GoalInput{Text: text}
		if id := f.Get(r + "id"); id != "" {
			g.GoalID = &id
		}
		if metric != "" {
			g.Metric = &metric
		}
		if target != "" {
			t, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimPrefix(target, "$"), ",", ""), 64)
			if err != nil {
				f.fieldError(r+"target", "Target must be a number.")
			}
			if metric == "" {
				f.fieldError(r+"metric", "Metric: choose what the target counts.")
			}
			g.Target = &t
		}
		goals = append(goals, g)
		from = append(from, r)
	}
	return goals, func(field string) string {
		k, rest, ok := indexed(field, "goals")
		if !ok || k >= len(from) {
			return field
		}
		switch rest {
		case "metric", "target":
			return from[k] + rest
		}
		return from[k] + "text"
	}
}

// indexed splits "goals[3].text" into 3 and "text".
func indexed(field, list string) (int, string, bool) {
	rest, ok := strings.CutPrefix(field, list+"[")
	if !ok {
		return 0, "", false
	}
	num, rest, ok := strings.Cut(rest, "]")
	k, err := strconv.Atoi(num)
	return k, strings.TrimPrefix(rest, "."), ok && err == nil
}
