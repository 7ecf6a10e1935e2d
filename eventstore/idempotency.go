package eventstore

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// hdrRequestHash carries the hash of the request that first used an
// idempotency key, so that a reuse with another request is recognised.
const hdrRequestHash = "Coachjournal-Request-Hash"

// idemIndex maps the message ids (idempotency keys) of the dedup window to
// the sequence they were stored at. The server deduplicates too, but it
// checks the expected last subject sequence first, and a repeated command
// may no longer be decidable (a commitment resolves once): the index lets
// Execute answer a repeat as the first time before deciding anything.
type idemIndex struct {
	window time.Duration
	ready  chan struct{} // closed once the window's messages are indexed

	mu        sync.Mutex
	ids       map[string]idemEntry
	lastPrune time.Time
}

type idemEntry struct {
	seq uint64
	at  time.Time
}

func newIdemIndex(window time.Duration) *idemIndex {
	return &idemIndex{window: window, ready: make(chan struct{}), ids: map[string]idemEntry{}, lastPrune: time.Now()}
}

// record notes that msgID was stored at seq at time at; an empty id is ignored.
func (x *idemIndex) record(msgID string, seq uint64, at time.Time) {
	if msgID == "" {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if old, ok := x.ids[msgID]; !ok || old.seq > seq { // the first use wins, as on the server
		x.ids[msgID] = idemEntry{seq: seq, at: at}
	}
	if now := time.Now(); now.Sub(x.lastPrune) > x.window/24 {
		x.lastPrune = now
		for id, e := range x.ids {
			if now.Sub(e.at) > x.window {
				delete(x.ids, id)
			}
		}
	}
}

// lookup returns the sequence a message id was stored at within the window.
// It waits (until ctx ends) for the index to have read the window at start:
// only idempotent writes wait, and only right after a start.
func (x *idemIndex) lookup(ctx context.Context, msgID string) (uint64, bool, error) {
	if msgID == "" {
		return 0, false, nil
	}
	select {
	case <-x.ready:
	case <-ctx.Done():
		return 0, false, ctx.Err()
	}
	seq, ok := x.find(msgID)
	return seq, ok, nil
}

func (x *idemIndex) find(msgID string) (uint64, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.ids[msgID]
	if !ok || time.Since(e.at) > x.window {
		return 0, false
	}
	return e.seq, true
}

// follow fills the index from the window's messages in the background,
// closes ready once it has caught up with the stream, and keeps it fresh
// (keys used by other processes) until bg is done. Reading a whole window
// of headers takes seconds at a million events; a start need not wait for it.
func (x *idemIndex) follow(ctx, bg context.Context, st jetstream.Stream, log *slog.Logger, wg *sync.WaitGroup) error {
	start := time.Now().Add(-x.window)
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartTimePolicy, OptStartTime: &start, HeadersOnly: true,
	})
	if err != nil {
		return fmt.Errorf("eventstore: idempotency index: %w", err)
	}
	wg.Go(func() {
		err := tail(bg, bg, cons, "idempotency index", log, wg, func(m jetstream.Msg, meta *jetstream.MsgMetadata) {
			x.record(m.Headers().Get(jetstream.MsgIDHeader), meta.Sequence.Stream, meta.Timestamp)
		})
		if err != nil {
			log.Warn("idempotency index not built", "err", err)
			return
		}
		close(x.ready)
	})
	return nil
}
