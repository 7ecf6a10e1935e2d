package notify

import "github.com/prometheus/client_golang/prometheus"

// metrics count deliveries by outcome and channel.
type metrics struct {
	deliveries *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "coachjournal_nudge_deliveries_total",
		Help: "Nudge deliveries by outcome (scheduled: due and enqueued by this replica; sent; dropped: resolved before their turn; failed: an attempt; parked: the last attempt failed) and channel.",
	}, []string{"outcome", "channel"})}
	if reg != nil {
		reg.MustRegister(m.deliveries)
	}
	return m
}

func (m *metrics) count(outcome, channel string) {
	m.deliveries.WithLabelValues(outcome, channel).Inc()
}
