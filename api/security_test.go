package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/api/web"
)

// TestSecurityHeaders: every response (JSON, problem, UI page, asset,
// 404, 413) carries the CSP, nosniff, frame and referrer headers; HSTS
// only over TLS.
func TestSecurityHeaders(t *testing.T) {
	env := apitest.Start(t)
	hr := env.Token("hr", "hr")
	for _, c := range []struct{ method, path, token, body string }{
		{"GET", "/healthz", "", ""}, {"GET", "/v1/pips", hr, ""}, {"GET", "/v1/pips", "", ""}, {"GET", "/nowhere", "", ""},
		{"GET", "/ui/login", "", ""}, {"GET", "/ui/static/app.css", "", ""}, {"POST", "/v1/people", hr, strings.Repeat(" ", 70<<10)},
	} {
		var body any
		if c.body != "" {
			body = c.body
		}
		r := env.Do(c.method, c.path, c.token, body)
		h := r.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s %s (%d): headers %v", c.method, c.path, r.Status, h)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s %s: HSTS over plain HTTP", c.method, c.path)
		}
	}
	ts := httptest.NewTLSServer(api.New(env.Store, env.Views, env.Tokens, api.Config{}))
	defer ts.Close()
	resp, err := ts.Client().Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no HSTS over TLS: %v", resp.Header)
	}
}

