package eventstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/nats-io/nats.go/jetstream"
)

// BenchmarkFollowVsRaw reads the same stored events in alternating rounds,
// once with a bare ordered consumer and once through Follow (decode, decrypt,
// in-order delivery), and reports the medians of both rates and their ratio:
// on a shared machine only a ratio measured in one run means something.
// Each iteration is one round of each; run it with -benchtime=5x or more.
func BenchmarkFollowVsRaw(b *testing.B) {
	const n = 200_000
	s, st, last := fillCopies(b, n)

	var rawRates, followRates []float64
	for b.Loop() {
		rawRates = append(rawRates, readRaw(b, st, last))
		followRates = append(followRates, readFollow(b, s, last))
	}
	median := func(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }
	r, f := median(rawRates), median(followRates)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(r, "raw-events/s")
	b.ReportMetric(f, "follow-events/s")
	b.ReportMetric(f/r, "ratio")
}

// readRaw reads every message up to last with an ordered consumer and
// returns the rate.
func readRaw(b *testing.B, st jetstream.Stream, last uint64) float64 {
	ctx := context.Background()
	start := time.Now()
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	n := 0
	cc, err := cons.Consume(func(m jetstream.Msg) {
		n++
		if md, _ := m.Metadata(); md != nil && md.Sequence.Stream == last {
			close(done)
		}
	}, jetstream.PullMaxMessages(4096))
	if err != nil {
		b.Fatal(err)
	}
	<-done
	cc.Stop()
	return float64(n) / time.Since(start).Seconds()
}

// readFollow does the same through Follow.
func readFollow(b *testing.B, s *eventstore.Store, last uint64) float64 {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	start := time.Now()
	err := s.Follow(ctx, 0, func(seq uint64, _ domain.Event, err error) {
		if err != nil {
			b.Error(err)
		}
		n++
		if seq == last {
			cancel()
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	return float64(n) / time.Since(start).Seconds()
}
