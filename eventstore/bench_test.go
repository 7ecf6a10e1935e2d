package eventstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/nats-io/nats.go/jetstream"
)

// fillCopies opens a store holding n+2 stored events: a registration, one
// real encrypted commitment.made, and n copies of that commitment's bytes.
// It returns the store, its stream and the last sequence.
func fillCopies(b *testing.B, n int) (*eventstore.Store, jetstream.Stream, uint64) {
	b.Helper()
	s := mustOpen(b, eventstore.Config{DataDir: b.TempDir(), NoSync: true})
	ctx := context.Background()
	id := register(b, s, "Nia", "nia@example.com")
	w := makeCommitmentW(b, s, id, "book 15 first meetings by Friday and log them")
	st, err := s.JetStream().Stream(ctx, "JOURNAL")
	if err != nil {
		b.Fatal(err)
	}
	raw, err := st.GetMsg(ctx, w.Event.Sequence)
	if err != nil {
		b.Fatal(err)
	}
	subj := eventstore.Subject(id, domain.TypeCommitmentMade)
	for i := range n {
		if _, err := s.JetStream().PublishAsync(subj, raw.Data); err != nil {
			b.Fatal(err)
		}
		if i%1000 == 999 {
			<-s.JetStream().PublishAsyncComplete()
		}
	}
	<-s.JetStream().PublishAsyncComplete()
	last, err := s.LastSequence(ctx)
	if err != nil {
		b.Fatal(err)
	}
	time.Sleep(time.Second) // let the server finish writing
	return s, st, last
}

// BenchmarkFollow measures the rebuild path: b.N stored events (copies of a
// real encrypted commitment.made) delivered decoded and decrypted.
func BenchmarkFollow(b *testing.B) {
	s, _, last := fillCopies(b, b.N)
	b.ResetTimer()
	b.ReportMetric(readFollow(b, s, last), "events/s")
}

// BenchmarkRawOrdered reads the same data with a bare ordered consumer: the
// raw engine's rate, the baseline of BenchmarkFollow.
func BenchmarkRawOrdered(b *testing.B) {
	_, st, last := fillCopies(b, b.N)
	b.ResetTimer()
	b.ReportMetric(readRaw(b, st, last), "events/s")
}
