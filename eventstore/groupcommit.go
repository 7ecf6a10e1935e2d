package eventstore

import (
	"context"
	"errors"
	"maps"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// Group commit. With an fsync on every write, the server stores one
// conditional append per fsync; an atomic batch stores many under one.
// Each message of a batch keeps its own expected-last-subject-sequence
// headers and Nats-Msg-Id, and the server checks them all before it stores
// any; a batch it refuses is retried message by message, so one conflict or
// repeated idempotency key never fails its neighbours.
//
// A batch is not free: on a single-replica file stream nats-server v2.15.2
// stages every atomic batch in a store of its own, which it creates (with
// synchronous metadata writes) and removes again, so a batch of k costs
// about F + c·k, where F is worth 10 to 20 single appends. The server
// stores singles one after the other, each in time s. A group of k is
// therefore worth a batch only from the break-even F / (s − c), which is
// learnt as the committer runs (costModel). The schedule:
//
//   - Under light load (fewer appends wanting to go than the break-even)
//     every append is published at once, pipelined like independent
//     publishers: a lone request is never delayed.
//   - Under load, appends queue while anything is in flight, and the queue
//     leaves as one batch (up to the server's 1,000) when the server has
//     finished what it was given, so batches grow with the load. A queue
//     shorter than the break-even leaves as singles.
//
// Facts this rests on (nats-server v2.15.2, TestAtomicBatchFacts): a batch
// is acknowledged once, with the sequence of its last message, and its
// messages are stored contiguously in order; a refusal names no message;
// and two messages of one journal on the same expectation both pass, so a
// batch never holds two messages of one journal.
const maxBatch = 1000 // the server's default atomic batch limit

// committer groups the conditional appends of one Store.
type committer struct {
	s        *Store
	minBatch int // fixed break-even (tests); 0: learnt
	stats    commitStats
	cost     costModel

	mu       sync.Mutex
	singles  int  // single appends in flight
	batching bool // a batch is in flight
	queue    []*commitReq
	// demand is a moving average of how many appends want to go (in flight,
	// queued, and the one arriving) when one arrives.
	demand   float64
	inFlight int // appends of the batch in flight
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
	return &committer{s: s, stats: newCommitStats(), cost: newCostModel()}
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
	k := c.breakEven()
	wanting := c.singles + c.inFlight + len(c.queue) + 1
	c.demand += (float64(wanting) - c.demand) / 8
	if !c.batching && len(c.queue) == 0 && wanting < k && c.demand < float64(k) {
		c.singles++
		c.mu.Unlock()
		return c.single(ctx, m)
	}
	r := &commitReq{ctx: ctx, msg: m, journal: m.Header.Get(jetstream.ExpectedLastSubjSeqSubjHeader), done: make(chan commitResult, 1)}
	c.queue = append(c.queue, r)
	c.dispatch()
	c.mu.Unlock()
	// No early return on ctx: the journal stays locked until the outcome of
	// its append is known, which the batch's deadline bounds (batch).
	res := <-r.done
	return res.ack, res.err
}

// single publishes m alone (c.singles counts it already), then lets the
// queue go if it waited for this one.
func (c *committer) single(ctx context.Context, m *nats.Msg) (*jetstream.PubAck, error) {
	c.stats.singles.Add(1)
	start := time.Now()
	ack, err := c.s.js.PublishMsg(ctx, m)
	c.mu.Lock()
	c.singles--
	if err == nil {
		c.cost.singleDone(start, time.Now())
	}
	c.dispatch()
	c.mu.Unlock()
	return ack, err
}

// dispatch sends the queue once nothing is in flight (until then the
// server is busy anyway, and the queue grows): as one batch when it holds
// at least the break-even, else as singles, all at once. c.mu is held.
func (c *committer) dispatch() {
	if c.batching || c.singles > 0 || len(c.queue) == 0 {
		return
	}
	if len(c.queue) >= c.breakEven() {
		group := c.take()
		if len(group) >= 2 {
			c.batching, c.inFlight = true, len(group)
			go c.commit(group)
			return
		}
		c.queue = append(group, c.queue...)
	}
	for _, r := range c.queue {
		if r.ctx.Err() != nil {
			r.done <- commitResult{err: sendable(r.ctx)} // never sent: the journal is reloaded anyway
			continue
		}
		c.singles++
		go func() {
			ack, err := c.single(r.ctx, r.msg)
			r.done <- commitResult{ack: ack, err: err}
		}()
	}
	c.queue = nil
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
			r.done <- commitResult{err: sendable(r.ctx)} // never sent: the journal is reloaded anyway
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

// commit publishes a group as one batch, answers each of its members, and
// lets the queue that grew meanwhile go.
func (c *committer) commit(group []*commitReq) {
	defer func() {
		c.mu.Lock()
		c.batching, c.inFlight = false, 0
		c.dispatch()
		c.mu.Unlock()
	}()
	start := time.Now()
	ack, err := c.batch(group)
	took := time.Since(start)
	c.stats.observe(len(group), took, err)
	switch {
	case err == nil:
		c.mu.Lock()
		c.cost.batchDone(len(group), took, time.Now())
		c.mu.Unlock()
		first := ack.Sequence - uint64(len(group)) + 1
		for i, r := range group {
			r.done <- commitResult{ack: &jetstream.PubAck{Stream: ack.Stream, Sequence: first + uint64(i), Domain: ack.Domain}}
		}
	case refusedWhole(err):
		c.stats.fallbacks.Add(1)
		c.fallback(group)
	default: // the batch may or may not be stored: each caller reloads its journal
		for _, r := range group {
			r.done <- commitResult{err: err}
		}
	}
}

// breakEven returns the smallest group worth a batch. c.mu is held.
func (c *committer) breakEven() int {
	if c.minBatch > 0 {
		return c.minBatch
	}
	return c.cost.breakEven()
}

// batch publishes the group as one atomic batch. The messages are copied:
// the batch headers must not reach a single append after a refusal.
func (c *committer) batch(group []*commitReq) (*jetstreamext.BatchAck, error) {
	msgs := make([]*nats.Msg, len(group))
	for i, r := range group {
		msgs[i] = &nats.Msg{Subject: r.msg.Subject, Header: maps.Clone(r.msg.Header), Data: r.msg.Data}
	}
	ctx, cancel := context.WithDeadline(context.Background(), c.deadline(group))
	defer cancel()
	// No ack of the first message: the server checks the whole batch at the
	// commit, and that answer is the one that counts.
	return jetstreamext.PublishMsgBatch(ctx, c.s.js, msgs, jetstreamext.BatchFlowControl{AckFirst: false})
}

// deadline is a batch's: the latest of its members' (each is at most
// Config.WriteTimeout from its write's start), so that the batch outlives
// none of them by more than the time it queued, and fails none early.
func (c *committer) deadline(group []*commitReq) time.Time {
	latest := time.Now().Add(c.s.cfg.WriteTimeout)
	if d, ok := group[0].ctx.Deadline(); ok {
		latest = d
	}
	for _, r := range group[1:] {
		if d, ok := r.ctx.Deadline(); ok && d.After(latest) {
			latest = d
		}
	}
	return latest
}

// fallback publishes each member of a refused batch as a conditional
// append of its own, all at once, and answers each with its own outcome.
func (c *committer) fallback(group []*commitReq) {
	var wg sync.WaitGroup
	for _, r := range group {
		wg.Go(func() {
			c.stats.singles.Add(1)
			ack, err := c.s.js.PublishMsg(r.ctx, r.msg)
			r.done <- commitResult{ack: ack, err: err}
		})
	}
	wg.Wait()
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
