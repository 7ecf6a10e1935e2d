package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/coachjournal/coachjournal/api"
)

// TestQueryParams422: one rule for every query parameter of every route:
// a value that is not of the parameter's form, out of its range (dates and
// periods outside 1970–2100 included) or a range whose end is before its
// start answers 422 validation_failed naming the parameter, never 400 or
// 503. (400 is only for a body that is not JSON or has unknown fields.)
func TestQueryParams422(t *testing.T) {
	o := newOrg(t)
	p := "/v1/people/"
	cases := []struct {
		path, param string
		bad         []string
		rest        string // other parameters the route needs
	}{
		{"/v1/people", "manager_id", []string{"x", "123"}, ""},
		{"/v1/people", "cursor", []string{"x", "-1"}, ""},
		{"/v1/people", "limit", []string{"0", "x", "-5", "1.5"}, ""},
		{p + o.ana + "/standard", "on", []string{"x", "2026-13-01", "1969-12-31", "2101-01-01"}, ""},
		{p + o.ana + "/scorecard", "period", []string{"x", "2026-13", "1969-12", "2101-01", "2026-W01"}, ""},
		{p + o.ana + "/scorecard", "as_of", []string{"x", "2026-11-01", "1969-12-31T23:59:59Z", "2101-01-01T00:00:00Z"}, "period=2026-01"},
		{"/v1/teams/" + o.leader + "/board", "period", []string{"x", "1969-12", "2101-01"}, ""},
		{"/v1/teams/" + o.leader + "/board", "as_of", []string{"x", "1969-12-31T23:59:59Z", "2101-01-01T00:00:00Z"}, "period=2026-01"},
		{"/v1/managers/" + o.leader + "/cadence", "from", []string{"x", "2026-02-30", "1969-12-31", "2101-01-01"}, ""},
		{"/v1/managers/" + o.leader + "/cadence", "to", []string{"x", "1969-12-31", "2101-01-01"}, ""},
		{"/v1/managers/" + o.leader + "/cadence", "from", []string{"2026-02-01"}, "to=2026-01-01"},
		{p + o.ana + "/commitments", "status", []string{"x", "OPEN"}, ""},
		{p + o.ana + "/commitments", "cursor", []string{"x"}, ""},
		{p + o.ana + "/commitments", "limit", []string{"0", "x"}, ""},
		{p + o.ana + "/commitment-history", "as_of", []string{"x", "1969-12-31T23:59:59Z", "2101-01-01T00:00:00Z"}, ""},
		{"/v1/pips", "state", []string{"x"}, ""},
		{"/v1/pips", "cursor", []string{"x"}, ""},
		{"/v1/pips", "limit", []string{"0"}, ""},
		{p + o.ana + "/timeline", "type", []string{"journal.*", "Person"}, ""},
		{p + o.ana + "/timeline", "from", []string{"x", "1969-12-31", "2101-01-01T00:00:00Z"}, ""},
		{p + o.ana + "/timeline", "to", []string{"x", "1969-12-31", "2101-01-01"}, ""},
		{p + o.ana + "/timeline", "from", []string{"2026-02-01"}, "to=2026-01-01"},
		{p + o.ana + "/timeline", "cursor", []string{"x"}, ""},
		{p + o.ana + "/timeline", "limit", []string{"0"}, ""},
		{"/v1/audit/verify", "person_id", []string{"x"}, ""},
		{"/v1/events", "after", []string{"x", "-1", "999999"}, ""},
		{"/v1/events", "type", []string{"journal.*", "Person"}, ""},
		{"/v1/events", "from", []string{"x", "1969-12-31", "2101-01-01"}, ""},
		{"/v1/events", "to", []string{"x", "1969-12-31", "2101-01-01"}, ""},
		{"/v1/events", "from", []string{"2026-02-01"}, "to=2026-01-01"},
		{"/v1/events", "cursor", []string{"x"}, ""},
		{"/v1/events", "limit", []string{"0", "x"}, ""},
		{"/v1/events/stream", "after", []string{"x", "-1", "999999"}, ""},
		{"/v1/events/stream", "type", []string{"journal.*"}, ""},
		{"/v1/trends", "metric", []string{"Revenue!", ""}, "granularity=month&from=2026-01&to=2026-02"},
		{"/v1/trends", "manager_id", []string{"x"}, "metric=revenue&granularity=month&from=2026-01&to=2026-02"},
		{"/v1/trends", "granularity", []string{"day", "Month"}, "metric=revenue&from=2026-01&to=2026-02"},
		{"/v1/trends", "from", []string{"x", "1969-12", "2101-01"}, "metric=revenue&granularity=month&to=2026-02"},
		{"/v1/trends", "to", []string{"x", "2101-01", "1969-12"}, "metric=revenue&granularity=month"},
		{"/v1/trends", "from", []string{"2026-01"}, "metric=revenue&granularity=month&to=2025-01"},
		{"/v1/trends", "as_of", []string{"x", "1969-12-31T23:59:59Z", "2101-01-01T00:00:00Z"}, "metric=revenue&granularity=month&from=2026-01&to=2026-02"},
	}
	for _, tc := range cases {
		for _, v := range tc.bad {
			q := url.Values{tc.param: {v}}.Encode()
			if tc.rest != "" {
				q = tc.rest + "&" + q
			}
			r := o.Do(http.MethodGet, tc.path+"?"+q, o.admin, nil)
			var body struct {
				Code   string `json:"code"`
				Errors []struct {
					Field string `json:"field"`
				} `json:"errors"`
			}
			_ = json.Unmarshal(r.Body, &body)
			named := false
			for _, f := range body.Errors {
				named = named || f.Field == tc.param
			}
			if r.Status != http.StatusUnprocessableEntity || body.Code != "validation_failed" || !named {
				t.Errorf("GET %s?%s: %d %s; want 422 validation_failed naming %s", tc.path, q, r.Status, r.Body, tc.param)
			}
		}
	}
}

// TestOpenAPI400And422: the document says the same rule for every route:
// 400 only where the route takes a body (not JSON, unknown field), and 422
// wherever it takes a body, a query parameter or a header that can be
// invalid.
func TestOpenAPI400And422(t *testing.T) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]struct {
				In string `json:"in"`
			} `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op struct {
				RequestBody json.RawMessage `json:"requestBody"`
				Parameters  []struct {
					In  string `json:"in"`
					Ref string `json:"$ref"`
				} `json:"parameters"`
				Responses map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			if op.Responses == nil {
				continue // not an operation
			}
			checked++
			inputs := op.RequestBody != nil
			for _, p := range op.Parameters {
				in := p.In
				if p.Ref != "" {
					in = doc.Components.Parameters[p.Ref[len("#/components/parameters/"):]].In
				}
				inputs = inputs || in == "query" || in == "header"
			}
			_, has400 := op.Responses["400"]
			_, has422 := op.Responses["422"]
			if has400 != (op.RequestBody != nil) {
				t.Errorf("%s %s: 400 declared %v, takes a body %v: 400 is for bodies only", method, path, has400, op.RequestBody != nil)
			}
			if inputs && !has422 {
				t.Errorf("%s %s takes input but declares no 422", method, path)
			}
		}
	}
	if checked < 30 {
		t.Fatalf("checked %d operations: the document was not read", checked)
	}
}
