package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// BenchmarkExport1M exports a stream of 1,000,000 events (or
// COACHJOURNAL_EXPORT_EVENTS) to each format, once, in a child process (the
// store's embedded server stays in the benchmark process) and reports the
// child's peak Go heap, read from its GODEBUG=gctrace=1 lines (rusage's
// maxrss is useless here: a forked child inherits the parent's), and events/s:
//
//	go test ./cmd/coachjournal -run '^$' -bench Export1M -benchtime 1x -timeout 30m
func BenchmarkExport1M(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("COACHJOURNAL_EXPORT_EVENTS")); err == nil && v > 0 {
		n = v
	}
	dir := b.TempDir()
	start := time.Now()
	seedRaw(b, dir, n)
	b.Logf("seeded %d events in %s", n, time.Since(start).Round(time.Millisecond))
	out := filepath.Join(b.TempDir(), "big")
	b.ResetTimer()
	for range b.N {
		for _, format := range []string{"ndjson", "csv", "parquet"} {
			name := out
			if format == "ndjson" {
				name += ".ndjson"
			}
			t0 := time.Now()
			cmd := exec.Command(binary, "export", "--data-dir", dir, "--format", format, "--out", name)
			cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1")
			msg, err := cmd.CombinedOutput()
			if err != nil {
				b.Fatalf("export %s: %v\n%s", format, err, msg)
			}
			took := time.Since(t0)
			peak := peakGCHeap(string(msg))
			b.ReportMetric(peak, format+"-peak-heap-MB")
			b.ReportMetric(float64(n)/took.Seconds(), format+"-events/s")
			b.Logf("%s: %d events in %s (%.0f/s), export process peak heap %.0f MB", format, n, took.Round(time.Millisecond),
				float64(n)/took.Seconds(), peak)
		}
		peak := peakHeap(func() { runExport(b, dir, "--format", "parquet", "--out", out+"-inproc") })
		b.ReportMetric(float64(peak)/(1<<20), "inproc-parquet-peak-heap-MiB")
		b.Logf("in process (with the embedded server): parquet peak heap in use %.1f MiB", float64(peak)/(1<<20))
	}
}

// gcHeap matches the heap sizes of a gctrace line: "12->14->6 MB".
var gcHeap = regexp.MustCompile(`(\d+)->(\d+)->(\d+) MB`)

// peakGCHeap returns the largest heap size any gctrace line reports, in MB.
func peakGCHeap(trace string) float64 {
	peak := 0
	for _, m := range gcHeap.FindAllStringSubmatch(trace, -1) {
		for _, v := range m[1:] {
			n, _ := strconv.Atoi(v)
			peak = max(peak, n)
		}
	}
	return float64(peak)
}
