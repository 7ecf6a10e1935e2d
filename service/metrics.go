package service

import (
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/prometheus/client_golang/prometheus"
)

// groupCommitCollector exports the store's group-commit statistics to
// Prometheus: register it on the registry given to api.Config.Registry.
type groupCommitCollector struct {
	stats                                                     func() eventstore.GroupCommitStats
	singles, batches, appends, fallbacks, unknown, size, secs *prometheus.Desc
	breakEven, single, fixed, perMessage                      *prometheus.Desc
}

func newGroupCommitCollector(stats func() eventstore.GroupCommitStats) *groupCommitCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("coachjournal_group_commit_"+name, help, nil, nil)
	}
	return &groupCommitCollector{
		stats:      stats,
		singles:    d("singles_total", "Appends published alone: a lone request, or one of a group too small for a batch."),
		batches:    d("batches_total", "Atomic batches published."),
		appends:    d("batched_appends_total", "Appends published in atomic batches."),
		fallbacks:  d("fallbacks_total", "Batches refused whole whose members were published alone."),
		unknown:    d("unknown_total", "Batches whose outcome was unknown (timeouts); their callers got 503."),
		size:       d("batch_size", "Messages per atomic batch."),
		secs:       d("batch_seconds", "Time to publish an atomic batch, to its ack."),
		breakEven:  d("break_even", "The smallest group now sent as an atomic batch (learnt)."),
		single:     d("single_cost_seconds", "Learnt server time of one single append."),
		fixed:      d("batch_fixed_cost_seconds", "Learnt fixed server time of an atomic batch."),
		perMessage: d("batch_message_cost_seconds", "Learnt server time per message of an atomic batch."),
	}
}

func (c *groupCommitCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.singles, c.batches, c.appends, c.fallbacks, c.unknown, c.size, c.secs,
		c.breakEven, c.single, c.fixed, c.perMessage} {
		ch <- d
	}
}

func (c *groupCommitCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	for d, v := range map[*prometheus.Desc]uint64{c.singles: st.Singles, c.batches: st.Batches, c.appends: st.BatchedAppends,
		c.fallbacks: st.Fallbacks, c.unknown: st.Unknown} {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	ch <- prometheus.MustNewConstHistogram(c.size, st.BatchSize.Count, st.BatchSize.Sum, st.BatchSize.Buckets)
	ch <- prometheus.MustNewConstHistogram(c.secs, st.BatchSeconds.Count, st.BatchSeconds.Sum, st.BatchSeconds.Buckets)
	for d, v := range map[*prometheus.Desc]float64{c.breakEven: float64(st.BreakEven), c.single: st.SingleSeconds,
		c.fixed: st.BatchFixedSeconds, c.perMessage: st.BatchPerMessageSeconds} {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
}
