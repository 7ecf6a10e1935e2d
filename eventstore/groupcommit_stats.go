package eventstore

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// GroupCommitStats counts what the group commit did since the Store opened.
type GroupCommitStats struct {
	Enabled bool
	// Singles counts appends published alone: a lone request, or one of a
	// group too small to be worth a batch.
	Singles uint64
	// Batches counts atomic batches attempted; BatchedAppends their messages.
	Batches        uint64
	BatchedAppends uint64
	// Fallbacks counts batches the server refused whole (a lost race or a
	// repeated idempotency key in one member) whose members were then
	// published alone; Unknown counts batches whose outcome was unknown (a
	// timeout or a lost connection), whose callers got KindUnavailable.
	Fallbacks uint64
	Unknown   uint64
	// BatchSize observes the messages of each batch; BatchSeconds how long
	// each batch publish took, from the first message out to the ack.
	BatchSize    Histogram
	BatchSeconds Histogram
	// BreakEven is the smallest group now sent as a batch: a batch costs
	// about as much time as this many single appends (learnt as it runs).
	// It follows from the learnt costs: a single append takes the server
	// SingleSeconds; a batch of k, BatchFixedSeconds + k·BatchPerMessageSeconds.
	BreakEven                                                int
	SingleSeconds, BatchFixedSeconds, BatchPerMessageSeconds float64
}

// Histogram is a cumulative histogram in the form Prometheus expects.
type Histogram struct {
	Count   uint64
	Sum     float64
	Buckets map[float64]uint64 // upper bound → observations at or below it
}

// GroupCommitStats returns a snapshot of the group commit's counters.
func (s *Store) GroupCommitStats() GroupCommitStats {
	if s.gc == nil {
		return GroupCommitStats{}
	}
	st := s.gc.stats.snapshot()
	s.gc.mu.Lock()
	st.BreakEven = s.gc.breakEven()
	st.SingleSeconds = s.gc.cost.single
	st.BatchFixedSeconds, st.BatchPerMessageSeconds = s.gc.cost.line()
	s.gc.mu.Unlock()
	return st
}

var (
	batchSizeBounds    = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000}
	batchSecondsBounds = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5}
)

type commitStats struct {
	singles   atomic.Uint64
	fallbacks atomic.Uint64

	mu           sync.Mutex
	batches      uint64
	appends      uint64
	unknown      uint64
	size, second histogram
}

type histogram struct {
	bounds []float64
	counts []uint64 // counts[i]: observations in (bounds[i-1], bounds[i]]; one more for +Inf
	sum    float64
}

func newCommitStats() commitStats {
	return commitStats{
		size:   histogram{bounds: batchSizeBounds, counts: make([]uint64, len(batchSizeBounds)+1)},
		second: histogram{bounds: batchSecondsBounds, counts: make([]uint64, len(batchSecondsBounds)+1)},
	}
}

// observe records one batch publish and whether its outcome was unknown.
func (cs *commitStats) observe(n int, took time.Duration, err error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.batches++
	cs.appends += uint64(n)
	if err != nil && !refusedWhole(err) {
		cs.unknown++
	}
	cs.size.observe(float64(n))
	cs.second.observe(took.Seconds())
}

func (h *histogram) observe(v float64) {
	i, _ := slices.BinarySearch(h.bounds, v)
	h.counts[i]++
	h.sum += v
}

func (h *histogram) snapshot() Histogram {
	out := Histogram{Sum: h.sum, Buckets: make(map[float64]uint64, len(h.bounds))}
	for i, b := range h.bounds {
		out.Count += h.counts[i]
		out.Buckets[b] = out.Count
	}
	out.Count += h.counts[len(h.bounds)]
	return out
}

func (cs *commitStats) snapshot() GroupCommitStats {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return GroupCommitStats{
		Enabled: true, Singles: cs.singles.Load(), Fallbacks: cs.fallbacks.Load(),
		Batches: cs.batches, BatchedAppends: cs.appends, Unknown: cs.unknown,
		BatchSize: cs.size.snapshot(), BatchSeconds: cs.second.snapshot(),
	}
}
