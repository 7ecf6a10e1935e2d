package eventstore_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// BenchmarkAppendLone splits a lone writer's latency at the default
// durability (fsync on every write): the raw publish (to the journal
// stream and to a stream of its own), the same publish
// conditional on the journal's last sequence, Execute (decide, seal,
// conditional append), and Execute plus the wait for a follower to have
// applied the event, as a write over HTTP waits for the projections.
// Compare the sub-benchmarks of one run with each other.
func BenchmarkAppendLone(b *testing.B) {
	ctx := context.Background()
	s := mustOpen(b, eventstore.Config{DataDir: b.TempDir()})
	id := register(b, s, "Ola", "ola@example.com")
	js := s.JetStream()
	payload := make([]byte, 600)
	cmd := domain.MakeCommitment{Text: "book 15 first meetings by Friday", DueOn: clock.Now().AddDate(0, 0, 7).Format("2006-01-02")}
	b.Run("raw_publish", func(b *testing.B) {
		for b.Loop() {
			if _, err := js.Publish(ctx, "journal.bench.raw", payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw_publish_other_stream", func(b *testing.B) {
		if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "RAWB", Subjects: []string{"rawb.>"}, Storage: jetstream.FileStorage}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := js.Publish(ctx, "rawb.x", payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw_conditional", func(b *testing.B) {
		var last uint64
		subj := "journal.bench-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		for b.Loop() {
			m := nats.NewMsg(subj + ".e")
			m.Data = payload
			m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(last, 10))
			m.Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, subj+".>")
			ack, err := js.PublishMsg(ctx, m)
			if err != nil {
				b.Fatal(err)
			}
			last = ack.Sequence
		}
	})
	b.Run("execute", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Execute(ctx, domain.Write{PersonID: id, Command: cmd, Meta: meta()}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("execute_followed", func(b *testing.B) {
		last, err := s.LastSequence(ctx)
		if err != nil {
			b.Fatal(err)
		}
		var mu sync.Mutex
		cond := sync.NewCond(&mu)
		applied := uint64(0)
		fctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = s.Follow(fctx, last, func(seq uint64, _ domain.Event, _ error) {
				mu.Lock()
				applied = seq
				cond.Broadcast()
				mu.Unlock()
			})
		}()
		for b.Loop() {
			w, err := s.Execute(ctx, domain.Write{PersonID: id, Command: cmd, Meta: meta()})
			if err != nil {
				b.Fatal(err)
			}
			mu.Lock()
			for applied < w.Event.Sequence {
				cond.Wait()
			}
			mu.Unlock()
		}
		cancel()
		<-done
	})
}
