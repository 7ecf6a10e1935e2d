package notify

import "github.com/prometheus/client_golang/prometheus"

// metrics count deliveries by outcome and channel, and the nudges due at
// the last round.
type metrics struct {
	deliveries *prometheus.CounterVec
	due        *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "coachjournal_nudge_deliveries_total",
		Help: "Nudge deliveries by outcome (scheduled: due and enqueued by this replica; sent; dropped: resolved before their turn; failed: an attempt; parked: the last attempt failed) and channel.",
	}, []string{"outcome", "channel"}),
		due: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "coachjournal_nudges_due",
			Help: "Nudges due at the last scheduling round, by channel: those the channel can reach and the person left on, whether enqueued now or before.",
		}, []string{"channel"})}
	if reg != nil {
		reg.MustRegister(m.deliveries, m.due)
	}
	return m
}

func (m *metrics) count(outcome, channel string) {
	m.deliveries.WithLabelValues(outcome, channel).Inc()
}
