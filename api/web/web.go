// Package web is coachjournal's web UI: server-rendered pages (html/template)
// over the same read models and access rules as the JSON API, with the
// templates, stylesheet and a little progressive JavaScript embedded.
//
// The session is the bearer token itself, in an HttpOnly, SameSite=Strict
// cookie (Secure behind TLS) scoped to /ui: there is no server-side session
// state, and a token's expiry ends the session. Pages keep every script and
// style in embedded files (no inline handlers), ready for a strict CSP.
package web

import (
	"bytes"
	"context"
	"embed"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/a-h/templ"
	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Viewer is the signed-in caller, as the API's authentication reads a token.
type Viewer struct {
	Sub    string
	Person uuid.UUID // uuid.Nil for a service name
	Role   domain.Role
}

// Deps is what the UI needs; the api package provides it.
type Deps struct {
	Views *projections.Set
	// Verify checks one journal's hash chain, incrementally (the Journals
	// port's VerifyJournal).
	Verify func(ctx context.Context, personID uuid.UUID) (domain.ChainReport, error)
	// Parse verifies a bearer token, as the API does.
	Parse  func(token string) (Viewer, error)
	Now    func() time.Time
	Logger *slog.Logger
	// ReadPIP records every read of a PIP page (the read audit); nil
	// refuses PIP pages.
	ReadPIP ReadPIPFunc
	// Execute runs a form's command through the API's write path (its
	// access rules, checks and read-your-writes wait); nil refuses writes.
	Execute ExecuteFunc
	// Check is the API's rule for a write (visibility, then the rule its
	// handler applies), asked before a form is offered; nil offers none.
	Check CheckFunc
	// Nudges are the inbox's read marks; nil funcs keep none.
	Nudges NudgeReads
	// Pseudonym is a person's pseudonym as the analysts' feed and export
	// show it; the analysis page names teams by it. nil: by id.
	Pseudonym func(uuid.UUID) string
	// Export streams a download through GET /v1/export's path; nil
	// refuses downloads.
	Export ExportFunc
	// PageCacheBytes bounds the rendered pages kept (pagecache.go); 0 or
	// less keeps none.
	PageCacheBytes int64
	// CountPage counts a cacheable page served from the page cache (hit)
	// or rendered; nil counts nothing.
	CountPage func(hit bool)
}

// ui serves the pages.
type ui struct {
	Deps
	pages     map[string]*template.Template
	pageCache *pageCache // nil: pages are rendered on every request
}

// Mount registers / (a redirect) and everything under /ui on e.
// It returns an error only when an embedded template does not parse.
func Mount(e *echo.Echo, d Deps) error {
	u := &ui{Deps: d, pageCache: newPageCache(d.PageCacheBytes)}
	if u.Now == nil {
		u.Now = time.Now
	}
	if u.Logger == nil {
		u.Logger = slog.New(slog.DiscardHandler)
	}
	if err := u.parse(); err != nil {
		return err
	}
	static, _ := fs.Sub(staticFS, "static")
	e.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/ui/") })
	e.GET("/ui", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/ui/") })
	g := e.Group("/ui", csrf()) // csrf.go
	g.GET("/static/*", echo.WrapHandler(http.StripPrefix("/ui/static/", cacheStatic(staticFiles(static)))))
	g.GET("/login", u.loginPage)
	g.POST("/login", u.login)
	g.POST("/logout", u.logout)
	in := g.Group("", u.session)
	in.GET("/", u.home)
	in.GET("/teams/:id", u.cacheable(u.board))
	in.GET("/people/:id", u.cacheable(u.rep))
	in.GET("/people/:id/pips/:pid", u.pip)
	in.GET("/pips", u.pipList)
	in.GET("/cadence/:id", u.cadence)
	in.GET("/inbox", u.inbox)
	in.POST("/inbox/:nid/read", u.readNudge)
	in.GET("/analysis", u.analysis)
	in.GET("/analysis/export", u.analysisExport)
	u.writeRoutes(in) // forms.go
	return nil
}

// cacheStatic lets browsers keep the embedded assets for an hour.
func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// parse builds one template per page: the layout plus the page's file.
func (u *ui) parse() error {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return err
	}
	u.pages = map[string]*template.Template{}
	for _, page := range []string{"board", "pip", "pips", "cadence", "pipopen", "analysis", "people", "register", "org", "leaders"} {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+page+".html")
		if err != nil {
			return err
		}
		u.pages[page] = t
	}
	return nil
}

