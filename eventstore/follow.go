package eventstore

import (
	"context"
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
// While the consumer cannot be created (NATS away, a slow server), Follow
// keeps trying: a follower that gave up would freeze the projections.
// Errors: KindUnavailable when consuming cannot start.
func (s *Store) Follow(ctx context.Context, after uint64, h func(seq uint64, e domain.Event, err error)) error {
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	if after > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, after+1
	}
	cons, err := s.stream.OrderedConsumer(ctx, cfg)
	for err != nil {
		s.log.Warn("follow: cannot create the consumer yet; retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(500 * time.Millisecond):
		}
		cons, err = s.stream.OrderedConsumer(ctx, cfg)
	}
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
	}, jetstream.PullMaxMessages(4096), jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		s.log.Debug("follow", "err", err)
	}))
	if err != nil {
		p.stop()
		return s.unavailable("follow", err)
	}
	<-ctx.Done()
	cc.Stop()
	<-cc.Closed()
	p.stop()
	return nil
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
