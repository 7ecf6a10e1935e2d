package eventstore_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
)

// BenchmarkFollow measures the rebuild path: b.N stored events (copies of a
// real encrypted commitment.made) delivered decoded and decrypted.
func BenchmarkFollow(b *testing.B) {
	s := mustOpen(b, eventstore.Config{DataDir: b.TempDir(), NoSync: true})
	ctx := context.Background()
	id := register(b, s, "Nia", "nia@example.com")
	w := makeCommitmentW(b, s, id, "book 15 first meetings by Friday and log them")
	st, _ := s.JetStream().Stream(ctx, "JOURNAL")
	raw, err := st.GetMsg(ctx, w.Event.Sequence)
	if err != nil {
		b.Fatal(err)
	}
	subj := domain.Subject(id, domain.TypeCommitmentMade)
	for i := 0; i < b.N; i++ {
		if _, err := s.JetStream().PublishAsync(subj, raw.Data); err != nil {
			b.Fatal(err)
		}
		if i%1000 == 999 {
			<-s.JetStream().PublishAsyncComplete()
		}
	}
	<-s.JetStream().PublishAsyncComplete()
	last, _ := s.LastSequence(ctx)
	time.Sleep(time.Second) // let the server finish writing

	b.ResetTimer()
	var n atomic.Uint64
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		_ = s.Follow(ctx, 0, func(seq uint64, e domain.Event, err error) {
			if err != nil {
				b.Error(err)
			}
			if seq == last {
				cancel()
			}
			n.Add(1)
		})
	}()
	<-done
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "events/s")
}
