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
