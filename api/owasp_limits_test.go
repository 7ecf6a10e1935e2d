package api_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/api/apitest"
)

// TestServerOwnedFields (API3): no request sets what the server owns (ids,
// the actor, times, sequences, states): unknown fields are 400
// unknown_field naming the field, and nothing is written.
func TestServerOwnedFields(t *testing.T) {
	f := newBOLAFixture(t)
	a := "/v1/people/" + f.ana
	pip := a + "/pips/" + f.pip
	base := map[string]map[string]any{
		"/v1/people":             {"name": "Nia New", "email": "nia@example.com", "manager_id": f.leader},
		a + "/commitments":       {"text": "x", "due_on": day(3)},
		a + "/metrics":           {"period": lastWeek(), "source": "self", "values": map[string]any{"revenue": 1}},
		pip + "/acknowledgement": {"comment": "ok"},
		a + "/commitments/" + f.commitment + "/resolution": {"status": "kept"},
	}
	cases := []struct{ path, field string }{
		{"/v1/people", "id"}, {"/v1/people", "person_id"}, {"/v1/people", "actor"}, {"/v1/people", "recorded_at"}, {"/v1/people", "sequence"},
		{a + "/commitments", "commitment_id"}, {a + "/commitments", "status"}, {a + "/commitments", "actor"}, {a + "/commitments", "person_id"},
		{a + "/commitments", "recorded_at"}, {a + "/commitments", "occurred_at"}, {a + "/commitments", "hash"},
		{a + "/metrics", "actor"}, {a + "/metrics", "person_id"}, {a + "/metrics", "recorded_at"},
		{pip + "/acknowledgement", "pip_id"}, {pip + "/acknowledgement", "actor"}, {pip + "/acknowledgement", "person_id"},
		{a + "/commitments/" + f.commitment + "/resolution", "commitment_id"}, {a + "/commitments/" + f.commitment + "/resolution", "actor"},
	}
	tokens := map[string]string{"/v1/people": f.leaderT, pip + "/acknowledgement": f.anaT}
	before := f.LastSeq()
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.path, a)+" "+c.field, func(t *testing.T) {
			body := map[string]any{c.field: f.cy}
			for k, v := range base[c.path] {
				body[k] = v
			}
			tok := tokens[c.path]
			if tok == "" {
				tok = f.anaT
			}
			r := f.Do(http.MethodPost, c.path, tok, body)
			var p struct {
				Code   string
				Errors []struct{ Field string }
			}
			_ = json.Unmarshal(r.Body, &p)
			if r.Status != http.StatusBadRequest || p.Code != "unknown_field" || len(p.Errors) != 1 || p.Errors[0].Field != c.field {
				t.Errorf("%d %s, want 400 unknown_field naming %s", r.Status, r.Body, c.field)
			}
		})
	}
	if after := f.LastSeq(); after != before {
		t.Errorf("the stream moved from %d to %d", before, after)
	}

	// The rep's view of her PIP: the read audit without service names or
	// request ids (HR-only), no state a request could have set.
	r := f.Must(http.StatusOK, http.MethodGet, a+"/pips/"+f.pip, f.anaT, nil)
	var view struct{ Reads []map[string]any }
	r.Decode(t, &view)
	for _, read := range view.Reads {
		for _, hrOnly := range []string{"sub", "request_id", "sequence"} {
			if _, ok := read[hrOnly]; ok {
				t.Errorf("the rep's view of a read has %s: %v", hrOnly, read)
			}
		}
	}
}

// TestRateLimit (API4): a flood is 429 rate_limited with Retry-After, per
// caller: another caller is unaffected; anonymous callers are counted by
// client IP, which X-Forwarded-For cannot fake unless it comes through a
// configured proxy.
func TestRateLimit(t *testing.T) {
	env := apitest.StartWith(t, apitest.Options{Security: api.Security{RateLimit: 2, RateBurst: 5}})
	flood := func(token string, n int, headers ...string) (limited int, last *apitest.Response) {
		for range n {
			r := env.Do(http.MethodGet, "/v1/pips", token, nil, headers...)
			if r.Status == http.StatusTooManyRequests {
				limited++
				last = r
			}
		}
		return limited, last
	}
	hr := env.Token("hr-service", "hr")
	limited, r := flood(hr, 20)
	if limited < 10 || r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), `"rate_limited"`) {
		t.Fatalf("%d of 20 limited; last %v", limited, r)
	}
	if n, _ := flood(env.Token("admin-service", "admin"), 3); n != 0 {
		t.Errorf("another caller was limited %d times", n)
	}
	// Anonymous: by IP; X-Forwarded-For from an untrusted peer is ignored.
	if n, _ := flood("", 20, "X-Forwarded-For", "203.0.113.9"); n < 10 {
		t.Errorf("anonymous flood: %d of 20 limited", n)
	}
	if n, _ := flood("", 1, "X-Forwarded-For", "203.0.113.10"); n != 1 {
		t.Errorf("a spoofed X-Forwarded-For bought a fresh bucket")
	}
	// Behind a trusted proxy (this test's loopback), each client has its own.
	proxied := apitest.StartWith(t, apitest.Options{Security: api.Security{RateLimit: 2, RateBurst: 5, TrustedProxies: mustCIDRs(t, "127.0.0.1")}})
	for i := range 10 {
		if r := proxied.Do(http.MethodGet, "/healthz", "", nil, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i)); r.Status != http.StatusOK {
			t.Errorf("client %d behind the proxy: %d", i, r.Status)
		}
	}
}

