package eventstore

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The read audit: every read of a PIP is an `audit.read` record on a stream
// of its own, AUDIT (subjects audit.>, file storage, no deletes, no purges,
// the journal's replicas), apart from JOURNAL because it is not part of any
// journal's hash chain and must never slow a journal's optimistic
// concurrency. A read is served only after its record is acknowledged
// (RecordRead publishes synchronously), so no read goes unrecorded. Reads
// of the records come from a small in-memory index, fed by an ordered
// consumer of the whole stream, keeping the newest auditKeep reads per PIP.

// AuditStream is the read-audit stream's name.
const AuditStream = "AUDIT"

// auditKeep bounds the reads kept in memory per PIP.
const auditKeep = 200

// auditIndex holds the newest reads of each PIP, oldest first.
type auditIndex struct {
	mu    sync.RWMutex
	byPIP map[uuid.UUID][]domain.ReadRecord
}

func (x *auditIndex) add(r domain.ReadRecord) {
	x.mu.Lock()
	defer x.mu.Unlock()
	rs := x.byPIP[r.PIPID]
	i, found := slices.BinarySearchFunc(rs, r.Sequence, func(e domain.ReadRecord, seq uint64) int {
		return cmpUint(e.Sequence, seq)
	})
	if found {
		return // our own read, seen again on the consumer
	}
	rs = slices.Insert(rs, i, r)
	if len(rs) > auditKeep {
		rs = slices.Delete(rs, 0, len(rs)-auditKeep)
	}
	x.byPIP[r.PIPID] = rs
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

// auditSubject is audit.read.<person>.<pip>: ids only, checked UUIDs.
func auditSubject(r domain.ReadRecord) string {
	return "audit.read." + r.PersonID.String() + "." + r.PIPID.String()
}

// ensureAudit creates or updates the AUDIT stream and fills the index,
// waiting until it has caught up, then keeps it fresh until bg ends.
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
	s.audit = &auditIndex{byPIP: map[uuid.UUID][]domain.ReadRecord{}}
	return s.audit.follow(ctx, bg, st, s.log, &s.wg)
}

func (x *auditIndex) follow(ctx, bg context.Context, st jetstream.Stream, log *slog.Logger, wg *sync.WaitGroup) error {
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"audit.read.>"}})
	if err != nil {
		return fmt.Errorf("eventstore: read-audit index: %w", err)
	}
	return tail(ctx, bg, cons, "read-audit index", log, wg, func(m jetstream.Msg, meta *jetstream.MsgMetadata) {
		var r domain.ReadRecord
		if err := json.Unmarshal(m.Data(), &r); err == nil && r.Type == domain.ReadRecordType {
			r.Sequence = meta.Sequence.Stream
			x.add(r)
		}
	})
}

// RecordRead appends one read record to AUDIT and returns once the server
// has acknowledged it (on disk, or on a quorum), with its sequence set.
// Errors: KindUnavailable when the store cannot take it; the caller must
// then not serve the read.
func (s *Store) RecordRead(ctx context.Context, r domain.ReadRecord) (domain.ReadRecord, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return r, err
	}
	msg := &nats.Msg{Subject: auditSubject(r), Data: b, Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, r.ID.String())
	ack, err := s.js.PublishMsg(ctx, msg, jetstream.WithExpectStream(AuditStream))
	if err != nil {
		return r, s.unavailable("record read", err)
	}
	r.Sequence = ack.Sequence
	s.audit.add(r)
	return r, nil
}

// ReadsOf returns the newest reads of a PIP, newest first, at most limit
// (and at most the auditKeep this replica keeps per PIP).
func (s *Store) ReadsOf(pipID uuid.UUID, limit int) []domain.ReadRecord {
	s.audit.mu.RLock()
	defer s.audit.mu.RUnlock()
	rs := s.audit.byPIP[pipID]
	out := make([]domain.ReadRecord, 0, min(limit, len(rs)))
	for i := len(rs) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, rs[i])
	}
	return out
}
