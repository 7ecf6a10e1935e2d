package web

import (
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

func init() {
	views["login"] = func(p page) templ.Component { return loginView(p, p.Data.(loginData)) }
	views["signedin"] = func(page) templ.Component { return signedInView() }
	views["home"] = func(p page) templ.Component { return homeView(p) }
}

// CookieName is the session cookie: it holds the bearer token.
const CookieName = "coachjournal_session"

// maxToken caps what is accepted as a token, as the API does.
const maxToken = 4096

const viewerKey = "web.viewer"

// session requires a valid token in the cookie; without one, the browser
// goes to the login page.
func (u *ui) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(CookieName)
		if err != nil || ck.Value == "" || len(ck.Value) > maxToken {
			return c.Redirect(http.StatusSeeOther, "/ui/login")
		}
		v, err := u.Parse(ck.Value)
		if err != nil {
			u.clearCookie(c)
			return c.Redirect(http.StatusSeeOther, "/ui/login?expired=1")
		}
		c.Set(viewerKey, v)
		return next(c)
	}
}

func viewer(c echo.Context) Viewer {
	v, _ := c.Get(viewerKey).(Viewer)
	return v
}

type loginData struct {
	Error   string
	Expired bool
	// Confirm, when set, is a link's token that the page asks to sign in
	// with (a form post carrying the CSRF token); As says who it is.
	Confirm, As string
}

// loginPage shows the form. With ?token= (the link serve --demo prints) it
// signs in only when the browser says the user opened the link themselves
// (Sec-Fetch-Site: none: typed, pasted or opened from a terminal). From
// any other site, or a browser that does not say, it asks first ("Sign in
// as …?", a form with the CSRF token), so that another site cannot sign a
// browser in under a token of its choosing (login CSRF).
func (u *ui) loginPage(c echo.Context) error {
	tok := c.QueryParam("token")
	if tok == "" {
		return u.render(c, http.StatusOK, "login", "Sign in", loginData{Expired: c.QueryParam("expired") != ""})
	}
	if c.Request().Header.Get("Sec-Fetch-Site") == "none" {
		return u.signIn(c, tok, false)
	}
	tok = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(tok), "Bearer "))
	v, err := u.Parse(tok)
	if len(tok) > maxToken || err != nil {
		return u.render(c, httperr.Status(httperr.KindUnauthorized), "login", "Sign in", loginData{Error: "That token is not valid, or it has expired."})
	}
	return u.render(c, http.StatusOK, "login", "Sign in", loginData{Confirm: tok, As: u.who(v)})
}

// who names a viewer for the sign-in question: the person's name and role,
// or the service name.
func (u *ui) who(v Viewer) string {
	if p, ok := u.Views.Person(v.Person); ok && v.Person != uuid.Nil {
		return p.Name + " (" + string(v.Role) + ")"
	}
	return v.Sub + " (" + string(v.Role) + ")"
}

func (u *ui) login(c echo.Context) error { return u.signIn(c, c.FormValue("token"), true) }

// signIn checks the token and sets the cookie. After a form post it
// redirects; after a link, which may come from another site, it answers a
// page that moves on by itself, because a SameSite=Strict cookie is not
// sent on a redirect that a cross-site navigation started.
func (u *ui) signIn(c echo.Context, tok string, form bool) error {
	tok = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(tok), "Bearer "))
	if len(tok) > maxToken {
		return u.render(c, httperr.Status(httperr.KindUnauthorized), "login", "Sign in", loginData{Error: "That token is too long."})
	}
	if _, err := u.Parse(tok); err != nil {
		return u.render(c, httperr.Status(httperr.KindUnauthorized), "login", "Sign in", loginData{Error: "That token is not valid, or it has expired."})
	}
	c.SetCookie(&http.Cookie{Name: CookieName, Value: tok, Path: "/ui", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: c.IsTLS()})
	if form {
		return c.Redirect(http.StatusSeeOther, "/ui/")
	}
	return u.render(c, http.StatusOK, "signedin", "Signed in", nil)
}

func (u *ui) logout(c echo.Context) error {
	u.clearCookie(c)
	return c.Redirect(http.StatusSeeOther, "/ui/login")
}

func (u *ui) clearCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: CookieName, Value: "", Path: "/ui", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.IsTLS()})
}

// see applies the API's rule (httperr.PathID and httperr.See) to the
// person named by path parameter name: admin and HR see everyone, a member
// themselves and everyone below them in today's tree; analysts read no
// person (403); anything else is a 404 that does not tell whether the
// person exists. ok is false when the error page has been written.
func (u *ui) see(c echo.Context, name string) (projections.Person, bool, error) {
	id, err := httperr.PathID(name, c.Param(name))
	if err != nil {
		return projections.Person{}, false, u.fail(c, domain.KindNotFound, errNotFound)
	}
	v := viewer(c)
	p, err := httperr.See(u.Views, v.Role, v.Person, id)
	if err != nil {
		if domain.KindOf(err) == domain.KindForbidden {
			return p, false, u.fail(c, domain.KindForbidden, "Analysts read the pseudonymized event feed and trends, not people's journals.")
		}
		return p, false, u.fail(c, domain.KindNotFound, errNotFound)
	}
	depsOf(c).journal(u.Views.ManagerChain(id)...) // the person, and who sees them
	return p, true, nil
}

// home sends each role where they start: an owner (who leads leaders) to
// the leaders' view, a manager to their team board, a rep to their own
// page, HR to the PIP list, an admin to the people directory.
func (u *ui) home(c echo.Context) error {
	v := viewer(c)
	switch v.Role {
	case domain.RoleHR:
		return c.Redirect(http.StatusSeeOther, "/ui/pips")
	case domain.RoleAnalyst:
		return c.Redirect(http.StatusSeeOther, "/ui/analysis")
	case domain.RoleAdmin:
		return c.Redirect(http.StatusSeeOther, "/ui/people")
	case domain.RoleMember:
		if u.leadsLeaders(v.Person) {
			return c.Redirect(http.StatusSeeOther, "/ui/leaders/"+v.Person.String())
		}
		if len(u.Views.People(&v.Person)) > 0 {
			return c.Redirect(http.StatusSeeOther, "/ui/teams/"+v.Person.String())
		}
		if _, ok := u.Views.Person(v.Person); ok {
			return c.Redirect(http.StatusSeeOther, u.repHome(v.Person)) // week.go
		}
	}
	return u.render(c, http.StatusOK, "home", "Welcome", nil)
}
