package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// CSRFCookieName is the cookie holding the CSRF token the forms repeat.
const CSRFCookieName = "coachjournal_csrf"

// csrfField is the hidden form field carrying the CSRF token.
const csrfField = "_csrf"

const csrfKey = "web.csrf"

// csrf protects the UI's POST forms (login, logout) against cross-site
// requests: browsers that send Sec-Fetch-Site are refused a cross-site
// POST outright; for others it is a double-submit token, a random value in
// an HttpOnly, SameSite=Strict cookie scoped to /ui that each form repeats
// in a hidden field. The login form is protected too, so another site
// cannot sign a browser in under someone else's token. A refusal is 403.
func csrf() echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:" + csrfField,
		ContextKey:     csrfKey,
		CookieName:     CSRFCookieName,
		CookiePath:     "/ui",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteStrictMode,
		Skipper:        func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/ui/static/") },
	})
}

// csrfToken is the token the page's forms repeat.
func csrfToken(c echo.Context) string {
	if d := depsOf(c); d != nil {
		return d.csrfHole // a page being kept: the page cache writes each request's token here
	}
	t, _ := c.Get(csrfKey).(string)
	return t
}
