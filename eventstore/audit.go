package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unique"

	"github.com/coachjournal/coachjournal/domain"
	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The read audit: every read of a PIP is an `audit.read` record on a stream
// of its own, AUDIT (subjects audit.>, file storage, no deletes, no purges,
// the journal's replicas), apart from JOURNAL because it is not part of any
// journal's hash chain and must never slow a journal's optimistic
// concurrency. A read is served only after its record is acknowledged, so
// no read goes unrecorded. Reads of the records come from a small
// in-memory index, fed by an ordered consumer of the stream, keeping the
// newest auditKeep reads per PIP. A start reads the index from its
// checkpoint (auditcheckpoint.go) and follows the stream from there, in
// the background, so a start does not wait for a stream that only grows
// (a year of PIP reads); a list of reads waits until the index holds every
// read stored before the start.
//
// The records are group-committed: the reads that arrive while one message
// is being stored go together in the next one, an `audit.reads` message on
// subject audit.reads holding up to auditBatch records, so the reads of a
// busy morning cost one fsync per batch instead of one per read (each
// record is still its own read, with its own id, time and request, and its
// caller waits for the message that holds it). Every record of a message
// has the message's stream sequence. Streams written before the group
// commit hold one record per message, on audit.read.<person>.<pip>; the
// index reads both.

// AuditStream is the read-audit stream's name.
const AuditStream = "AUDIT"

// auditKeep bounds the reads kept in memory per PIP; a PIP's list is cut
// back to it once it holds auditTrim, and never takes more room than
// auditTrim records (docs/performance.md, "The read-audit index's memory").
const (
	auditKeep = 200
	auditTrim = auditKeep + auditKeep/4
)

// auditBatch bounds the records of one audit.reads message (about 300
// bytes each, far below the server's 1 MB payload limit).
const auditBatch = 256

// auditBatchSubject is the subject of the group-committed records.
const auditBatchSubject = "audit.reads"

// auditMessage is the payload of an audit.reads message.
type auditMessage struct {
	Type  string              `json:"type"` // "audit.reads"
	Reads []domain.ReadRecord `json:"reads"`
}

const auditMessageType = "audit.reads"

// pendingRead is one read waiting for the message that stores it.
type pendingRead struct {
	r    domain.ReadRecord
	done chan error // buffered; receives once, after r.Sequence is set
}

// auditLinger bounds how long a message of reads waits for more to join
// it: PostgreSQL's commit_delay. It waits only when the message before it
// held more than one read (others are reading at the same time), and only
// until as many are queued as that one held: a lone reader never waits.
// Every message costs an fsync and a delivery to each replica's index; a
// page renders while its read is being stored (docs/performance.md, "The
// PIP page's read audit").
const auditLinger = time.Millisecond

// readCommitter queues reads and stores them a message at a time.
type readCommitter struct {
	mu       sync.Mutex
	queue    []*pendingRead
	flushing bool // a flush goroutine is running
	last     int  // reads in the message stored last
	// While the flusher lingers, want is the queue's length that ends the
	// wait, and full is signalled when the queue reaches it.
	want   int
	full   chan struct{}
	linger time.Duration // auditLinger; a test's own
	// What has been stored: messages, and the reads they held.
	messages, reads atomic.Uint64
}

// ReadAuditStats returns how many audit messages this store has written
// and how many reads they held: their ratio is how well the reads group.
func (s *Store) ReadAuditStats() (messages, reads uint64) {
	return s.pipReads.messages.Load(), s.pipReads.reads.Load()
}

// auditIndex holds the newest reads of each PIP, oldest first: at least
// the newest auditKeep, fewer than auditTrim. The strings every record
// repeats (its type, the reader, how it was read) are shared (compact). ready is closed once it
// holds every read stored before the consumer started.
type auditIndex struct {
	ready <-chan struct{}

	mu    sync.RWMutex
	byPIP map[uuid.UUID][]domain.ReadRecord
	seq   uint64 // the last AUDIT message the consumer indexed
	saved uint64 // seq when the checkpoint was last written or read (auditcheckpoint.go)
	fresh int    // reads the consumer indexed since then
	// own holds the messages this replica stored and indexed before the
	// consumer reached them, with their reads' count: the consumer skips
	// decoding them again.
	own map[uint64]int
}

