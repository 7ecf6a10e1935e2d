package eventstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/nats-io/nats.go/jetstream"
)

func BenchmarkRawOrdered(b *testing.B) {
	s := mustOpen(b, eventstore.Config{DataDir: b.TempDir(), NoSync: true})
	ctx := context.Background()
	id := register(b, s, "Nia", "nia@example.com")
	w := makeCommitmentW(b, s, id, "book 15 first meetings by Friday and log them")
	st, _ := s.JetStream().Stream(ctx, "JOURNAL")
	raw, _ := st.GetMsg(ctx, w.Event.Sequence)
	subj := domain.Subject(id, domain.TypeCommitmentMade)
	for i := 0; i < b.N; i++ {
		s.JetStream().PublishAsync(subj, raw.Data)
		if i%1000 == 999 {
			<-s.JetStream().PublishAsyncComplete()
		}
	}
	<-s.JetStream().PublishAsyncComplete()
	last, _ := s.LastSequence(ctx)
	time.Sleep(time.Second)
	b.ResetTimer()
	start := time.Now()
	cons, _ := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	done := make(chan struct{})
	n := 0
	cc, _ := cons.Consume(func(m jetstream.Msg) {
		n++
		md, _ := m.Metadata()
		if md.Sequence.Stream == last {
			close(done)
		}
	}, jetstream.PullMaxMessages(4096))
	<-done
	cc.Stop()
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
}
