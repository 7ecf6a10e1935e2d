package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventjson"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/export"
	"github.com/coachjournal/coachjournal/service"
	"github.com/google/uuid"
	"github.com/parquet-go/parquet-go"
)

// exportOrg is a small organisation written through the API.
type exportOrg struct {
	*apitest.Env
	admin, analyst     string
	owner, leader, ana string
}

// exportSecrets are strings the org puts in the journals that no
// pseudonymized export may hold.
var exportSecrets = []string{"Olga Owner", "Leo Leader", "Ana Lima", "example.com", "Account Executive", "Pipeline is thin", "book 15 first meetings", "late deal"}

func newExportOrg(t *testing.T) *exportOrg {
	t.Helper()
	o := &exportOrg{Env: apitest.Start(t)}
	o.admin, o.analyst = o.Token("admin-service", domain.RoleAdmin), o.Token("analyst-service", domain.RoleAnalyst)
	reg := func(name, email, mgr string) string {
		body := map[string]any{"name": name, "email": email, "title": "Account Executive"}
		if mgr != "" {
			body["manager_id"] = mgr
		}
		return o.Created(http.MethodPost, "/v1/people", o.admin, body)
	}
	o.owner = reg("Olga Owner", "olga@example.com", "")
	o.leader = reg("Leo Leader", "leo@example.com", o.owner)
	o.ana = reg("Ana Lima", "ana@example.com", o.leader)
	anaT, leaderT := o.Token(o.ana, domain.RoleMember), o.Token(o.leader, domain.RoleMember)
	p := "/v1/people/" + o.ana
	week := domain.WeekPeriod(domain.DateOf(clock.Now().UTC().AddDate(0, 0, -7))).String()
	o.Created(http.MethodPost, p+"/metrics", anaT, map[string]any{"period": week, "source": "self", "values": map[string]any{"activities": 40, "new_opportunities": 2}})
	o.Created(http.MethodPost, p+"/meetings", leaderT, map[string]any{"kind": "performance",
		"held_at": clock.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "with_id": o.leader, "notes": "Pipeline is thin"})
	o.Created(http.MethodPost, p+"/commitments", anaT, map[string]any{"text": "book 15 first meetings by Friday", "due_on": domain.DateOf(clock.Now().UTC()).AddDays(3).String()})
	o.Created(http.MethodPost, p+"/manager", o.admin, map[string]any{"manager_id": o.owner})
	o.Created(http.MethodPost, p+"/metrics", o.Token(o.owner, domain.RoleMember), map[string]any{"period": week, "source": "manager", "values": map[string]any{"revenue": 1000}, "correction_reason": "late deal"})
	// Tools join the running service's embedded server, as they do a serve's.
	holdAsServe(t, o.DataDir, o.Store.Server().ClientURL())
	return o
}

// runExport runs the export command in process and fails the test on an error.
func runExport(t testing.TB, dataDir string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), append([]string{"export", "--data-dir", dataDir}, args...), &stdout, &stderr); err != nil {
		t.Fatalf("export %v: %v\n%s", args, err, stderr.String())
	}
	if strings.Contains(stderr.String(), "\r[") {
		t.Fatalf("a progress bar on a stderr that is no terminal: %q", stderr.String())
	}
	return stdout.String()
}