// stored indexes rs, the reads of a message this replica stored at seq,
// and, unless the consumer has passed seq already, notes the message as
// its own for the consumer to skip.
func (x *auditIndex) stored(seq uint64, rs []domain.ReadRecord) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, r := range rs {
		x.addLocked(r)
	}
	if seq > x.seq {
		if x.own == nil {
			x.own = map[uint64]int{}
		}
		x.own[seq] = len(rs)
	}
}

func (x *auditIndex) addLocked(r domain.ReadRecord) {
	rs := x.byPIP[r.PIPID]
	if n := len(rs); n == 0 || rs[n-1].Sequence < r.Sequence { // the stream's order: the index being built at a start
		x.byPIP[r.PIPID] = x.trim(append(roomFor(rs), compact(r)))
		return
	}
	i, _ := slices.BinarySearchFunc(rs, r.Sequence, func(e domain.ReadRecord, seq uint64) int {
		return cmpUint(e.Sequence, seq)
	})
	for ; i < len(rs) && rs[i].Sequence == r.Sequence; i++ { // the reads of one message, in its order
		if rs[i].ID == r.ID {
			return // our own read, seen again on the consumer
		}
	}
	x.byPIP[r.PIPID] = x.trim(slices.Insert(roomFor(rs), i, compact(r)))
}

// roomFor returns rs with room for one more read, in an array twice as
// large when it is full, but never larger than auditTrim records (append
// would double it past, and round it up further; trim cuts the list back
// before it fills auditTrim).
func roomFor(rs []domain.ReadRecord) []domain.ReadRecord {
	if len(rs) < cap(rs) {
		return rs
	}
	grown := make([]domain.ReadRecord, len(rs), min(max(2*cap(rs), 4), auditTrim))
	copy(grown, rs)
	return grown
}

// trim keeps the newest auditKeep of rs once it holds auditTrim, in a
// new array of auditTrim: one copy per auditTrim-auditKeep reads, and an
// array that append never grows past auditTrim (it doubled to 512 records,
// kept after every cut, when the cut came at twice auditKeep).
func (x *auditIndex) trim(rs []domain.ReadRecord) []domain.ReadRecord {
	if len(rs) >= auditTrim {
		out := make([]domain.ReadRecord, auditKeep, auditTrim)
		copy(out, rs[len(rs)-auditKeep:])
		return out
	}
	return rs
}

// compact returns r with its repeated strings (its type, the reader's id
// and role, how it was read) replaced by the one copy the index shares, so
// that a PIP's hundreds of reads by a few readers do not each hold theirs.
func compact(r domain.ReadRecord) domain.ReadRecord {
	if r.Type == domain.ReadRecordType { // every record indexed
		r.Type = domain.ReadRecordType
	}
	r.Reader.ID = unique.Make(r.Reader.ID).Value()
	r.Reader.Role = unique.Make(r.Reader.Role).Value()
	r.Via = unique.Make(r.Via).Value()
	return r
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// auditSubjectPrefix begins the subject of a read stored alone.
const auditSubjectPrefix = "audit.read."

// auditSubject is audit.read.<person>.<pip>: ids only, checked UUIDs.
func auditSubject(r domain.ReadRecord) string {
	return auditSubjectPrefix + r.PersonID.String() + "." + r.PIPID.String()
}

// ensureAudit creates or updates the AUDIT stream and starts filling the
// index, from the checkpoint when there is a usable one, which it keeps
// fresh until bg ends; it does not wait for the index to catch up
// (ReadsOf does).
func (s *Store) ensureAudit(ctx, bg context.Context) error {
	st, err := s.ensureStream(ctx, jetstream.StreamConfig{
		Name:        AuditStream,
		Subjects:    []string{"audit.>"},
		Storage:     jetstream.FileStorage,
		Replicas:    s.cfg.Replicas,
		DenyDelete:  true,
		DenyPurge:   true,
		AllowDirect: true,
	})
	if err != nil {
		return fmt.Errorf("eventstore: create stream %s: %w", AuditStream, err)
	}
	info := st.CachedInfo()
	s.auditCreated = info.Created.UnixNano()
	s.auditCkpt = auditCheckpointOf(s.cfg, s.log)
	s.audit = s.loadAudit(info.State.LastSeq)
	if err := s.audit.follow(ctx, bg, st, s.log, &s.wg); err != nil {
		return err
	}
	if s.auditCkpt != nil {
		s.wg.Go(func() {
			t := time.NewTicker(auditCheckpointGap)
			defer t.Stop()
			s.checkpointAudit(bg, t.C)
		})
	}
	return nil
}

// loadAudit returns the index of the checkpoint, when it can be resumed
// from on the AUDIT stream whose last sequence is last, and an empty one
// otherwise (logged, unless there is simply no file).
func (s *Store) loadAudit(last uint64) *auditIndex {
	if s.auditCkpt != nil {
		x, err := s.auditCkpt.load(s.auditCreated, last)
		if err == nil {
			s.log.Info("read-audit index resumed from its checkpoint", "sequence", x.seq, "last", last)
			return x
		}
		if !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("read-audit checkpoint not used: reading the whole stream", "err", err)
		}
	}
	return &auditIndex{byPIP: map[uuid.UUID][]domain.ReadRecord{}}
}

