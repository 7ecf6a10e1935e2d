package eventstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/nats-io/nats-server/v2/server"
)

// syncBuffer is a log sink that tests can read while the store writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

// journalConsumers is how many consumers the server holds on the stream.
func journalConsumers(t *testing.T, s *eventstore.Store) int {
	t.Helper()
	st, err := s.JetStream().Stream(ctxT(t), eventstore.DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Consumers
}

// limitConsumers sets the account's consumer limit per stream (0: none).
func limitConsumers(t *testing.T, s *eventstore.Store, n int) {
	t.Helper()
	lim := server.JetStreamAccountLimits{MaxMemory: -1, MaxStore: -1, MaxStreams: -1, MaxConsumers: n, MaxAckPending: -1}
	if n == 0 {
		lim.MaxConsumers = -1
	}
	if err := s.Server().GlobalAccount().UpdateJetStreamLimits(map[string]server.JetStreamAccountLimits{"": lim}); err != nil {
		t.Fatal(err)
	}
}

// TestTailRefusedOnce: on a server whose consumer limit is reached, Tail
// answers KindUnavailable at once with one warning, where Follow would
// retry for as long as the limit holds (a live tail per client retrying
// every 500 ms was tens of thousands of warnings a minute).
func TestTailRefusedOnce(t *testing.T) {
	logs := &syncBuffer{}
	s := mustOpen(t, eventstore.Config{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(logs, nil))})
	a := register(t, s, "Ana", "ana@example.com")
	limitConsumers(t, s, max(1, journalConsumers(t, s)))
	if journalConsumers(t, s) == 0 { // take the one slot, so that none is left
		f := startFollow(t, s.Follow, 0)
		f.waitFor(t, 1)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wait, err := s.Tail(ctx, 0, func(uint64, domain.Event, error) {})
	wantKind(t, err, domain.KindUnavailable)
	if wait != nil {
		t.Error("a refused Tail returned a wait")
	}
	if n := logs.count("level=WARN"); n != 1 {
		t.Errorf("a refused Tail logged %d warnings, want 1:\n%s", n, logs.buf.String())
	}

	limitConsumers(t, s, 0) // once the server has room, a new Tail works
	got := make(chan uint64, 1)
	wait, err = s.Tail(ctx, 0, func(seq uint64, _ domain.Event, _ error) {
		select {
		case got <- seq:
		default:
		}
	})
	if err != nil {
		t.Fatalf("Tail with room: %v", err)
	}
	if seq := <-got; seq != 1 {
		t.Errorf("Tail delivered %d first, want 1 (%s's registration)", seq, a)
	}
	cancel()
	if err := wait(); err != nil {
		t.Errorf("wait = %v", err)
	}
}

// TestTailDropsItsConsumer: a tail that ends deletes its consumer on the
// server; left to the inactivity threshold (5 minutes), a client opening
// and closing streams in a loop would pile them up while holding few.
func TestTailDropsItsConsumer(t *testing.T) {
	s := mustOpenTemp(t)
	register(t, s, "Bo", "bo@example.com")
	before := journalConsumers(t, s)
	for i := range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		wait, err := s.Tail(ctx, 0, func(uint64, domain.Event, error) {})
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		if n := journalConsumers(t, s); n != before+1 {
			t.Errorf("tail %d open: %d consumers, want %d", i, n, before+1)
		}
		cancel()
		if err := wait(); err != nil {
			t.Errorf("wait = %v", err)
		}
	}
	if n := journalConsumers(t, s); n != before {
		t.Errorf("after three tails ended: %d consumers, want %d", n, before)
	}
}
