package main

import (
	"cmp"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/eventstore"
)

// gcTrace collects a child's GODEBUG=gctrace=1 lines.
type gcTrace struct {
	mu    sync.Mutex
	lines []string
}

func (g *gcTrace) add(line string) {
	if gcHeap.MatchString(line) {
		g.mu.Lock()
		g.lines = append(g.lines, line)
		g.mu.Unlock()
	}
}

// mark is where the trace is now.
func (g *gcTrace) mark() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.lines)
}

// growth is the peak heap the collections after mark saw (at the start
// or the end of a cycle) above the least live heap any of them left, in
// MB: what the request added to what the serve held before it. (The last
// cycle before mark may be older than the projections' catch-up, so its
// live heap is no baseline.)
func (g *gcTrace) growth(mark int) (grew, base int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	lines := g.lines[mark:]
	if len(lines) == 0 {
		return 0, 0
	}
	peak, base := 0, -1
	for _, l := range lines {
		m := gcHeap.FindStringSubmatch(l)
		var n [3]int
		for i, v := range m[1:] {
			n[i], _ = strconv.Atoi(v)
		}
		peak = max(peak, n[0], n[1])
		if base < 0 || n[2] < base {
			base = n[2]
		}
	}
	return peak - base, base
}

// tracedService is a serve whose store is on an external JetStream server
// in the test's process (so the server's block cache is not the serve's
// heap), seeded with writeRaw's n events, running with GOGC=gogc (10
// keeps the heap close to what is live) and traced, and an analyst's token
// for it.
func tracedService(tb testing.TB, n int, gogc string) (*serveProcess, *gcTrace, string) {
	tb.Helper()
	srv, err := eventstore.StartEmbedded(tb.TempDir(), true)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	dir := tb.TempDir()
	start := time.Now()
	writeRawTo(tb, eventstore.Config{DataDir: dir, NATSURL: srv.ClientURL()}, n).Close()
	tb.Logf("seeded %d events in %s", n, time.Since(start).Round(time.Millisecond))
	tr := &gcTrace{}
	svc := startServiceWith(tb, dir, []string{"GODEBUG=gctrace=1", "GOGC=" + gogc, "COACHJOURNAL_NATS=" + srv.ClientURL()}, tr.add)
	return svc, tr, mint(tb, dir, "analyst-service", "analyst")
}

// download fetches an export to nowhere and returns its size and time.
func (s *serveProcess) download(token, query string) (int64, time.Duration) {
	s.t.Helper()
	start := time.Now()
	req, _ := http.NewRequest(http.MethodGet, s.url+"/v1/export?"+query, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		s.t.Fatalf("export %s: %d, %d bytes, %v", query, resp.StatusCode, n, err)
	}
	return n, time.Since(start)
}

// TestHTTPExportBoundedMemory exports 10,000 and 40,000 events over HTTP
// in each format from a serve of its own, and compares the serve's heap
// growth during the download: a streaming export grows about as much for
// four times the events (the Parquet writer's one open row group aside),
// where one that kept the file or its rows would grow by tens of MB.
func TestHTTPExportBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	if raceEnabled {
		// The JetStream server lives in this (instrumented) process; under a
		// full -race run a serve's start took over 90 s. CI runs this test
		// twice more without the detector.
		t.Skip("a heap measurement; run without -race")
	}
	const small, large = 10_000, 40_000
	type run struct {
		svc   *serveProcess
		tr    *gcTrace
		token string
	}
	var runs [2]run
	for i, n := range []int{small, large} {
		svc, tr, token := tracedService(t, n, "10")
		runs[i] = run{svc, tr, token}
	}
	for _, q := range []string{"format=ndjson", "format=csv&table=metrics", "format=parquet&table=events"} {
		var grew [2]int
		for i, r := range runs {
			m := r.tr.mark()
			size, took := r.svc.download(r.token, q)
			var base int
			grew[i], base = r.tr.growth(m)
			t.Logf("%s: %d events, %d bytes in %s; the serve's heap grew %d MB above %d MB", q, []int{small, large}[i], size, took.Round(time.Millisecond), grew[i], base)
		}
		if grew[1] > grew[0]+12 {
			t.Errorf("%s: the serve's heap grows with the events: %d MB for %d events, %d MB for %d", q, grew[0], small, grew[1], large)
		}
	}
}

// BenchmarkHTTPExport1M downloads a stream of 1,000,000 events (or
// COACHJOURNAL_EXPORT_EVENTS) over HTTP in each format, once, from a serve
// in its own process (the JetStream server in the benchmark process), and
// reports the serve's peak Go heap during each download (from its
// gctrace) and events/s. The serve runs with GOGC=COACHJOURNAL_EXPORT_GOGC
// (default 100: the heap then peaks near twice what is live, the
// projections of a million events included; 10 shows what the export
// adds); docs/performance.md has the figures:
//
//	COACHJOURNAL_EXPORT_GOGC=10 go test ./cmd/coachjournal -run '^$' -bench HTTPExport1M -benchtime 1x -timeout 30m
func BenchmarkHTTPExport1M(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("COACHJOURNAL_EXPORT_EVENTS")); err == nil && v > 0 {
		n = v
	}
	gogc := cmp.Or(os.Getenv("COACHJOURNAL_EXPORT_GOGC"), "100")
	svc, tr, token := tracedService(b, n, gogc)
	b.ResetTimer()
	for range b.N {
		for _, q := range []string{"format=ndjson", "format=csv&table=metrics", "format=parquet&table=metrics", "format=parquet&table=events"} {
			m := tr.mark()
			size, took := svc.download(token, q)
			grew, base := tr.growth(m)
			name := strings.NewReplacer("format=", "", "&table=", "-").Replace(q)
			b.ReportMetric(float64(base+grew), name+"-peak-heap-MB")
			b.ReportMetric(float64(n)/took.Seconds(), name+"-events/s")
			b.Logf("%s: %d events, %d MB in %s (%.0f events/s); the serve's heap peaked at %d MB, %d MB above its least live heap meanwhile",
				q, n, size>>20, took.Round(time.Millisecond), float64(n)/took.Seconds(), base+grew, grew)
		}
	}
}
