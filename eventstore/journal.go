package eventstore

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// readBatch is how many messages one direct batch get asks for.
const readBatch = 1000

// maxTrimSkips bounds the journals in use one trim passes over.
const maxTrimSkips = 8

// journalEntry caches one journal's decision state. Its mutex is held from
// decide to publish, so one process never races itself on a journal.
//
// An entry, once made, stays (a few dozen bytes per person, so that two
// callers never hold different mutexes for one journal); its state is
// bounded: at most Config.JournalCache entries hold a loaded journal, and
// loading one more drops the state of the least recently used one, which is
// read back from the stream at its next write.
type journalEntry struct {
	mu      sync.Mutex
	j       *domain.Journal
	lastSeq uint64   // the stream sequence of the journal's last message, decodable or not
	keys    idemKeys // the idempotency keys of the journal's messages (idempotency.go)

	used *list.Element // in Store.loaded, guarded by Store.mu; nil when not there
}

// entry returns the cache entry of a journal, creating an empty one, and
// marks it the most recently used.
func (s *Store) entry(id uuid.UUID) *journalEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	je := s.journals[id]
	if je == nil {
		je = &journalEntry{}
		s.journals[id] = je
	}
	if je.used != nil {
		s.loaded.MoveToFront(je.used)
	}
	return je
}

// admit counts je, whose state its caller (holding je.mu) has just loaded,
// among the loaded journals, and drops the state of the least recently
// used ones beyond the bound.
func (s *Store) admit(je *journalEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if je.used == nil {
		je.used = s.loaded.PushFront(je)
	} else {
		s.loaded.MoveToFront(je.used)
	}
	s.trimLocked()
}

// trim drops the state of the least recently used journals beyond the
// bound; writers call it once they have let go of their journals, so that
// the journals skipped while in use are dropped after all.
func (s *Store) trim() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trimLocked()
}

// trimLocked is trim with s.mu held. A journal in use (its mutex held: a
// write deciding or publishing on it) is skipped and kept for now; it is
// never waited for, since its holder may be waiting for s.mu. At most
// maxTrimSkips are skipped per call, so that loading the journals of an
// import larger than the bound (all of them locked) stays linear; the
// import's own trim, once it lets go, drops the excess.
func (s *Store) trimLocked() {
	for skipped := 0; s.loaded.Len() > s.cfg.JournalCache && skipped < maxTrimSkips; {
		old := s.loaded.Back().Value.(*journalEntry)
		if !old.mu.TryLock() {
			s.loaded.MoveToFront(old.used)
			skipped++
			continue
		}
		old.j, old.lastSeq, old.keys = nil, 0, idemKeys{}
		s.loaded.Remove(old.used)
		old.used = nil
		old.mu.Unlock()
		s.evictions++
	}
}

// JournalCacheStats reports how many journals hold loaded decision state
// and how many had theirs dropped for the bound since the Store opened.
func (s *Store) JournalCacheStats() (loaded int, evictions uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loaded.Len(), s.evictions
}

// catchUp folds into je the journal's messages stored after je.lastSeq and
// reports whether there were any. A message that does not decode still
// advances lastSeq (appends are conditional on it) but not the state. The
// Nats-Msg-Id of each message read is recorded with the journal's keys.
func (s *Store) catchUp(ctx context.Context, id uuid.UUID, je *journalEntry) (bool, error) {
	if je.j == nil {
		je.j, je.lastSeq, je.keys = domain.NewJournal(id), 0, idemKeys{}
		s.admit(je)
	}
	before := je.lastSeq
	err := s.scan(ctx, JournalSubjects(id), je.lastSeq, func(m *jetstream.RawStreamMsg) {
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

// scan calls fn for each message of the journal stream on subjects filter
// after sequence after, in stream order, reading with direct batch gets. An
// empty filter means every journal (AllJournals): never the org
// markers (org.go), which is how Verify skips them.
func (s *Store) scan(ctx context.Context, filter string, after uint64, fn func(*jetstream.RawStreamMsg)) error {
	if filter == "" {
		filter = AllJournals
	}
	return s.scanIn(ctx, s.cfg.Stream, filter, after, fn)
}

// scanIn is scan on another stream (one that allows direct gets); an empty
// filter there means every message.
func (s *Store) scanIn(ctx context.Context, stream, filter string, after uint64, fn func(*jetstream.RawStreamMsg)) error {
	next := after + 1
	for {
		opts := []jetstreamext.GetBatchOpt{jetstreamext.GetBatchSeq(next)}
		if filter != "" {
			opts = append(opts, jetstreamext.GetBatchSubject(filter))
		}
		msgs, err := jetstreamext.GetBatch(ctx, s.js, stream, readBatch, opts...)
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

// catchUpWithLeader is catchUp for a refusal: the direct gets catchUp reads
// with may be answered by a stream replica that has not stored the
// journal's latest events yet (on a cluster, a write acknowledged through
// another API replica a moment ago), and a refusal must hold against what
// the stream acknowledged. So it asks the stream's leader for the
// journal's last sequence and reads until the cached journal has it.
func (s *Store) catchUpWithLeader(ctx context.Context, id uuid.UUID, je *journalEntry) (bool, error) {
	before := je.lastSeq
	head, err := s.journalHead(ctx, id)
	if err != nil {
		return false, err
	}
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		if _, err := s.catchUp(ctx, id, je); err != nil {
			return false, err
		}
		if je.lastSeq >= head {
			return je.lastSeq != before, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// journalHead returns the sequence of the journal's last event as the
// stream's leader has it (0: none), with a message get the leader answers
// rather than a direct get any replica may answer.
func (s *Store) journalHead(ctx context.Context, id uuid.UUID) (uint64, error) {
	return s.leaderHead(ctx, JournalSubjects(id))
}

// leaderHead returns the sequence of the last message on subjects filter
// as the stream's leader has it (0: none).
func (s *Store) leaderHead(ctx context.Context, filter string) (uint64, error) {
	req, _ := json.Marshal(map[string]string{"last_by_subj": filter})
	msg, err := s.nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET."+s.cfg.Stream, req)
	if err != nil {
		return 0, err
	}
	var resp struct {
		Message *struct {
			Seq uint64 `json:"seq"`
		} `json:"message"`
		Error *struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(msg.Data, &resp); err != nil {
		return 0, err
	}
	switch {
	case resp.Error != nil && resp.Error.Code == 404:
		return 0, nil // no event on the journal
	case resp.Error != nil:
		return 0, fmt.Errorf("stream message get: %d %s", resp.Error.Code, resp.Error.Description)
	case resp.Message == nil:
		return 0, errors.New("stream message get: no message in the answer")
	}
	return resp.Message.Seq, nil
}
