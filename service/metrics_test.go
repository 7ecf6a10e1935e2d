package service

import (
	"testing"

	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/prometheus/client_golang/prometheus"
)

func TestGroupCommitCollector(t *testing.T) {
	st := eventstore.GroupCommitStats{Enabled: true, Singles: 3, Batches: 2, BatchedAppends: 40, Fallbacks: 1,
		BatchSize:    eventstore.Histogram{Count: 2, Sum: 40, Buckets: map[float64]uint64{16: 1, 32: 2}},
		BatchSeconds: eventstore.Histogram{Count: 2, Sum: 0.004, Buckets: map[float64]uint64{0.005: 2}},
		BreakEven:    17, SingleSeconds: 0.00026, BatchFixedSeconds: 0.004, BatchPerMessageSeconds: 0.00004}
	reg := prometheus.NewRegistry()
	reg.MustRegister(newGroupCommitCollector(func() eventstore.GroupCommitStats { return st }))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		m := f.GetMetric()[0]
		switch {
		case m.GetCounter() != nil:
			got[f.GetName()] = m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			got[f.GetName()] = m.GetGauge().GetValue()
		case m.GetHistogram() != nil:
			got[f.GetName()] = float64(m.GetHistogram().GetSampleCount())
		}
	}
	want := map[string]float64{
		"coachjournal_group_commit_singles_total": 3, "coachjournal_group_commit_batches_total": 2,
		"coachjournal_group_commit_batched_appends_total": 40, "coachjournal_group_commit_fallbacks_total": 1,
		"coachjournal_group_commit_unknown_total": 0, "coachjournal_group_commit_batch_size": 2,
		"coachjournal_group_commit_batch_seconds": 2,
		"coachjournal_group_commit_break_even":    17, "coachjournal_group_commit_single_cost_seconds": 0.00026,
		"coachjournal_group_commit_batch_fixed_cost_seconds": 0.004, "coachjournal_group_commit_batch_message_cost_seconds": 0.00004,
	}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("%s = %v, want %v", name, got[name], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("metrics = %v", got)
	}
}