// checkpointAudit writes the checkpoint while the store runs, at a tick
// (every auditCheckpointGap) once auditCheckpointReads reads have been
// indexed since the last one, until bg ends; Close writes the last.
func (s *Store) checkpointAudit(bg context.Context, tick <-chan time.Time) {
	for {
		select {
		case <-bg.Done():
			return
		case <-tick:
			s.audit.mu.RLock()
			fresh := s.audit.fresh
			s.audit.mu.RUnlock()
			if fresh >= auditCheckpointReads {
				s.saveAudit()
			}
		}
	}
}

// saveAudit writes the checkpoint if the consumer has indexed anything
// since the last one.
func (s *Store) saveAudit() {
	x := s.audit
	if s.auditCkpt == nil || x == nil {
		return
	}
	x.mu.RLock()
	changed, fresh := x.seq != x.saved, x.fresh
	x.mu.RUnlock()
	if !changed {
		return
	}
	start := time.Now()
	seq, err := s.auditCkpt.save(x, s.auditCreated)
	if err != nil {
		s.log.Warn("read-audit checkpoint not written", "err", err)
		return
	}
	s.log.Info("read-audit checkpoint written", "sequence", seq, "took", time.Since(start).String())
	x.mu.Lock()
	x.saved, x.fresh = seq, max(0, x.fresh-fresh)
	x.mu.Unlock()
}

// follow feeds the index from the stream, from the message after the
// last one it holds. A start without a checkpoint reads the whole stream,
// so its records are decoded by json/v2 with encoding/json's semantics
// (DefaultOptionsV1): the same records, 2.3 times as fast as
// encoding/json, 8 allocations for a message of 64 records instead of 337
// (docs/performance.md, "The read audit at a start").
func (x *auditIndex) follow(ctx, bg context.Context, st jetstream.Stream, log *slog.Logger, wg *sync.WaitGroup) error {
	// The whole stream, unfiltered: every subject on it is a read's, and
	// consume skips any other.
	var cfg jetstream.OrderedConsumerConfig
	if x.seq > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, x.seq+1
	}
	cons, err := st.OrderedConsumer(ctx, cfg)
	if err != nil {
		return fmt.Errorf("eventstore: read-audit index: %w", err)
	}
	x.ready, err = tail(bg, cons, "read-audit index", log, wg, func(m jetstream.Msg, meta *jetstream.MsgMetadata) {
		x.consume(m.Subject(), m.Data(), meta.Sequence.Stream)
	})
	return err
}

