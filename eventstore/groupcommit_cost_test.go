package eventstore

import (
	"testing"
	"time"
)

func TestCostModel(t *testing.T) {
	// feed observes singles every s while the server stays busy, and
	// batches of the given sizes costing fixed + per·k.
	feed := func(s, fixed, per time.Duration, sizes ...int) *costModel {
		m := newCostModel()
		now := time.Unix(0, 0)
		for range 200 { // each sent before the previous one completed
			m.singleDone(now.Add(-s/2), now.Add(s))
			now = now.Add(s)
		}
		for range 20 {
			for _, k := range sizes {
				now = now.Add(fixed + per*time.Duration(k))
				m.batchDone(k, fixed+per*time.Duration(k), now)
			}
		}
		return &m
	}
	for _, tc := range []struct {
		name          string
		s, fixed, per time.Duration
		sizes         []int
		want          int
	}{
		{"quiet disk, varied batches", 260 * time.Microsecond, 4 * time.Millisecond, 40 * time.Microsecond, []int{16, 64, 200}, 19},
		{"one batch size: c taken as s/6", 240 * time.Microsecond, 4 * time.Millisecond, 40 * time.Microsecond, []int{50}, 20},
		{"cheap batches (memory staging, R3)", 2 * time.Millisecond, 500 * time.Microsecond, 10 * time.Microsecond, []int{4, 32, 128}, 2},
		{"batches dearer per message than singles", 100 * time.Microsecond, 4 * time.Millisecond, 200 * time.Microsecond, []int{10, 100}, maxBreakEven},
		{"very slow batches", 100 * time.Microsecond, 50 * time.Millisecond, 10 * time.Microsecond, []int{10, 100}, maxBreakEven},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := feed(tc.s, tc.fixed, tc.per, tc.sizes...)
			if got := m.breakEven(); got != tc.want {
				f, c := m.line()
				t.Errorf("breakEven = %d, want %d (s %.0f µs, F %.0f µs, c %.1f µs)", got, tc.want, m.single*1e6, f*1e6, c*1e6)
			}
		})
	}

	t.Run("only back-to-back singles teach the single cost", func(t *testing.T) {
		m := newCostModel()
		now := time.Unix(0, 0)
		for range 100 { // lone requests, far apart
			m.singleDone(now.Add(40*time.Millisecond), now.Add(41*time.Millisecond))
			now = now.Add(50 * time.Millisecond)
		}
		// a single sent before the last completion, but a batch came between
		m.singleDone(now.Add(-time.Millisecond), now)
		m.batchDone(10, 5*time.Millisecond, now.Add(5*time.Millisecond))
		m.singleDone(now.Add(-time.Millisecond), now.Add(6*time.Millisecond))
		if m.single != defaultSingle {
			t.Errorf("single = %v, want the default %v", m.single, defaultSingle)
		}
	})
}
