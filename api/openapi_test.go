package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

func init() {
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", openapi3filter.PlainBodyDecoder) // POST /v1/import: lines as text
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(
		`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`))
	openapi3.DefineStringFormatCallback("email", func(s string) error {
		a, err := mail.ParseAddress(s)
		if err == nil && a.Address != s {
			err = errors.New("not a bare address")
		}
		return err
	})
}

// specClient sends requests to a running service and validates every
// request it sends and every response it receives against openapi.json.
// Responses are held to the documented fields: the served document leaves
// response objects open (clients must tolerate new fields), the tests close
// them so that no field goes undocumented.
type specClient struct {
	t      *testing.T
	env    *apitest.Env
	router routers.Router
}

func newSpecClient(t *testing.T, env *apitest.Env) *specClient {
	t.Helper()
	doc := loadSpec(t)
	doc.Servers = openapi3.Servers{{URL: env.URL}}
	for _, s := range doc.Components.Schemas {
		closeObjects(s.Value, map[*openapi3.Schema]bool{})
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router of openapi.json: %v", err)
	}
	return &specClient{t: t, env: env, router: r}
}

// closeObjects forbids undeclared properties on every object schema that
// declares some and says nothing about others.
func closeObjects(s *openapi3.Schema, seen map[*openapi3.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	if s.Type.Is("object") && len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
		no := false
		s.AdditionalProperties.Has = &no
	}
	for _, p := range s.Properties {
		closeObjects(p.Value, seen)
	}
	if s.Items != nil {
		closeObjects(s.Items.Value, seen)
	}
	if s.AdditionalProperties.Schema != nil {
		closeObjects(s.AdditionalProperties.Schema.Value, seen)
	}
}

// call is one exchange; badRequest says the request breaks the spec on
// purpose, and the spec must say so too.
type call struct {
	want       int
	method     string
	path       string
	token      string
	body       any // nil, string or []byte as is, else encoded as JSON
	headers    []string
	badRequest bool
}

// do sends c, fails the test unless it answers c.want, and reports every
// disagreement with the spec as a test error.
func (sc *specClient) do(c call) *apitest.Response {
	sc.t.Helper()
	var raw []byte
	switch b := c.body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			sc.t.Fatalf("encode body: %v", err)
		}
	}
	req := sc.request(c, raw)
	route, params, err := sc.router.FindRoute(req)
	if err != nil {
		sc.t.Fatalf("%s %s: no operation in openapi.json: %v", c.method, c.path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	switch {
	case reqErr != nil && !c.badRequest:
		sc.t.Errorf("%s %s: the request breaks openapi.json: %v", c.method, c.path, reqErr)
	case reqErr == nil && c.badRequest:
		sc.t.Errorf("%s %s: openapi.json accepts a request the server refuses (%d)", c.method, c.path, c.want)
	}
	resp, err := http.DefaultClient.Do(sc.request(c, raw))
	if err != nil {
		sc.t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != c.want {
		sc.t.Fatalf("%s %s: status %d, want %d; body %s", c.method, c.path, resp.StatusCode, c.want, body)
	}
	in.Request = sc.request(c, raw) // the validated one's body was read
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		sc.t.Errorf("%s %s → %d: the response breaks openapi.json: %v\nbody: %.600s", c.method, c.path, resp.StatusCode, err, body)
	}
	return &apitest.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

func (sc *specClient) request(c call, raw []byte) *http.Request {
	sc.t.Helper()
	var rd io.Reader
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(c.method, sc.env.URL+c.path, rd)
	if err != nil {
		sc.t.Fatalf("request: %v", err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(c.headers); i += 2 {
		req.Header.Set(c.headers[i], c.headers[i+1])
	}
	return req
}

// created sends a write that must answer 201 and returns the new id.
func (sc *specClient) created(method, path, token string, body any, headers ...string) string {
	sc.t.Helper()
	var w struct {
		ID string `json:"id"`
	}
	sc.do(call{want: http.StatusCreated, method: method, path: path, token: token, body: body, headers: headers}).Decode(sc.t, &w)
	return w.ID
}

// get sends a read that must answer 200.
func (sc *specClient) get(path, token string, headers ...string) *apitest.Response {
	sc.t.Helper()
	return sc.do(call{want: http.StatusOK, method: http.MethodGet, path: path, token: token, headers: headers})
}

// sse opens the live tail and validates the request and the response's
// status and headers (the stream never ends: its body is not read).
func (sc *specClient) sse(path, token string) {
	sc.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c := call{method: http.MethodGet, path: path, token: token}
	req := sc.request(c, nil).WithContext(ctx)
	route, params, err := sc.router.FindRoute(req)
	if err != nil {
		sc.t.Fatalf("%s: no operation in openapi.json: %v", path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		sc.t.Errorf("%s: the request breaks openapi.json: %v", path, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		sc.t.Fatalf("%s: %v", path, err)
	}
	defer resp.Body.Close()
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(strings.NewReader("")), Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: true}}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil || resp.StatusCode != http.StatusOK {
		sc.t.Errorf("%s → %d: %v", path, resp.StatusCode, err)
	}
}

// download fetches a file (the export): the request, the status and the
// headers are validated; the body, a file of the type the spec names, is
// returned unchecked.
func (sc *specClient) download(path, token string) []byte {
	sc.t.Helper()
	c := call{method: http.MethodGet, path: path, token: token}
	req := sc.request(c, nil)
	route, params, err := sc.router.FindRoute(req)
	if err != nil {
		sc.t.Fatalf("%s: no operation in openapi.json: %v", path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		sc.t.Errorf("%s: the request breaks openapi.json: %v", path, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		sc.t.Fatalf("%s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		sc.t.Fatalf("%s → %d: %v %s", path, resp.StatusCode, err, body)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(strings.NewReader("")), Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		sc.t.Errorf("%s → %d: %v", path, resp.StatusCode, err)
	}
	return body
}
