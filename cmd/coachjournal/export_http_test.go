package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/export"
	"github.com/parquet-go/parquet-go"
)

// readParquet reads a Parquet body into rows of T.
func readParquet[T any](t *testing.T, body []byte) []T {
	t.Helper()
	rows, err := parquet.Read[T](bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("read parquet (%d bytes): %v", len(body), err)
	}
	return rows
}

// TestHTTPExport: GET /v1/export serves the CLI's export as one file a
// request: the analyst's Parquet tables read back with the right row
// counts, NDJSON a line an event, and none of the analyst's downloads
// holds a name, an email, a note, a commitment's text or a person id. An
// admin may ask for clear text, an analyst may not; HR and members may not
// export; bad parameters are 422 naming them.
func TestHTTPExport(t *testing.T) {
	o := newExportOrg(t)
	o.Created(http.MethodPost, "/v1/people/"+o.owner+"/standards", o.admin, map[string]any{"applies_to": "reports", "effective_from": "2020-01-01",
		"targets": []map[string]any{{"metric": "revenue", "target": 4000, "kind": "lagging"}, {"metric": "activities", "target": 50, "kind": "leading"}}})
	// The events in the stream: its sequences less the org markers.
	var feed struct{ Items []json.RawMessage }
	o.Must(http.StatusOK, http.MethodGet, "/v1/events?limit=1000", o.admin, nil).Decode(t, &feed)
	last := uint64(len(feed.Items))
	get := func(token, query string) *apitest.Response {
		t.Helper()
		return o.Do(http.MethodGet, "/v1/export?"+query, token, nil)
	}
	bodies := map[string][]byte{}
	for _, q := range []string{"format=ndjson", "format=csv&table=events", "format=csv&table=metrics", "format=csv&table=scorecards",
		"format=parquet", "format=parquet&table=metrics", "format=parquet&table=scorecards"} {
		r := get(o.analyst, q)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", q, r.Status, r.Body)
		}
		format := strings.TrimPrefix(strings.SplitN(q, "&", 2)[0], "format=")
		if ct := r.Header.Get("Content-Type"); ct != export.ContentType(format) || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment; filename=\"coachjournal-") {
			t.Errorf("%s: Content-Type %q, Content-Disposition %q", q, ct, r.Header.Get("Content-Disposition"))
		}
		bodies[q] = r.Body
	}
	for q, body := range bodies {
		for _, s := range append(exportSecrets, o.owner, o.leader, o.ana, "olga@", "leo@", "ana@", `"hash"`, "analyst-service", "admin-service") {
			if bytes.Contains(body, []byte(s)) {
				t.Errorf("the analyst's %s download holds %q", q, s)
			}
		}
	}
	if n := bytes.Count(bodies["format=ndjson"], []byte("\n")); uint64(n) != last {
		t.Errorf("ndjson: %d lines, want %d", n, last)
	}
	events := readParquet[export.EventRow](t, bodies["format=parquet"])
	metrics := readParquet[export.MetricRow](t, bodies["format=parquet&table=metrics"])
	cards := readParquet[export.ScorecardRow](t, bodies["format=parquet&table=scorecards"])
	if uint64(len(events)) != last || len(metrics) != 3 || len(cards) == 0 {
		t.Fatalf("parquet: %d event rows, %d metric rows, %d scorecard rows; want %d, 3 and some", len(events), len(metrics), len(cards), last)
	}
	for q, want := range map[string]int{"format=csv&table=events": len(events), "format=csv&table=metrics": 3, "format=csv&table=scorecards": len(cards)} {
		if n := bytes.Count(bodies[q], []byte("\n")) - 1; n != want {
			t.Errorf("%s: %d rows, want %d", q, n, want)
		}
	}
	// The same pseudonyms as the CLI's export, which shares the key.
	cli := runExport(t, o.DataDir, "--format", "ndjson")
	if cli != string(bodies["format=ndjson"]) {
		t.Errorf("the HTTP NDJSON differs from the CLI's:\n%s\nCLI:\n%s", bodies["format=ndjson"], cli)
	}
	if m := metrics[0]; m.ManagerPseudonym == nil || m.Pseudonym != events[2].Pseudonym || m.Value != 40 {
		t.Errorf("first metric row = %+v, want Ana's activities under her first manager", m)
	}

	t.Run("filters", func(t *testing.T) {
		r := get(o.analyst, "type=person.&from=2020-01-01")
		if n := bytes.Count(r.Body, []byte("\n")); r.Status != http.StatusOK || n != 4 {
			t.Fatalf("person events: %d, %d lines, want 4", r.Status, n)
		}
		if r := get(o.analyst, "format=csv&to=2000-01-01"); r.Status != http.StatusOK || string(r.Body) != strings.Join([]string{
			"sequence", "type", "pseudonym", "occurred_at", "recorded_at"}, ",")+"\n" {
			t.Fatalf("an empty range: %d %q, want the header alone", r.Status, r.Body)
		}
	})
	t.Run("who", func(t *testing.T) {
		clear := get(o.admin, "clear=true&type=person.")
		if clear.Status != http.StatusOK || !bytes.Contains(clear.Body, []byte("Ana Lima")) || !bytes.Contains(clear.Body, []byte(o.ana)) {
			t.Fatalf("the admin's clear export: %d %s", clear.Status, clear.Body)
		}
		if r := get(o.admin, "type=person."); r.Status != http.StatusOK || bytes.Contains(r.Body, []byte("Ana Lima")) {
			t.Fatalf("the admin's default export is pseudonymized: %d %s", r.Status, r.Body)
		}
		for name, tok := range map[string]string{"an analyst asking clear text": o.analyst} {
			if r := get(tok, "clear=true"); r.Status != http.StatusForbidden {
				t.Errorf("%s: %d %s, want 403", name, r.Status, r.Body)
			}
		}
		for name, tok := range map[string]string{"HR": o.Token("hr-service", domain.RoleHR), "a member": o.Token(o.ana, domain.RoleMember)} {
			if r := get(tok, ""); r.Status != http.StatusForbidden {
				t.Errorf("%s: %d %s, want 403", name, r.Status, r.Body)
			}
		}
		if r := get("", ""); r.Status != http.StatusUnauthorized {
			t.Errorf("no token: %d", r.Status)
		}
	})
	t.Run("bad parameters", func(t *testing.T) {
		for q, field := range map[string]string{"format=xml": "format", "format=csv&table=people": "table", "table=metrics": "table",
			"type=a*": "type", "from=soon": "from", "to=2026-13-01": "to", "from=2026-02-01&to=2026-01-01": "to", "clear=yes": "clear"} {
			r := get(o.admin, q)
			var p struct {
				Code   string
				Errors []domain.FieldError
			}
			if r.Status == http.StatusUnprocessableEntity {
				r.Decode(t, &p)
			}
			if r.Status != http.StatusUnprocessableEntity || p.Code != "validation_failed" || len(p.Errors) != 1 || p.Errors[0].Field != field ||
				r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d %s, want 422 naming %s", q, r.Status, r.Body, field)
			}
		}
	})
}

