package eventstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
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
	f := s.newFollower(ctx, after, h)
	cons, err := s.followConsumer(ctx, after+1)
	for wait := followRetry; err != nil; wait = min(2*wait, maxFollowRetry) {
		s.log.Warn("follow: cannot create the consumer yet; retrying", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			f.p.stop()
			return nil
		case <-time.After(wait):
		}
		cons, err = s.followConsumer(ctx, after+1)
	}
	if err := f.start(cons); err != nil {
		f.p.stop()
		return s.unavailable("follow", err)
	}
	f.run()
	return nil
}

// Tail is Follow for a reader that can be told no, such as a client's live
// tail: it asks for its consumer once, and when the server refuses (its
// consumer limit reached, NATS away) it returns KindUnavailable at once,
// with one warning in the log, instead of retrying. Otherwise it returns
// with h already consuming; wait blocks until ctx is done and returns nil.
// Errors: KindUnavailable.
func (s *Store) Tail(ctx context.Context, after uint64, h func(seq uint64, e domain.Event, err error)) (wait func() error, err error) {
	cons, err := s.followConsumer(ctx, after+1)
	if err != nil {
		return nil, s.unavailable("tail: no consumer", err)
	}
	f := s.newFollower(ctx, after, h)
	if err := f.start(cons); err != nil {
		f.p.stop()
		s.dropConsumer(cons)
		return nil, s.unavailable("tail", err)
	}
	done := make(chan struct{})
	go func() { defer close(done); f.run() }()
	return func() error { <-done; return nil }, nil
}

// A follower reads the stream through a consumer of its own on one server
// of the cluster (an ephemeral pull consumer, in memory, acknowledging
// nothing), and it owns that consumer's life rather than leaving it to
// nats.go's ordered consumer. On a cluster whose nodes die and come back
// (TestFailoverSoak), the ordered consumer left a replica's projections
// behind for many seconds: it noticed a dead node only after two missed 5 s
// heartbeats, then recreated its consumer with requests that wait 10 s for
// an answer, retried after 1, 2, 4… s, and a consumer placed on a node still
// catching up delivered what that node held, so the projections jumped over
// an acknowledged event. Here:
//
//   - the JOURNAL stream has no gaps (it denies deletes and has no limits),
//     so every sequence is passed on exactly once and in order; a delivered
//     sequence beyond the next one expected is not passed on, and the
//     consumer is replaced by one that starts at the missing sequence;
//   - idle heartbeats come every second, and a missing one, a deleted
//     consumer or a server that no longer answers for it replaces the
//     consumer at once;
//   - a watchdog replaces a consumer that has delivered nothing for
//     followStall while the stream holds more than it delivered;
//   - creating a consumer waits followCreate for an answer, then tries again
//     after 100 ms, doubling to 2 s.
const (
	followHeartbeat = time.Second
	followExpiry    = 4 * time.Second
	followStall     = 3 * time.Second
	followCreate    = 2 * time.Second
)

// The back-off of Follow while its first consumer cannot be created.
const (
	followRetry    = 500 * time.Millisecond
	maxFollowRetry = 10 * time.Second
)

// follower is one Follow or Tail: the consumer it reads through, the next
// sequence it expects, and the batch being gathered for the pipeline.
type follower struct {
	s       *Store
	ctx     context.Context
	p       *followPipeline
	last    atomic.Int64 // unix nanos of the last message passed on (or of the consumer's start)
	replace chan struct{}

	// mu guards what follows, and is held while a message is taken and
	// while a batch is submitted. nats.go may still be running a stopped
	// consumer's callback when its replacement starts, and the watchdog
	// flushes from its own goroutine; the pipeline delivers in the order
	// of submission and the projections ignore a sequence below one they
	// applied, so a message taken or a batch submitted out of turn would
	// be an event lost.
	mu   sync.Mutex
	next uint64       // the sequence expected
	gen  uint64       // the consumer whose deliveries are taken; a replaced one's are not
	cur  *followBatch // the batch being gathered

	cons jetstream.Consumer
	cc   jetstream.ConsumeContext
}

func (s *Store) newFollower(ctx context.Context, after uint64, h func(uint64, domain.Event, error)) *follower {
	f := &follower{s: s, ctx: ctx, p: s.startPipeline(ctx, h), replace: make(chan struct{}, 1)}
	f.next = after + 1
	f.last.Store(time.Now().UnixNano())
	return f
}

// followConsumer creates a consumer of the whole stream from sequence from.
func (s *Store) followConsumer(ctx context.Context, from uint64) (jetstream.Consumer, error) {
	ctx, cancel := context.WithTimeout(ctx, followCreate)
	defer cancel()
	name := make([]byte, 8)
	_, _ = rand.Read(name)
	return s.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Name:              "follow_" + hex.EncodeToString(name),
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       max(from, 1),
		AckPolicy:         jetstream.AckNonePolicy,
		InactiveThreshold: 5 * time.Minute, // a follower that died without deleting it
		Replicas:          1,
		MemoryStorage:     true,
	})
}

// start consumes cons.
func (f *follower) start(cons jetstream.Consumer) error {
	f.mu.Lock()
	gen := f.gen
	f.mu.Unlock()
	cc, err := cons.Consume(func(m jetstream.Msg) { f.handle(gen, m) }, jetstream.PullMaxMessages(4096), jetstream.PullExpiry(followExpiry),
		jetstream.PullHeartbeat(followHeartbeat), jetstream.ConsumeErrHandler(f.consumeError))
	if err != nil {
		return err
	}
	f.cons, f.cc = cons, cc
	f.last.Store(time.Now().UnixNano())
	return nil
}

