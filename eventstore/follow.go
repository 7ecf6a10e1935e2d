package eventstore

import (
	"context"
	"errors"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"
)

// Follow calls h for every event stored after sequence after, in stream
// order, then for each new one as it is stored, until ctx is done; it then
// returns nil. Each event carries its Sequence and its text in clear
// (domain.Erased once the key is gone). A message that cannot be decoded
// (forged bytes, unknown type, stored on the wrong subject) is passed to h
// as an error, and Follow goes on. h runs on one goroutine at a time.
// While the consumer cannot be created (NATS away, a slow server, the
// server's consumer limit reached), Follow keeps trying, backing off from
// 500 ms to 10 s: a follower that gave up would freeze the projections.
// Readers that can be told no (a client's live tail) use Tail instead.
// Errors: KindUnavailable when consuming cannot start.
func (s *Store) Follow(ctx context.Context, after uint64, h func(seq uint64, e domain.Event, err error)) error {
	cons, err := s.stream.OrderedConsumer(ctx, followConfig(after))
	for wait := followRetry; err != nil; wait = min(2*wait, maxFollowRetry) {
		s.log.Warn("follow: cannot create the consumer yet; retrying", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		cons, err = s.stream.OrderedConsumer(ctx, followConfig(after))
	}
	wait, err := s.consume(ctx, cons, h)
	if err != nil {
		return err
	}
	return wait()
}

// A follower's consumer lives on one server. When that server dies while
// this client stays connected to another, nothing but missing idle
// heartbeats tells the client; nats.go then recreates the consumer on a
// live server after two missed heartbeats. Its default for an ordered
// consumer is a heartbeat every 5 s (a 10 s stall of the projections, and
// of every write waiting for them, after a cluster node dies); a heartbeat
// every second stalls them for about 2 s, for one idle pull request every
// few seconds per follower. TestClusterFollowerFailover measures it.
const (
	followHeartbeat = time.Second
	followExpiry    = 4 * time.Second
)

// The back-off of Follow while its consumer cannot be created.
const (
	followRetry    = 500 * time.Millisecond
	maxFollowRetry = 10 * time.Second
)

// Tail is Follow for a reader that can be told no, such as a client's live
// tail: it asks for its consumer once, and when the server refuses (its
// consumer limit reached, NATS away) it returns KindUnavailable at once,
// with one warning in the log, instead of retrying. Otherwise it returns
// with h already consuming; wait blocks until ctx is done and returns nil.
// Errors: KindUnavailable.
func (s *Store) Tail(ctx context.Context, after uint64, h func(seq uint64, e domain.Event, err error)) (wait func() error, err error) {
	cons, err := s.stream.OrderedConsumer(ctx, followConfig(after))
	if err != nil {
		return nil, s.unavailable("tail: no consumer", err)
	}
	return s.consume(ctx, cons, h)
}

// followConfig is the ordered consumer of a follower that starts after after.
func followConfig(after uint64) jetstream.OrderedConsumerConfig {
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	if after > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, after+1
	}
	return cfg
}

// consume starts delivering cons's messages to h through the decoding
// pipeline; wait stops it once ctx is done.
func (s *Store) consume(ctx context.Context, cons jetstream.Consumer, h func(uint64, domain.Event, error)) (wait func() error, err error) {
	p := s.startPipeline(ctx, h)
	var cur *followBatch
	cc, err := cons.Consume(func(m jetstream.Msg) {
		meta, err := m.Metadata()
		if err != nil {
			return // not a stream message
		}
		if cur == nil {
			// Sized by what is pending: a live follower's batch holds one
			// message, and a 256-slot batch per write was 12 KiB of garbage.
			n := min(uint64(followBatchSize), meta.NumPending+1)
			cur = &followBatch{msgs: make([]followMsg, 0, n), done: make(chan struct{})}
		}
		cur.msgs = append(cur.msgs, followMsg{seq: meta.Sequence.Stream, subject: m.Subject(), data: m.Data()})
		if len(cur.msgs) == followBatchSize || meta.NumPending == 0 {
			p.submit(ctx, cur)
			cur = nil
		}
	}, jetstream.PullMaxMessages(4096), jetstream.PullExpiry(followExpiry), jetstream.PullHeartbeat(followHeartbeat), jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		s.log.Debug("follow", "err", err)
	}))
	if err != nil {
		p.stop()
		return nil, s.unavailable("follow", err)
	}
	return func() error {
		<-ctx.Done()
		cc.Stop()
		<-cc.Closed()
		p.stop()
		s.dropConsumer(cons)
		return nil
	}, nil
}

// dropConsumer deletes a follower's consumer on the server once it is done
// with it. A stopped ordered consumer is otherwise left on the server
// until its inactivity threshold (5 minutes), so a client that opened and
// closed live tails in a loop would pile up consumers while holding only a
// few streams at a time.
func (s *Store) dropConsumer(cons jetstream.Consumer) {
	if !s.Connected() {
		return // the server forgets it by itself; do not hold up a shutdown
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	info := cons.CachedInfo()
	if info == nil {
		return
	}
	name := info.Name
	if err := s.stream.DeleteConsumer(ctx, name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		s.log.Debug("follow: deleting the consumer", "consumer", name, "err", err)
	}
}

// openPatiently decrypts e, waiting out a key store that cannot be reached
// rather than passing on text it could not read. Only the first key lookup
// can fail, before any field changes, so a retry starts clean. It reports
// false when ctx ended first.
func (s *Store) openPatiently(ctx context.Context, d *decrypter, e *domain.Event) bool {
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		err := d.open(ctx, e)
		if err == nil {
			return true
		}
		s.log.Warn("key store unavailable while following", "err", err)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
	}
}

// Verify recomputes the hash chains from the stored messages, in stream
// order: every journal's, or only personID's. Errors: KindUnavailable.
func (s *Store) Verify(ctx context.Context, personID *uuid.UUID) (domain.ChainReport, error) {
	c := domain.NewChainCheck()
	filter := ""
	if personID != nil {
		filter = domain.JournalSubjects(*personID)
	}
	err := s.scan(ctx, filter, 0, func(m *jetstream.RawStreamMsg) { c.Add(m.Sequence, m.Subject, m.Data) })
	if err != nil {
		return domain.ChainReport{}, s.unavailable("verify", err)
	}
	return c.Report(), nil
}
