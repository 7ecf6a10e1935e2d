package eventstore

import (
	"math"
	"time"
)

// costModel learns what the server charges for a single append (s) and for
// an atomic batch of k (F + c·k), and from that the break-even group size
// F / (s − c) from which a batch stores more per second than singles.
//
// s is the time between two completions of singles, the second of which was
// already in flight at the first (so the server, which stores in arrival
// order, went straight from one to the other): the service time, not the
// round trip. F and c come from a least-squares line through the
// recent batches (size, time); batches are sent only when nothing else is in
// flight, so their time is their cost. With too little spread in the sizes
// seen, c is taken as a sixth of s (what a quiet disk shows) and F as the
// rest. All averages forget at 1/16 per
// observation, so the model follows a disk that slows down or recovers.
// The caller holds the committer's lock.
type costModel struct {
	single    float64   // s, in seconds
	lastDone  time.Time // the last single's completion
	lastBatch time.Time // the last batch's completion
	// Decayed sums for the batch regression: weight, Σk, Σt, Σk², Σk·t.
	n, sk, st, skk, skt float64
}

const (
	costForget = 1.0 / 16
	// Before anything is learnt: a quiet disk's figures, as measured by
	// TestAtomicBatchFacts (docs/performance.md).
	defaultSingle = 260e-6
	defaultFixed  = 4e-3
	minBreakEven  = 2
	maxBreakEven  = 64
)

func newCostModel() costModel { return costModel{single: defaultSingle} }

// singleDone records the completion at now of a single sent at start.
func (m *costModel) singleDone(start, now time.Time) {
	if m.lastDone.After(start) && m.lastDone.After(m.lastBatch) {
		if gap := now.Sub(m.lastDone).Seconds(); gap > 0 && gap < 1 {
			m.single += (gap - m.single) * costForget
		}
	}
	m.lastDone = now
}

// batchDone records a batch of k that took d.
func (m *costModel) batchDone(k int, d time.Duration, now time.Time) {
	m.lastBatch = now
	x, y := float64(k), d.Seconds()
	keep := 1 - costForget
	m.n, m.sk, m.st, m.skk, m.skt = m.n*keep+1, m.sk*keep+x, m.st*keep+y, m.skk*keep+x*x, m.skt*keep+x*y
}

// line returns the batch cost's fixed part F and per-message part c.
func (m *costModel) line() (fixed, per float64) {
	if m.n == 0 {
		return defaultFixed, m.single / 6
	}
	meanK, meanT := m.sk/m.n, m.st/m.n
	varK := m.skk/m.n - meanK*meanK
	per = m.single / 6
	if varK > 4 { // sizes spread enough to fit a slope
		per = math.Max((m.skt/m.n-meanK*meanT)/varK, 0)
	}
	return math.Max(meanT-per*meanK, 0), per
}

// breakEven returns the smallest group worth a batch.
func (m *costModel) breakEven() int {
	fixed, per := m.line()
	saved := m.single - per // what each message of a batch saves
	if saved <= 0 {
		return maxBreakEven
	}
	return int(min(max(math.Ceil(fixed/saved), minBreakEven), maxBreakEven))
}