func readAll(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestExportPseudonymized(t *testing.T) {
	o := newExportOrg(t)
	// The owner's team standard, which Ana's scorecard reads since her move.
	o.Created(http.MethodPost, "/v1/people/"+o.owner+"/standards", o.admin, map[string]any{"applies_to": "reports", "effective_from": "2020-01-01",
		"targets": []map[string]any{{"metric": "revenue", "target": 4000, "kind": "lagging"}, {"metric": "activities", "target": 50, "kind": "leading"}}})
	// Every event of the stream, in order (the org markers beside each
	// registration and move are not events: neither the feed nor the
	// export holds them).
	var feed struct {
		Items []domain.AnalystEvent `json:"items"`
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/events?limit=500", o.analyst, nil).Decode(t, &feed)
	last := uint64(len(feed.Items))
	if feed.Items[len(feed.Items)-1].Sequence != o.LastSeq() {
		t.Fatalf("the feed ends at %d, the stream at %d", feed.Items[len(feed.Items)-1].Sequence, o.LastSeq())
	}
	pseudo := map[string]string{} // person id → pseudonym, as the API's feed shows it
	for i, id := range []string{o.owner, o.leader, o.ana} {
		pseudo[id] = feed.Items[i].PersonID
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "x")
	runExport(t, o.DataDir, "--format", "ndjson", "--out", out+".ndjson")
	runExport(t, o.DataDir, "--format", "csv", "--out", out, "--scorecards")
	runExport(t, o.DataDir, "--format", "parquet", "--out", out+".parquet", "--scorecards") // the extension is optional

	files, _ := filepath.Glob(out + "*")
	if len(files) != 7 {
		t.Fatalf("files = %v, want the NDJSON file and three tables of each of CSV and Parquet", files)
	}
	for _, f := range files {
		body := readAll(t, f)
		for _, s := range append(exportSecrets, o.owner, o.leader, o.ana) {
			if strings.Contains(body, s) {
				t.Errorf("%s reveals %q", filepath.Base(f), s)
			}
		}
	}

	t.Run("ndjson", func(t *testing.T) {
		sc := bufio.NewScanner(strings.NewReader(readAll(t, out+".ndjson")))
		var n uint64
		for sc.Scan() {
			var e domain.AnalystEvent
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			n++
			if f := feed.Items[n-1]; e.Sequence != f.Sequence || e.PersonID != f.PersonID || e.Type != f.Type || e.Actor != f.Actor {
				t.Fatalf("line %d = %d %s %s, want the feed's %d %s %s", n, e.Sequence, e.Type, e.PersonID, f.Sequence, f.Type, f.PersonID)
			}
		}
		if n != last {
			t.Fatalf("%d lines, want %d", n, last)
		}
	})
	t.Run("csv", func(t *testing.T) {
		metrics := strings.Split(strings.TrimSpace(readAll(t, out+".metrics.csv")), "\n")
		events := strings.Split(strings.TrimSpace(readAll(t, out+".events.csv")), "\n")
		if metrics[0] != "pseudonym,manager_pseudonym,period,month,metric,value,recorded_at,source,sequence" ||
			events[0] != "sequence,type,pseudonym,occurred_at,recorded_at" {
			t.Fatalf("headers = %q, %q", metrics[0], events[0])
		}
		if len(metrics) != 4 || uint64(len(events)) != last+1 {
			t.Fatalf("%d metric rows and %d event rows, want 3 and %d", len(metrics)-1, len(events)-1, last)
		}
		// Ana's first week was under the leader, the correction under the owner.
		if !strings.HasPrefix(metrics[1], pseudo[o.ana]+","+pseudo[o.leader]+",") || !strings.HasPrefix(metrics[3], pseudo[o.ana]+","+pseudo[o.owner]+",") {
			t.Fatalf("metric rows = %q, want Ana under the leader, then under the owner", metrics[1:])
		}
		if !strings.Contains(events[1], ",person.registered,"+pseudo[o.owner]+",") {
			t.Fatalf("first event row = %q", events[1])
		}
	})
	t.Run("parquet", func(t *testing.T) {
		metrics, err := parquet.ReadFile[export.MetricRow](out + ".metrics.parquet")
		if err != nil {
			t.Fatal(err)
		}
		events, err := parquet.ReadFile[export.EventRow](out + ".events.parquet")
		if err != nil {
			t.Fatal(err)
		}
		if len(metrics) != 3 || uint64(len(events)) != last {
			t.Fatalf("%d metric rows and %d event rows, want 3 and %d", len(metrics), len(events), last)
		}
		m := metrics[0]
		if m.Pseudonym != pseudo[o.ana] || m.ManagerPseudonym == nil || *m.ManagerPseudonym != pseudo[o.leader] ||
			m.Metric != "activities" || m.Value != 40 || m.Month == "" || m.RecordedAt.IsZero() || m.Source != "self" {
			t.Fatalf("first metric row = %+v", m)
		}
		if events[0].Type != "person.registered" || events[0].Pseudonym != pseudo[o.owner] || uint64(events[0].Sequence) != feed.Items[0].Sequence || events[0].OccurredAt.IsZero() {
			t.Fatalf("first event row = %+v", events[0])
		}
		checkParquetTypes(t, out+".metrics.parquet", map[string]string{
			"pseudonym": "BYTE_ARRAY/STRING", "manager_pseudonym": "BYTE_ARRAY/STRING", "value": "DOUBLE",
			"sequence": "INT64/INT", "recorded_at": "INT64/TIMESTAMP"})
		checkParquetTypes(t, out+".events.parquet", map[string]string{"sequence": "INT64/INT", "type": "BYTE_ARRAY/STRING", "occurred_at": "INT64/TIMESTAMP"})
	})
	t.Run("scorecards", func(t *testing.T) {
		// Ana's month as the API's scorecard shows it: the correction
		// replaced her week whole (revenue only), against the owner's standard.
		month := domain.WeekPeriod(domain.DateOf(clock.Now().UTC().AddDate(0, 0, -7))).Month().String()
		var card struct {
			Metrics []struct {
				Metric                     string
				Target, Actual, Attainment *float64
			}
		}
		o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ana+"/scorecard?period="+month, o.admin, nil).Decode(t, &card)
		rows, err := parquet.ReadFile[export.ScorecardRow](out + ".scorecards.parquet")
		if err != nil {
			t.Fatal(err)
		}
		csvRows := strings.Split(strings.TrimSpace(readAll(t, out+".scorecards.csv")), "\n")
		if csvRows[0] != "pseudonym,month,metric,kind,derived,target,actual,attainment" || len(csvRows) != len(rows)+1 {
			t.Fatalf("scorecards.csv: header %q, %d rows; want %d", csvRows[0], len(csvRows)-1, len(rows))
		}
		if len(rows) != len(card.Metrics) || len(rows) == 0 {
			t.Fatalf("%d scorecard rows, the API's scorecard has %d metrics", len(rows), len(card.Metrics))
		}
		same := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
		for i, r := range rows {
			m := card.Metrics[i]
			if r.Pseudonym != pseudo[o.ana] || r.Month != month || r.Metric != m.Metric ||
				!same(r.Target, m.Target) || !same(r.Actual, m.Actual) || !same(r.Attainment, m.Attainment) {
				t.Errorf("row %d = %+v, the API's %+v", i, r, m)
			}
			if r.Metric == "revenue" && (r.Attainment == nil || *r.Attainment != 0.25) {
				t.Errorf("revenue row = %+v, want 1000 of 4000", r)
			}
		}
	})
	t.Run("clear and filtered", func(t *testing.T) {
		body := runExport(t, o.DataDir, "--clear", "--type", "person.")
		if n := strings.Count(body, "\n"); n != 4 || !strings.Contains(body, "Ana Lima") || !strings.Contains(body, o.ana) {
			t.Fatalf("clear person events = %d lines: %s", n, body)
		}
		if body := runExport(t, o.DataDir, "--from", "2999-01-01"); body != "" {
			t.Fatalf("events from the future: %s", body)
		}
		var stderr bytes.Buffer
		for _, args := range [][]string{{"--format", "xml"}, {"--format", "csv"}, {"--type", "a*"}, {"--from", "soon"}, {"--scorecards"}} {
			if err := run(context.Background(), append([]string{"export", "--data-dir", o.DataDir}, args...), &stderr, &stderr); err != exitCode(2) {
				t.Errorf("export %v: %v, want exit 2", args, err)
			}
		}
	})
}

// checkParquetTypes checks the physical (and logical) type of columns.
func checkParquetTypes(t *testing.T, path string, want map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range pf.Schema().Fields() {
		w, ok := want[field.Name()]
		if !ok {
			continue
		}
		got := field.Type().Kind().String()
		if lt := field.Type().LogicalType(); lt != nil && lt.String() != "" {
			got += "/" + strings.ToUpper(strings.SplitN(lt.String(), "(", 2)[0])
		}
		if got != w {
			t.Errorf("%s: column %s is %s, want %s", filepath.Base(path), field.Name(), got, w)
		}
	}
}

// seedRaw appends n events straight to the stream (see writeRaw) and
// leaves the store open as a serve would, for tools to join.
func seedRaw(tb testing.TB, dataDir string, n int) {
	tb.Helper()
	store := writeRawAs(tb, eventstore.Config{DataDir: dataDir, NoSync: true}, n, "serve")
	tb.Cleanup(store.Close)
	if err := os.WriteFile(service.URLFile(dataDir), []byte(store.Server().ClientURL()), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// writeRaw appends n events straight to the stream (bypassing the rules,
// for volume): people registered under managers, then weekly submissions.
// The caller closes the store.
func writeRaw(tb testing.TB, dataDir string, n int) rawStore {
	tb.Helper()
	return writeRawTo(tb, eventstore.Config{DataDir: dataDir, NoSync: true}, n)
}

// writeRawTo is writeRaw on the store cfg opens (an external server's).
func writeRawTo(tb testing.TB, cfg eventstore.Config, n int) rawStore {
	tb.Helper()
	return writeRawAs(tb, cfg, n, "test")
}

// rawStore is a store opened to seed, holding its data dir's lock (for
// command) until Close.
type rawStore struct {
	*eventstore.Store
	release func()
}

// Close closes the store and releases the lock.
func (r rawStore) Close() { r.release() }

// writeRawAs is writeRawTo with the data dir locked for command (as the
// offline commands open it: service.OpenTool).
func writeRawAs(tb testing.TB, cfg eventstore.Config, n int, command string) rawStore {
	tb.Helper()
	ctx := context.Background()
	opened, release, err := service.OpenTool(ctx, cfg, command)
	if err != nil {
		tb.Fatal(err)
	}
	store := rawStore{opened, release}
	js := store.JetStream()
	const people = 500
	ids := make([]uuid.UUID, people)
	versions := make([]uint64, people)
	hashes := make([]string, people)
	at := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	for i := range n {
		p := i % people
		e := domain.Event{Type: domain.TypeMetricsSubmitted, Schema: 1, Actor: domain.Actor{ID: "import", Role: domain.RoleAdmin},
			OccurredAt: at.Add(time.Duration(i) * time.Second), RecordedAt: at.Add(time.Duration(i) * time.Second)}
		if i < people {
			ids[p] = uuid.Must(uuid.NewV7())
			var mgr *uuid.UUID
			if p > 0 {
				mgr = &ids[(p-1)/10]
			}
			e.Type, e.Data = domain.TypePersonRegistered, &domain.PersonRegistered{Name: fmt.Sprintf("Person %d", p), Email: "p@example.com", ManagerID: mgr}
		} else {
			week := domain.WeekPeriod(domain.DateOf(e.OccurredAt))
			e.Data = &domain.MetricsSubmitted{Period: week, Source: "import", Values: map[string]float64{"activities": float64(i % 50), "revenue": float64(i)}}
		}
		versions[p]++
		e.ID, e.PersonID, e.Version, e.PrevHash = uuid.Must(uuid.NewV7()), ids[p], versions[p], hashes[p]
		b, err := eventjson.Seal(&e)
		if err != nil {
			tb.Fatal(err)
		}
		hashes[p] = e.Hash
		if _, err := js.PublishAsync(eventstore.Subject(e.PersonID, e.Type), b); err != nil {
			tb.Fatal(err)
		}
		// Wait for the acks every 1,000 messages: with 4,000 in flight
		// PublishAsync stalls (its default limit) and fails on a busy
		// machine with "too many outstanding async published messages".
		if (i+1)%1000 == 0 || i == n-1 {
			select {
			case <-js.PublishAsyncComplete():
			case <-time.After(2 * time.Minute):
				tb.Fatal("publishing did not complete")
			}
		}
	}
	return store
}

// peakHeap runs f while sampling the heap in use and returns its peak.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	return peak.Load()
}

// exportHeap runs the export against a serve running in its own process
// (so the server's block cache is not counted) and returns the peak heap in
// use above what was live before it, with the collector kept tight so that
// the figure follows what the export holds and not the collector's pacing
// or what earlier tests left behind.
func exportHeap(t *testing.T, dataDir string, args ...string) uint64 {
	t.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	runtime.GC() // the first leaves what finalizers free to the second
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	peak := peakHeap(func() { runExport(t, dataDir, args...) })
	return max(peak, m.HeapInuse) - m.HeapInuse
}

// TestExportBoundedMemory exports 10,000 and 40,000 events to each format:
// a streaming export holds about as much for four times the events (the
// Parquet writer's one open row group, up to export.ParquetRowGroup rows, grows by
// about 5 MiB), where one that kept its events grew by 28–38 MiB.
func TestExportBoundedMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("a heap measurement; run without -race (CI runs it twice more without the detector)")
	}
	const small, large = 10_000, 40_000
	var dirs [2]string
	for i, n := range []int{small, large} {
		dirs[i] = t.TempDir()
		writeRaw(t, dirs[i], n).Close()
		defer startService(t, dirs[i]).stop()
	}
	out := filepath.Join(t.TempDir(), "big")
	for _, format := range []string{"ndjson", "csv", "parquet"} {
		name := out
		if format == "ndjson" {
			name += ".ndjson"
		}
		s := exportHeap(t, dirs[0], "--format", format, "--out", name)
		l := exportHeap(t, dirs[1], "--format", format, "--out", name)
		t.Logf("%s: the export's peak heap %.1f MiB for %d events, %.1f MiB for %d", format, float64(s)/(1<<20), small, float64(l)/(1<<20), large)
		if l > s+12<<20 {
			t.Errorf("%s: the export's heap grows with the events: %.1f MiB for %d, %.1f MiB for %d", format, float64(s)/(1<<20), small, float64(l)/(1<<20), large)
		}
	}
	events, err := parquet.ReadFile[export.EventRow](out + ".events.parquet")
	if err != nil || len(events) != large {
		t.Fatalf("events.parquet: %d rows (%v), want %d", len(events), err, large)
	}
	if _, err := os.Stat(out + ".scorecards.parquet"); !os.IsNotExist(err) {
		t.Errorf("a scorecards table without --scorecards (stat: %v)", err)
	}
}