// page is what every page template gets: the layout's data and the page's.
type page struct {
	Title  string
	Viewer *viewerView
	Nav    string // the current nav entry
	Data   any
	CSRF   string // the token every POST form repeats (csrf.go)
}

type viewerView struct {
	Name      string
	Role      string
	Person    string // id, empty for a service
	HasTeam   bool
	Owner     bool // leads leaders: the leaders' view
	IsHR      bool
	IsAnalyst bool
	Analyses  bool // analysts and admins: the analysis page
}

func (u *ui) render(c echo.Context, status int, name, title string, data any) error {
	p := page{Title: title, Data: data, Nav: name, CSRF: csrfToken(c)}
	if v, ok := c.Get(viewerKey).(Viewer); ok {
		p.Viewer = u.viewerView(v)
	}
	body := u.pageOf(name, p)
	if buf, ok := c.Get(captureKey).(*bytes.Buffer); ok && buf != nil { // a page the page cache keeps (pagecache.go)
		c.Set(captureStatusKey, status)
		if k, ok := data.(keyed); ok {
			c.Set(formKeysKey, k.formKeys())
		}
		if err := body.Render(c.Request().Context(), buf); err != nil {
			u.Logger.Error("render page", "page", name, "err", err)
			c.Set(captureStatusKey, 0) // not kept
		}
		return nil
	}
	u.pageHeaders(c)
	c.Response().WriteHeader(status)
	if err := body.Render(c.Request().Context(), c.Response()); err != nil {
		u.Logger.Error("render page", "page", name, "err", err)
	}
	return nil
}

// views are the pages written as templ components (*.templ, compiled to
// Go by `go tool templ generate`), by name, each given the page's data.
var views = map[string]func(p page) templ.Component{
	"board": func(p page) templ.Component { return boardView(p.Data.(boardData)) },
}

// pageOf is page name in the layout.
func (u *ui) pageOf(name string, p page) templ.Component {
	if v, ok := views[name]; ok {
		return layout(p, v(p))
	}
	t := u.pages[name]
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error { return t.ExecuteTemplate(w, "layout.html", p) })
}

func (u *ui) pageHeaders(c echo.Context) {
	h := c.Response().Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer") // a login link carries a token
	h.Set("Cache-Control", "no-store")
}

func (u *ui) viewerView(v Viewer) *viewerView {
	vv := &viewerView{Name: v.Sub, Role: string(v.Role), IsHR: v.Role == domain.RoleHR || v.Role == domain.RoleAdmin,
		IsAnalyst: v.Role == domain.RoleAnalyst, Analyses: canAnalyse(v)}
	if p, ok := u.Views.Person(v.Person); ok {
		vv.Name, vv.Person = p.Name, p.ID.String()
		vv.HasTeam = len(u.Views.People(&p.ID)) > 0
		vv.Owner = vv.HasTeam && u.leadsLeaders(p.ID)
	}
	return vv
}

// failTitles are the error page's titles, by the kind of refusal.
var failTitles = map[domain.Kind]string{domain.KindNotFound: "Not found", domain.KindForbidden: "Not allowed",
	httperr.KindMalformed: "Bad request", domain.KindUnavailable: "Unavailable", domain.KindConflict: "Not possible now"}

// fail renders the error page of a refusal of kind kind, with the status
// the API answers that kind with (httperr): 404 says nothing of whether
// the thing exists.
func (u *ui) fail(c echo.Context, kind domain.Kind, msg string) error {
	status, title := httperr.Status(kind), failTitles[kind]
	return u.render(c, status, "error", title, errorData{status, title, msg})
}

var errNotFound = "There is nothing here, or it is outside your view."
