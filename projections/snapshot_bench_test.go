package projections

import (
	"bytes"
	"runtime"
	"testing"
	"time"
)

// benchSet applies n synthetic events (see benchEvent) to a new Set.
func benchSet(n int) *Set {
	people := ids(1000)
	s := NewSet()
	for k := range n {
		s.Apply(uint64(k+1), benchEvent(people, k), nil)
	}
	return s
}

// BenchmarkSnapshotWrite encodes a Set of 200k events; it reports the
// size per event and how long Apply waits for the copy under the lock.
func BenchmarkSnapshotWrite(b *testing.B) {
	const n = 200_000
	s := benchSet(n)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := s.WriteSnapshot(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/n, "B/event")
	start := time.Now()
	_ = s.view()
	b.ReportMetric(float64(time.Since(start).Microseconds()), "lockµs")
}

// BenchmarkSnapshotRead decodes and re-folds a snapshot of 200k events
// and reports events/s and the heap the restored Set holds per event.
func BenchmarkSnapshotRead(b *testing.B) {
	const n = 200_000
	var buf bytes.Buffer
	if err := benchSet(n).WriteSnapshot(&buf); err != nil {
		b.Fatal(err)
	}
	raw := buf.Bytes()
	for b.Loop() {
		if _, err := ReadSnapshot(bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
	b.StopTimer()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, _ := ReadSnapshot(bytes.NewReader(raw))
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heapB/event")
	runtime.KeepAlive(s)
}
