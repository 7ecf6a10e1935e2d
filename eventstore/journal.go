package eventstore

import (
	"context"
	"errors"
	"sync"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// readBatch is how many messages one direct batch get asks for.
const readBatch = 1000

// journalEntry caches one journal's decision state. Its mutex is held from
// decide to publish, so one process never races itself on a journal.
type journalEntry struct {
	mu      sync.Mutex
	j       *domain.Journal
	lastSeq uint64   // the stream sequence of the journal's last message, decodable or not
	keys    idemKeys // the idempotency keys of the journal's messages (idempotency.go)
}

// entry returns the cache entry of a journal, creating an empty one.
func (s *Store) entry(id uuid.UUID) *journalEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	je := s.journals[id]
	if je == nil {
		je = &journalEntry{}
		s.journals[id] = je
	}
	return je
}

// catchUp folds into je the journal's messages stored after je.lastSeq and
// reports whether there were any. A message that does not decode still
// advances lastSeq (appends are conditional on it) but not the state. The
// Nats-Msg-Id of each message read is recorded with the journal's keys.
func (s *Store) catchUp(ctx context.Context, id uuid.UUID, je *journalEntry) (bool, error) {
	if je.j == nil {
		je.j, je.lastSeq, je.keys = domain.NewJournal(id), 0, idemKeys{}
	}
	before := je.lastSeq
	err := s.scan(ctx, domain.JournalSubjects(id), je.lastSeq, func(m *jetstream.RawStreamMsg) {
		je.lastSeq = m.Sequence
		je.keys.record(m.Header.Get(jetstream.MsgIDHeader), m.Sequence, m.Time, s.cfg.DuplicateWindow)
		e, err := decodeStored(m.Subject, m.Data)
		if err != nil {
			s.log.Warn("skipping an undecodable event", "seq", m.Sequence, "subject", m.Subject, "err", err)
			return
		}
		e.Sequence = m.Sequence
		je.j.Evolve(e)
	})
	if err != nil {
		je.j = nil // reload from scratch next time
	}
	return je.lastSeq != before, err
}

var errNoAnswer = errors.New("direct batch get: no answer")

// scan calls fn for each message on subjects filter (all when empty) after
// sequence after, in stream order, reading with direct batch gets.
func (s *Store) scan(ctx context.Context, filter string, after uint64, fn func(*jetstream.RawStreamMsg)) error {
	next := after + 1
	for {
		opts := []jetstreamext.GetBatchOpt{jetstreamext.GetBatchSeq(next)}
		if filter != "" {
			opts = append(opts, jetstreamext.GetBatchSubject(filter))
		}
		msgs, err := jetstreamext.GetBatch(ctx, s.js, s.cfg.Stream, readBatch, opts...)
		if err != nil {
			return err
		}
		n, done := 0, false
		for m, err := range msgs {
			if errors.Is(err, jetstreamext.ErrNoMessages) {
				return nil
			}
			if err != nil {
				return err
			}
			fn(m)
			n++
			next = m.Sequence + 1
			done = m.Header.Get("Nats-Num-Pending") == "0"
		}
		switch {
		case done:
			return nil
		case n == 0: // a batch get that times out just ends: no answer is not "no messages"
			return errNoAnswer
		}
	}
}