// TestRateLimitProbes: the probes have their own bucket, so an anonymous
// flood from the prober's address leaves /healthz, /readyz and /metrics
// answering (issue 15: they shared the anonymous bucket and answered 429).
func TestRateLimitProbes(t *testing.T) {
	env := apitest.StartWith(t, apitest.Options{Security: api.Security{RateLimit: 2, RateBurst: 5}})
	for _, probe := range []string{"/healthz", "/readyz", "/metrics"} {
		limited := 0
		for range 10 {
			if env.Do(http.MethodGet, "/v1/pips", "", nil).Status == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited == 0 {
			t.Fatalf("the anonymous flood was not limited")
		}
		if r := env.Do(http.MethodGet, probe, "", nil); r.Status != http.StatusOK {
			t.Errorf("%s after an anonymous flood: %d %s", probe, r.Status, r.Body)
		}
	}
}

func mustCIDRs(t *testing.T, s string) []*net.IPNet {
	n, err := api.ParseCIDRs(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestListCaps (API4): limit=100000 is capped at 500 on every list the
// router has, with a next_cursor when more remain.
func TestListCaps(t *testing.T) {
	f := newBOLAFixture(t)
	for i := range 505 {
		f.Created(http.MethodPost, "/v1/people/"+f.ana+"/commitments", f.leaderT, map[string]any{"text": fmt.Sprint("task ", i), "due_on": day(5)})
	}
	e := api.New(f.Store, f.Views, f.Tokens, api.Config{})
	lists := 0
	for _, r := range e.Routes() {
		if r.Method != http.MethodGet || !strings.HasPrefix(r.Path, "/v1/") || r.Path == "/v1/events/stream" {
			continue
		}
		path := f.fill(r.Path) + "?limit=100000"
		resp := f.Do(http.MethodGet, path, f.admin, nil)
		var body struct {
			Items      *[]json.RawMessage
			NextCursor string `json:"next_cursor"`
		}
		if json.Unmarshal(resp.Body, &body) != nil || body.Items == nil {
			continue // not a list
		}
		lists++
		if n := len(*body.Items); n > 500 {
			t.Errorf("%s: %d items", path, n)
		}
		switch r.Path {
		case "/v1/people/:id/commitments", "/v1/people/:id/timeline", "/v1/events":
			if len(*body.Items) != 500 || body.NextCursor == "" {
				t.Errorf("%s: %d items, next %q; want 500 and a cursor", path, len(*body.Items), body.NextCursor)
			}
		}
	}
	if lists < 5 {
		t.Errorf("only %d lists found", lists)
	}
}

// TestBodyLimits (API4): a body over 64 KiB is 413 before it is read whole:
// a declared length is refused before the body is sent; a chunked one
// stops at the limit, on the API and on the UI's forms.
func TestBodyLimits(t *testing.T) {
	env := apitest.Start(t)
	admin := env.Token("ops", "admin")
	u, _ := url.Parse(env.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/people HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"name\":\"",
		u.Host, admin, 10<<20)
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer while the body is still owed: %v", err)
	}
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("declared 10 MiB: %d, want 413", resp.StatusCode)
	}

	chunked := func(path string, headers ...string) int {
		pr, pw := io.Pipe()
		go func() {
			chunk := []byte(strings.Repeat("a", 1024))
			for range 1024 { // 1 MiB, unless the server stops reading
				if _, err := pw.Write(chunk); err != nil {
					return
				}
			}
			pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, env.URL+path, pr)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		r.Body.Close()
		pr.CloseWithError(io.ErrClosedPipe)
		return r.StatusCode
	}
	if code := chunked("/v1/people", "Authorization", "Bearer "+admin, "Content-Type", "application/json"); code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked 1 MiB to the API: %d, want 413", code)
	}
	if code := chunked("/ui/login", "Content-Type", "application/x-www-form-urlencoded"); code < 400 {
		t.Errorf("chunked 1 MiB to the login form: %d, want a refusal", code)
	}
}

// TestRequestDeadline: every request's context ends at the configured
// deadline, so a read waiting for the projections gives up with it.
func TestRequestDeadline(t *testing.T) {
	env := apitest.StartWith(t, apitest.Options{Security: api.Security{RequestTimeout: 100 * time.Millisecond}})
	start := time.Now()
	r := env.Do(http.MethodGet, "/v1/pips", env.Token("hr", "hr"), nil, "X-Min-Sequence", "999999")
	if r.Status != http.StatusServiceUnavailable || time.Since(start) > time.Second {
		t.Errorf("%d after %v, want 503 at the 100ms deadline (not the 2s read wait)", r.Status, time.Since(start))
	}
}
