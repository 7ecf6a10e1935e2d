package eventstore

import (
	"context"
	"errors"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// Group commit. With an fsync on every write, the server stores one
// conditional append per fsync; an atomic batch stores many under one.
// Concurrent appends to different journals therefore queue while a publish
// is in flight and leave together when it returns: a lone append is
// published at once, and under load the groups grow up to the server's
// batch limit. Each message keeps its own expected-last-subject-sequence
// headers and Nats-Msg-Id, and the server checks them all before it stores
// any; a batch it refuses is retried message by message, so one conflict or
// repeated idempotency key never fails its neighbours.
//
// Facts this rests on (nats-server v2.15.2, TestAtomicBatchFacts): a batch
// is acknowledged once, with the sequence of its last message, and its
// messages are stored contiguously in order; a refusal names no message;
// and two messages of one journal on the same expectation both pass, so a
// batch never holds two messages of one journal.
const (
	maxBatch = 1000 // the server's default atomic batch limit
	// A group smaller than the break-even goes out as concurrent single
	// appends: an atomic batch on an R1 file stream costs a few fsyncs of
	// its own (the staging store the server creates and removes), which
	// costs as much as several single appends: 6 or 7 on a quiet disk, 12
	// or more on a busy one. The break-even is learnt (see minBatch); these
	// bound it.
	defaultMinBatch = 6
	maxMinBatch     = 64
	// Every probeEvery-th group that the break-even sends out alone goes as
	// a batch anyway, so that a batch's cost is re-learnt after a slow spell.
	probeEvery = 32
	// batchTimeout bounds a batch publish; a caller waits at most this long
	// for the outcome of a batch it is in.
	batchTimeout = 5 * time.Second
)

// committer groups the conditional appends of one Store.
type committer struct {
	s        *Store
	minBatch int // fixed break-even (tests); 0: learnt
	stats    commitStats
	// Moving averages of how long a single append and a batch take, in
	// nanoseconds, and a count of groups sent alone, for probing.
	singleNs, batchNs, alone atomic.Int64

	mu    sync.Mutex
	busy  bool // a publish is in flight
	queue []*commitReq
}

// commitReq is one append waiting for the next group.
type commitReq struct {
	ctx     context.Context
	msg     *nats.Msg
	journal string // the journal's subject filter
	done    chan commitResult
}

type commitResult struct {
	ack *jetstream.PubAck
	err error
}

// newCommitter returns the Store's committer, or nil when group commit is off.
func newCommitter(s *Store) *committer {
	if s.cfg.NoGroupCommit {
		return nil
	}
	return &committer{s: s, stats: newCommitStats()}
}

// publish stores m like JetStream's PublishMsg: an ack, or an error, which
// is a wrong-last-sequence API error only when m itself lost its race.
func (s *Store) publish(ctx context.Context, m *nats.Msg) (*jetstream.PubAck, error) {
	if s.gc == nil {
		return s.js.PublishMsg(ctx, m)
	}
	return s.gc.publish(ctx, m)
}

func (c *committer) publish(ctx context.Context, m *nats.Msg) (*jetstream.PubAck, error) {
	c.mu.Lock()
	if !c.busy {
		// Nothing in flight, so nothing is queued either: go at once.
		c.busy = true
		c.mu.Unlock()
		c.stats.singles.Add(1)
		start := time.Now()
		ack, err := c.s.js.PublishMsg(ctx, m)
		if err == nil {
			average(&c.singleNs, time.Since(start))
		}
		c.release()
		return ack, err
	}
	r := &commitReq{ctx: ctx, msg: m, journal: m.Header.Get(jetstream.ExpectedLastSubjSeqSubjHeader), done: make(chan commitResult, 1)}
	c.queue = append(c.queue, r)
	c.mu.Unlock()
	// No early return on ctx: the journal stays locked until the outcome of
	// its append is known, which the batch timeout bounds.
	res := <-r.done
	return res.ack, res.err
}

// release ends a publish; what queued meanwhile leaves as the next group.
func (c *committer) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queue) == 0 {
		c.busy = false
		return
	}
	go c.flush()
}