// consume indexes the records of one AUDIT message, stored at seq; one
// this replica stored and indexed itself (stored) only moves it on.
func (x *auditIndex) consume(subject string, data []byte, seq uint64) {
	x.mu.Lock()
	if n, mine := x.own[seq]; mine {
		delete(x.own, seq)
		x.fresh += n
		x.seq = max(x.seq, seq)
		x.mu.Unlock()
		return
	}
	x.mu.Unlock()
	var rs []domain.ReadRecord
	if subject == auditBatchSubject {
		var b auditMessage
		if err := jsonv2.Unmarshal(data, &b, jsonv1.DefaultOptionsV1()); err == nil && b.Type == auditMessageType {
			rs = b.Reads
		}
	} else if strings.HasPrefix(subject, auditSubjectPrefix) {
		var r domain.ReadRecord
		if err := jsonv2.Unmarshal(data, &r, jsonv1.DefaultOptionsV1()); err == nil {
			rs = []domain.ReadRecord{r}
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, r := range rs {
		if r.Type == domain.ReadRecordType {
			r.Sequence = seq
			x.addLocked(r)
			x.fresh++
		}
	}
	x.seq = max(x.seq, seq)
}

// RecordRead stores one read record on AUDIT and returns once the server
// has acknowledged the message that holds it (on disk, or on a quorum),
// with its sequence set. Errors: KindUnavailable when the store cannot
// take it, or ctx ends first; the caller must then not serve the read (the
// record may still be stored: a read recorded and not served, never the
// reverse).
func (s *Store) RecordRead(ctx context.Context, r domain.ReadRecord) (domain.ReadRecord, error) {
	p := &pendingRead{r: r, done: make(chan error, 1)}
	c := &s.pipReads
	c.mu.Lock()
	c.queue = append(c.queue, p)
	if c.want > 0 && len(c.queue) >= c.want {
		c.want = 0
		select {
		case c.full <- struct{}{}:
		default:
		}
	}
	if !c.flushing {
		c.flushing = true
		go s.flushReads()
	}
	c.mu.Unlock()
	select {
	case err := <-p.done:
		if err != nil {
			return r, err
		}
		return p.r, nil
	case <-ctx.Done():
		return r, s.unavailable("record read", ctx.Err())
	}
}

// flushReads stores the queued reads, a message at a time, until the
// queue is empty; a message lingers (auditLinger) for as many reads as the
// one before it held.
func (s *Store) flushReads() {
	c := &s.pipReads
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.flushing = false
			c.mu.Unlock()
			return
		}
		if want := min(c.last, auditBatch); want > 1 && len(c.queue) < want {
			c.lingerLocked(want)
		}
		n := min(len(c.queue), auditBatch)
		c.last = n
		batch := slices.Clone(c.queue[:n])
		c.queue = slices.Delete(c.queue, 0, n)
		c.mu.Unlock()
		err := s.storeReads(batch)
		for _, p := range batch {
			p.done <- err
		}
	}
}

// lingerLocked waits, c.mu released, until want reads are queued or the
// linger is over.
func (c *readCommitter) lingerLocked(want int) {
	if c.full == nil {
		c.full = make(chan struct{}, 1)
	}
	c.want = want
	c.mu.Unlock()
	linger := c.linger
	if linger == 0 {
		linger = auditLinger
	}
	t := time.NewTimer(linger)
	select {
	case <-c.full:
	case <-t.C:
	}
	t.Stop()
	c.mu.Lock()
	c.want = 0
	select { // a signal sent as the timer fired
	case <-c.full:
	default:
	}
}

// storeReads publishes one audit.reads message holding batch, and on its
// acknowledgement sets each record's sequence and indexes it.
func (s *Store) storeReads(batch []*pendingRead) error {
	b := auditMessage{Type: auditMessageType, Reads: make([]domain.ReadRecord, len(batch))}
	for i, p := range batch {
		b.Reads[i] = p.r
	}
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	msg := &nats.Msg{Subject: auditBatchSubject, Data: data, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, batch[0].r.ID.String()) // a retried publish is stored once
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.WriteTimeout)
	defer cancel()
	ack, err := s.js.PublishMsg(ctx, msg, jetstream.WithExpectStream(AuditStream))
	if err != nil {
		return s.unavailable("record reads", err)
	}
	for i, p := range batch {
		p.r.Sequence = ack.Sequence
		b.Reads[i].Sequence = ack.Sequence
	}
	s.audit.stored(ack.Sequence, b.Reads)
	s.pipReads.messages.Add(1)
	s.pipReads.reads.Add(uint64(len(batch)))
	return nil
}

// ReadsOf returns the newest reads of a PIP, newest first, at most limit
// (and at most the auditKeep this replica keeps per PIP). Just after a
// start it waits until the index holds every read stored before it.
// Errors: KindUnavailable when ctx ends first.
func (s *Store) ReadsOf(ctx context.Context, pipID uuid.UUID, limit int) ([]domain.ReadRecord, error) {
	select {
	case <-s.audit.ready:
		return s.audit.newest(pipID, limit), nil
	default:
	}
	select {
	case <-s.audit.ready:
		return s.audit.newest(pipID, limit), nil
	case <-ctx.Done():
		return nil, domain.Errorf(domain.KindUnavailable, "the read audit is still being loaded: try again shortly")
	}
}

// newest is ReadsOf of the index.
func (x *auditIndex) newest(pipID uuid.UUID, limit int) []domain.ReadRecord {
	x.mu.RLock()
	defer x.mu.RUnlock()
	rs := x.byPIP[pipID]
	limit = min(limit, auditKeep)
	out := make([]domain.ReadRecord, 0, min(limit, len(rs)))
	for i := len(rs) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, rs[i])
	}
	return out
}