// TestCORS: off by default; with an allow-list, only those origins.
func TestCORS(t *testing.T) {
	preflight := func(base, origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, base+"/v1/pips", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "authorization")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	off := apitest.Start(t)
	if got := preflight(off.URL, "https://app.example.com").Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("CORS is on by default: %q", got)
	}
	on := apitest.StartWith(t, apitest.Options{Security: api.Security{CORSOrigins: []string{"https://app.example.com"}}})
	if got := preflight(on.URL, "https://app.example.com").Header.Get("Access-Control-Allow-Origin"); got != "https://app.example.com" {
		t.Errorf("allowed origin: %q", got)
	}
	if got := preflight(on.URL, "https://evil.example.com").Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("another origin is allowed: %q", got)
	}
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// TestCSRF: the UI's POST forms (login, logout) need the double-submit
// token; a browser's cross-site POST is refused outright.
func TestCSRF(t *testing.T) {
	env := apitest.Start(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(env.URL + "/ui/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(page)
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "coachjournal_csrf" {
			cookie = c
		}
	}
	if m == nil || cookie == nil || string(m[1]) != cookie.Value || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("login page: form token %q, cookie %+v", m, cookie)
	}
	token := env.Token("hr", "hr")
	post := func(path, formToken string, withCookie bool, headers ...string) int {
		form := url.Values{"token": {token}}
		if formToken != "" {
			form.Set("_csrf", formToken)
		}
		req, _ := http.NewRequest(http.MethodPost, env.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if withCookie {
			req.AddCookie(cookie)
			req.AddCookie(&http.Cookie{Name: web.CookieName, Value: token})
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		r, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	cases := []struct {
		name, path, form string
		cookie           bool
		headers          []string
		want             int
	}{
		{"login with the token", "/ui/login", cookie.Value, true, nil, http.StatusSeeOther},
		{"login without it", "/ui/login", "", true, nil, http.StatusBadRequest},
		{"login with another", "/ui/login", "forged", true, nil, http.StatusForbidden},
		{"logout without it", "/ui/logout", "", true, nil, http.StatusBadRequest},
		{"logout with the token", "/ui/logout", cookie.Value, true, nil, http.StatusSeeOther},
		{"cross-site logout from a browser", "/ui/logout", cookie.Value, true, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"same-origin logout from a browser", "/ui/logout", "", true, []string{"Sec-Fetch-Site", "same-origin"}, http.StatusSeeOther},
	}
	for _, c := range cases {
		if got := post(c.path, c.form, c.cookie, c.headers...); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// TestLoginLinkCSRF (issue 15): GET /ui/login?token= signs a browser in only
// when the user opened the link themselves (Sec-Fetch-Site: none, as from
// the terminal serve --demo prints it in); from another site, the same
// site, or a browser that does not say, it sets no session and asks with a
// form that carries the CSRF token; a form post without that token or from
// another site signs no one in.
func TestLoginLinkCSRF(t *testing.T) {
	env := apitest.Start(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token := env.Token("hr-service", "hr")
	get := func(tok string, headers ...string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, env.URL+"/ui/login?token="+url.QueryEscape(tok), nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		r, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		return r, string(b)
	}
	session := func(r *http.Response) bool {
		for _, c := range r.Cookies() {
			if c.Name == web.CookieName && c.Value != "" {
				return true
			}
		}
		return false
	}
	for _, site := range []string{"cross-site", "same-site", "same-origin", ""} {
		r, page := get(token, "Sec-Fetch-Site", site)
		if r.StatusCode != http.StatusOK || session(r) {
			t.Errorf("Sec-Fetch-Site %q: %d, session cookie %v; want 200 and no session", site, r.StatusCode, session(r))
		}
		if !strings.Contains(page, `name="token" value="`+token+`"`) || !csrfInput.MatchString(page) || !strings.Contains(page, "Sign in as hr-service (hr)") {
			t.Errorf("Sec-Fetch-Site %q: the page does not ask to sign in with a CSRF form:\n%s", site, page)
		}
	}
	if r, _ := get("forged", "Sec-Fetch-Site", "cross-site"); r.StatusCode != http.StatusUnauthorized || session(r) {
		t.Errorf("a forged token from another site: %d, session %v; want 401 and no session", r.StatusCode, session(r))
	}
	if r, _ := get(token, "Sec-Fetch-Site", "none"); r.StatusCode != http.StatusOK || !session(r) {
		t.Errorf("the link opened by the user: %d, session %v; want 200 and a session", r.StatusCode, session(r))
	}

	// The question's form, as a browser that sends no Sec-Fetch-Site gets it
	// (one that does is checked by that header): it signs in with its CSRF
	// token, not without it, nor cross-site.
	r, page := get(token)
	var csrfCookie *http.Cookie
	for _, c := range r.Cookies() {
		if c.Name == "coachjournal_csrf" {
			csrfCookie = c
		}
	}
	m := csrfInput.FindStringSubmatch(page)
	if csrfCookie == nil || m == nil {
		t.Fatalf("no CSRF cookie or field: %v %v", csrfCookie, m)
	}
	post := func(field string, headers ...string) *http.Response {
		form := url.Values{"token": {token}}
		if field != "" {
			form.Set("_csrf", field)
		}
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/ui/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(csrfCookie)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		r, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r
	}
	if r := post(""); r.StatusCode < 400 || session(r) {
		t.Errorf("form post without the CSRF token: %d, session %v", r.StatusCode, session(r))
	}
	if r := post(m[1], "Sec-Fetch-Site", "cross-site"); r.StatusCode != http.StatusForbidden || session(r) {
		t.Errorf("cross-site form post: %d, session %v; want 403", r.StatusCode, session(r))
	}
	if r := post(m[1]); r.StatusCode != http.StatusSeeOther || !session(r) {
		t.Errorf("the confirmed form: %d, session %v; want 303 and a session", r.StatusCode, session(r))
	}
}

// TestStaticNoListing (issue 15): the UI's assets are served, their
// directory is not listed.
func TestStaticNoListing(t *testing.T) {
	env := apitest.Start(t)
	for path, want := range map[string]int{
		"/ui/static/":           http.StatusNotFound,
		"/ui/static/?C=M;O=D":   http.StatusNotFound,
		"/ui/static/app.css/":   http.StatusNotFound,
		"/ui/static/app.css":    http.StatusOK,
		"/ui/static/app.js":     http.StatusOK,
		"/ui/static/none.css":   http.StatusNotFound,
		"/ui/static/../web.go":  http.StatusNotFound,
		"/ui/static/%2e%2e/x":   http.StatusNotFound,
		"/ui/static/app.css%00": http.StatusNotFound,
	} {
		r := env.Do(http.MethodGet, path, "", nil)
		if r.Status != want || (want != http.StatusOK && strings.Contains(string(r.Body), "app.css")) {
			t.Errorf("GET %s: %d %.80q, want %d and no listing", path, r.Status, r.Body, want)
		}
	}
}