// flush publishes the queue group by group until it is empty.
func (c *committer) flush() {
	for {
		c.mu.Lock()
		group := c.take()
		if len(group) == 0 {
			c.busy = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		c.commit(group)
	}
}

// take removes the next group from the queue: in order, at most maxBatch,
// at most one append per journal (a later one waits for the next group),
// dropping appends whose caller has gone. c.mu is held.
func (c *committer) take() []*commitReq {
	var group, rest []*commitReq
	seen := make(map[string]bool, min(len(c.queue), maxBatch))
	for _, r := range c.queue {
		switch {
		case r.ctx.Err() != nil:
			r.done <- commitResult{err: r.ctx.Err()} // never sent: the journal is reloaded anyway
		case len(group) == maxBatch || seen[r.journal] || r.journal == "":
			rest = append(rest, r)
		default:
			seen[r.journal] = true
			group = append(group, r)
		}
	}
	if len(group) == 0 && len(rest) > 0 { // appends without a journal go alone
		group, rest = rest[:1], rest[1:]
	}
	c.queue = rest
	return group
}

// commit publishes a group and answers each of its members.
func (c *committer) commit(group []*commitReq) {
	if len(group) < c.breakEven() && (len(group) < 2 || c.alone.Add(1)%probeEvery != 0) {
		c.stats.singles.Add(uint64(len(group)))
		start := time.Now()
		if c.singles(group) {
			// The server stores them one by one: the group took k appends' time.
			average(&c.singleNs, time.Since(start)/time.Duration(len(group)))
		}
		return
	}
	start := time.Now()
	ack, err := c.batch(group)
	took := time.Since(start)
	c.stats.observe(len(group), took, err)
	if err == nil {
		average(&c.batchNs, took)
	}
	switch {
	case err == nil:
		first := ack.Sequence - uint64(len(group)) + 1
		for i, r := range group {
			r.done <- commitResult{ack: &jetstream.PubAck{Stream: ack.Stream, Sequence: first + uint64(i), Domain: ack.Domain}}
		}
	case refusedWhole(err):
		c.stats.fallbacks.Add(1)
		c.singles(group)
	default: // the batch may or may not be stored: each caller reloads its journal
		for _, r := range group {
			r.done <- commitResult{err: err}
		}
	}
}

// breakEven returns the smallest group worth a batch: a batch takes about
// as long as this many single appends, which the server stores one by one.
func (c *committer) breakEven() int {
	if c.minBatch > 0 {
		return c.minBatch
	}
	single, batch := c.singleNs.Load(), c.batchNs.Load()
	if single == 0 || batch == 0 {
		return defaultMinBatch
	}
	return int(min(max((batch+single-1)/single, 2), maxMinBatch))
}

// average folds d into the moving average at a (weight 1/8).
func average(a *atomic.Int64, d time.Duration) {
	old := a.Load()
	if old == 0 {
		a.Store(int64(d))
		return
	}
	a.Store(old + (int64(d)-old)/8) // one writer at a time: the publisher in flight
}

// batch publishes the group as one atomic batch. The messages are copied:
// the batch headers must not reach a single append after a refusal.
func (c *committer) batch(group []*commitReq) (*jetstreamext.BatchAck, error) {
	msgs := make([]*nats.Msg, len(group))
	for i, r := range group {
		msgs[i] = &nats.Msg{Subject: r.msg.Subject, Header: maps.Clone(r.msg.Header), Data: r.msg.Data}
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	// No ack of the first message: the server checks the whole batch at the
	// commit, and that answer is the one that counts.
	return jetstreamext.PublishMsgBatch(ctx, c.s.js, msgs, jetstreamext.BatchFlowControl{AckFirst: false})
}

// singles publishes each member of the group as a conditional append of
// its own, all at once, answers each with its own outcome, and reports
// whether all were stored.
func (c *committer) singles(group []*commitReq) bool {
	var wg sync.WaitGroup
	var failed atomic.Bool
	for _, r := range group {
		wg.Go(func() {
			ack, err := c.s.js.PublishMsg(r.ctx, r.msg)
			failed.CompareAndSwap(false, err != nil)
			r.done <- commitResult{ack: ack, err: err}
		})
	}
	wg.Wait()
	return !failed.Load()
}

// refusedWhole reports whether the server refused a batch before storing
// any of it: a failed check (expected sequence, duplicate message id) or a
// limit. Any other error leaves the outcome unknown.
func refusedWhole(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode {
	case jetstream.JSErrCodeStreamWrongLastSequence,
		jetstream.JSErrCodeStreamWrongLastSequenceConstant,
		jetstreamext.JSErrCodeBatchPublishDuplicateMsgID,
		jetstreamext.JSErrCodeBatchPublishIncomplete,
		jetstreamext.JSErrCodeBatchPublishExceedsLimit,
		jetstreamext.JSErrCodeAtomicPublishTooManyInflight,
		jsErrCodeDuplicateMessageConflict:
		return true
	}
	return false
}

// jsErrCodeDuplicateMessageConflict is the server's "duplicate message id is
// in process", which nats.go does not name.
const jsErrCodeDuplicateMessageConflict jetstream.ErrorCode = 10158