// openExport starts an export and returns once its first bytes arrived
// (the server is then streaming) or it was refused; stop closes it.
func openExport(t *testing.T, base, token string) (r *apitest.Response, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/export?format=ndjson", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	r = &apitest.Response{Status: resp.StatusCode, Header: resp.Header}
	if resp.StatusCode != http.StatusOK {
		r.Body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		return r, func() {}
	}
	if _, err := bufio.NewReader(resp.Body).Peek(1); err != nil {
		t.Fatalf("the export's first byte: %v", err)
	}
	return r, func() { cancel(); resp.Body.Close() }
}

// exportsRunning reads the exports-running gauge from /metrics.
func exportsRunning(t *testing.T, env *apitest.Env) string {
	t.Helper()
	for line := range strings.Lines(string(env.Must(http.StatusOK, http.MethodGet, "/metrics", "", nil).Body)) {
		if v, ok := strings.CutPrefix(line, "coachjournal_exports_running "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("no coachjournal_exports_running on /metrics")
	return ""
}

// waitExports waits (bounded) until n exports are running.
func waitExports(t *testing.T, env *apitest.Env, n string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for exportsRunning(t, env) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%s exports running after 20 s, want %s", exportsRunning(t, env), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHTTPExportCapsAndCancel: a stream of 60,000 events (about 20 MB of
// NDJSON) is exported by clients that read its first bytes and stop, so
// each export is running while the test goes on. Past the caller's cap
// and the server's, a request answers 429 with Retry-After; a client that
// goes away stops its export before the end of the stream (the server
// logs it cancelled, not exported) and gives its slot back.
func TestHTTPExportCapsAndCancel(t *testing.T) {
	start := time.Now()
	dir := t.TempDir()
	writeRaw(t, dir, 60_000).Close()
	logs := &syncBuffer{}
	env := apitest.StartWith(t, apitest.Options{Security: api.Security{ExportsPerCaller: 1, Exports: 2},
		Logger: slog.New(slog.NewTextHandler(logs, nil)), DataDir: dir})
	t.Logf("seeded in %s", time.Since(start))
	one, two, three := env.Token("analyst-one", domain.RoleAnalyst), env.Token("analyst-two", domain.RoleAnalyst), env.Token("ops", domain.RoleAdmin)

	r, stopOne := openExport(t, env.URL, one)
	defer stopOne()
	if r.Status != http.StatusOK {
		t.Fatalf("the first export: %d %s", r.Status, r.Body)
	}
	r, _ = openExport(t, env.URL, one)
	wantRefused(t, r, "a second export of the same caller")
	r, stopTwo := openExport(t, env.URL, two)
	defer stopTwo()
	if r.Status != http.StatusOK {
		t.Fatalf("another caller's export: %d %s", r.Status, r.Body)
	}
	r, _ = openExport(t, env.URL, three)
	wantRefused(t, r, "a third caller past the server's cap")
	if n := exportsRunning(t, env); n != "2" {
		t.Fatalf("%s exports running, want 2", n)
	}

	stopOne()
	waitExports(t, env, "1")
	r, stopThree := openExport(t, env.URL, three)
	defer stopThree()
	if r.Status != http.StatusOK {
		t.Fatalf("an export once a slot is free: %d %s", r.Status, r.Body)
	}
	t.Logf("caps checked at %s", time.Since(start))
	stopTwo()
	stopThree()
	waitExports(t, env, "0")
	t.Logf("done at %s", time.Since(start))
	if n := strings.Count(logs.String(), "export cancelled"); n != 3 {
		t.Errorf("%d exports logged cancelled, want 3:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), `msg=export `) {
		t.Errorf("an export ran to its end after its client went away:\n%s", logs.String())
	}
}

// wantRefused checks a 429 rate_limited problem with a Retry-After.
func wantRefused(t *testing.T, r *apitest.Response, who string) {
	t.Helper()
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || r.Header.Get("Content-Type") != "application/problem+json" ||
		!bytes.Contains(r.Body, []byte(`"rate_limited"`)) {
		t.Fatalf("%s: %d %q %s (Retry-After %q), want 429 rate_limited with Retry-After", who, r.Status, r.Header.Get("Content-Type"), r.Body, r.Header.Get("Retry-After"))
	}
}