// handle takes one message delivered by consumer gen into the current
// batch when it is the sequence expected.
func (f *follower) handle(gen uint64, m jetstream.Msg) {
	meta, err := m.Metadata()
	if err != nil {
		return // not a stream message
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	seq := meta.Sequence.Stream
	switch {
	case gen != f.gen:
		return // a replaced consumer's late delivery
	case seq < f.next:
		return // delivered already (a replaced consumer's overlap)
	case seq > f.next:
		f.flushLocked()
		f.s.log.Warn("follow: the consumer skipped a sequence; replacing it", "missing", f.next, "delivered", seq)
		f.gen++ // the rest of its deliveries are not taken either
		f.askReplace()
		return
	}
	f.next = seq + 1
	f.last.Store(time.Now().UnixNano())
	if f.cur == nil {
		// Sized by what is pending: a live follower's batch holds one
		// message, and a 256-slot batch per write was 12 KiB of garbage.
		n := min(uint64(followBatchSize), meta.NumPending+1)
		f.cur = &followBatch{msgs: make([]followMsg, 0, n), done: make(chan struct{})}
	}
	f.cur.msgs = append(f.cur.msgs, followMsg{seq: seq, subject: m.Subject(), data: m.Data()})
	if len(f.cur.msgs) == followBatchSize || meta.NumPending == 0 {
		f.flushLocked()
	}
}

// flush passes on the batch gathered so far.
func (f *follower) flush() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flushLocked()
}

func (f *follower) flushLocked() {
	if f.cur != nil {
		f.p.submit(f.ctx, f.cur)
		f.cur = nil
	}
}

// expected returns the sequence expected next.
func (f *follower) expected() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.next
}

func (f *follower) askReplace() {
	select {
	case f.replace <- struct{}{}:
	default: // already asked
	}
}

// consumeError replaces the consumer when its server stopped serving it.
func (f *follower) consumeError(_ jetstream.ConsumeContext, err error) {
	f.s.log.Debug("follow", "err", err)
	if errors.Is(err, jetstream.ErrNoHeartbeat) || errors.Is(err, jetstream.ErrConsumerDeleted) ||
		errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, nats.ErrNoResponders) {
		f.askReplace()
	}
}

// run watches the consumer until ctx is done, replacing it when asked or
// when it stalls, then stops it and the pipeline.
func (f *follower) run() {
	watch := time.NewTicker(followStall / 3)
	defer watch.Stop()
	defer f.p.stop()
	for {
		select {
		case <-f.ctx.Done():
			f.stopConsumer()
			f.s.dropConsumer(f.cons) // before Tail's wait returns
			return
		case <-f.replace:
		case <-watch.C:
			if time.Since(time.Unix(0, f.last.Load())) < followStall {
				continue
			}
			f.flush() // a batch still waiting for the end of what was pending
			if !f.behind() {
				continue
			}
			f.s.log.Warn("follow: the consumer delivers nothing while the stream holds more; replacing it", "next", f.expected())
		}
		f.stopConsumer()
		f.s.log.Debug("follow: replacing the consumer", "next", f.expected())
		go f.s.dropConsumer(f.cons) // its server may not answer soon
		if !f.restart() {
			return
		}
	}
}

// behind reports whether the stream holds a sequence the follower has not
// been given.
func (f *follower) behind() bool {
	ctx, cancel := context.WithTimeout(f.ctx, followCreate)
	defer cancel()
	last, err := f.s.LastSequence(ctx)
	return err == nil && last >= f.expected()
}

// stopConsumer stops consuming, and from now on ignores what the stopped
// consumer still delivers; the caller deletes the consumer.
func (f *follower) stopConsumer() {
	f.mu.Lock()
	f.gen++
	f.mu.Unlock()
	f.cc.Stop()
	<-f.cc.Closed() // its subscription is gone; a callback still running is ignored (gen)
}

// restart creates a consumer from the next sequence expected and consumes
// it, retrying until it succeeds or ctx is done (false).
func (f *follower) restart() bool {
	for wait := followRetry / 5; ; wait = min(2*wait, 2*time.Second) {
		cons, err := f.s.followConsumer(f.ctx, f.expected())
		if err == nil {
			if err = f.start(cons); err == nil {
				return true
			}
			go f.s.dropConsumer(cons)
		}
		f.s.log.Warn("follow: cannot replace the consumer yet; retrying", "err", err, "in", wait)
		select {
		case <-f.ctx.Done():
			return false
		case <-time.After(wait):
		}
	}
}

// dropConsumer deletes a follower's consumer (or readAll's) on the server
// once it is done with it. A stopped ordered consumer is otherwise left on
// the server until its inactivity threshold (5 minutes), so a client that
// opened and closed live tails in a loop would pile up consumers while
// holding only a few streams at a time.
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
		s.log.Debug("deleting a consumer", "consumer", name, "err", err)
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
	c := NewChainCheck()
	var err error
	if personID != nil {
		err = s.scan(ctx, JournalSubjects(*personID), 0, func(m *jetstream.RawStreamMsg) { c.Add(m.Sequence, m.Subject, m.Data) })
	} else {
		err = s.readAll(ctx, AllJournals, c.Add)
	}
	if err != nil {
		return domain.ChainReport{}, s.unavailable("verify", err)
	}
	return c.Report(), nil
}
