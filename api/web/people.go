package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// maxDirectory caps the people one directory page lists.
const maxDirectory = 500

type directoryData struct {
	Query       string
	Rows        []directoryRow
	More        int  // matches beyond maxDirectory
	MayRegister bool // the viewer may register someone (below themselves, for a member)
	Saved       string
}

type directoryRow struct {
	Person  projections.Person
	Manager string
	Reports int
}

// directory renders GET /ui/people?q=: everyone the viewer sees (admin
// and HR: everyone; a member: themselves and their subtree, as GET
// /v1/people answers them), searched by name, email or title.
func (u *ui) directory(c echo.Context) error {
	v := viewer(c)
	if v.Role == domain.RoleAnalyst {
		return u.fail(c, domain.KindForbidden, "Analysts read the pseudonymized event feed and trends, not people.")
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	d := directoryData{Query: q, MayRegister: u.may(v, domain.Write{Command: domain.RegisterPerson{ManagerID: u.ownID(v)}}),
		Saved: savedNote(c)}
	all := u.Views.People(nil)
	reports := map[uuid.UUID]int{}
	for _, p := range all {
		if p.ManagerID != nil {
			reports[*p.ManagerID]++
		}
	}
	for _, p := range u.inView(v, all) {
		if !matches(p, q) {
			continue
		}
		if len(d.Rows) == maxDirectory {
			d.More++
			continue
		}
		d.Rows = append(d.Rows, directoryRow{Person: p, Manager: u.managerName(p), Reports: reports[p.ID]})
	}
	return u.render(c, http.StatusOK, "people", "People", d)
}

// inView keeps the people the viewer may open (the API's rule, Visibility).
func (u *ui) inView(v Viewer, ps []projections.Person) []projections.Person {
	var out []projections.Person
	for _, p := range ps {
		if _, vis := u.Views.Visibility(v.Role, v.Person, p.ID); vis == projections.Visible {
			out = append(out, p)
		}
	}
	return out
}

func matches(p projections.Person, q string) bool {
	if q == "" {
		return true
	}
	q = strings.ToLower(q)
	title := ""
	if p.Title != nil {
		title = *p.Title
	}
	for _, s := range []string{p.Name, p.Email, title} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

func (u *ui) managerName(p projections.Person) string {
	if p.ManagerID == nil {
		return ""
	}
	return u.name(p.ManagerID.String())
}

// may reports whether the viewer may send w (Deps.Check, the API's rule);
// without a check no form is offered.
func (u *ui) may(v Viewer, w domain.Write) bool {
	return u.Check != nil && u.Execute != nil && u.Check(v, w.PersonID, w.Command) == nil
}

// ownID is the viewer's person id as a manager_id, nil for a service.
func (u *ui) ownID(v Viewer) *string {
	if v.Person == uuid.Nil {
		return nil
	}
	s := v.Person.String()
	return &s
}

type registerData struct {
	Form     *form
	Managers []choice
	TopOK    bool // "no manager" is a choice (admin, HR)
}

// newPerson renders GET /ui/people/new: the registration form.
func (u *ui) newPerson(c echo.Context) error {
	v := viewer(c)
	if v.Role == domain.RoleAnalyst {
		return u.fail(c, domain.KindForbidden, "Analysts cannot register people.")
	}
	f := newForm(0, url.Values{})
	if mgr := c.QueryParam("manager_id"); mgr != "" {
		f.Values.Set("manager_id", mgr)
	} else if id := u.ownID(v); id != nil && v.Role == domain.RoleMember {
		f.Values.Set("manager_id", *id)
	}
	return u.render(c, http.StatusOK, "register", "Register a person", u.registerPage(v, f))
}

func (u *ui) registerPage(v Viewer, f *form) registerData {
	f.label = labelsIn(map[string]string{"name": "Name", "email": "Email", "title": "Title", "manager_id": "Manager"})
	return registerData{Form: f, Managers: u.managerChoices(v, uuid.Nil), TopOK: u.may(v, domain.Write{Command: domain.RegisterPerson{}})}
}

// managerChoices are the people the viewer may name as a manager, less
// except (the person being moved) and whoever has left or was erased.
func (u *ui) managerChoices(v Viewer, except uuid.UUID) []choice {
	var out []choice
	for _, p := range u.inView(v, u.Views.People(nil)) {
		if p.ID == except || p.DepartedOn != nil || p.Erased {
			continue
		}
		hint := ""
		if p.Title != nil {
			hint = *p.Title
		}
		out = append(out, choice{Value: p.ID.String(), Label: p.Name, Hint: hint})
	}
	return out
}

// register handles POST /ui/people: the new person's id derives from the
// viewer and the form's key (as POST /v1/people with an Idempotency-Key),
// so sending the form twice registers one person.
func (u *ui) register(c echo.Context) error {
	v := viewer(c)
	f, ok, err := u.postedForm(c)
	if !ok {
		return err
	}
	d := u.registerPage(v, f)
	cmd := domain.RegisterPerson{Name: strings.TrimSpace(f.Get("name")), Email: strings.TrimSpace(f.Get("email"))}
	if t := strings.TrimSpace(f.Get("title")); t != "" {
		cmd.Title = &t
	}
	if m := f.Get("manager_id"); m != "" {
		cmd.ManagerID = &m
	}
	res, err := u.write(c, uuid.Nil, f, "person", cmd, false)
	if err != nil {
		kind, handled := u.refused(f, projections.Person{Name: "this person"}, err, func(s string) string { return s })
		if !handled {
			return u.fail(c, kind, errNotFound)
		}
		return u.render(c, httperr.Status(kind), "register", "Register a person", d)
	}
	return saved(c, "/ui/people/"+res.Event.PersonID.String()+"/org", "the registration of "+cmd.Name, res.Replayed, "")
}
