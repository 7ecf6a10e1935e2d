package eventstore

import (
	"context"
	"strconv"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Execute decides w.Command against the person's journal and appends the
// event it records, conditionally on the journal's last sequence; a lost
// race is retried a few times against the fresh journal. A structural
// change of the org (domain.Structural) is also decided against the org
// and appended under the org condition (org.go), so the org's rules hold
// whatever the concurrency. A repeat of an
// idempotent write answers as the first did (Replayed) and appends nothing.
// ErasePerson also shreds the person's data key.
//
// Errors: the kinds of domain.Decide and domain.DecideOrg; KindPrecondition when w.IfVersion is
// stale; KindConflict when the race is lost too often, or with code
// idempotency_key_reused when the key was used with another request;
// KindUnavailable when the store cannot be reached or refuses the write
// (nothing was stored), and KindUnavailable with code
// domain.CodeOutcomeUnknown when the write was sent but not acknowledged
// (it may be stored; a retry with the same idempotency key tells). The
// whole write is bounded by Config.WriteTimeout.
func (s *Store) Execute(ctx context.Context, w domain.Write) (domain.Written, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	defer cancel()
	var msgID string
	if w.IdempotencyKey != "" {
		msgID = w.PersonID.String() + ":" + w.IdempotencyKey
	}
	je := s.entry(w.PersonID)
	defer s.trim() // after the unlock below
	je.mu.Lock()
	defer je.mu.Unlock()
	if je.j == nil {
		if _, err := s.catchUp(ctx, w.PersonID, je); err != nil {
			return domain.Written{}, s.unavailable("load journal", err)
		}
	}
	for range maxAttempts {
		if seq, ok := je.keys.find(msgID, s.cfg.DuplicateWindow); ok {
			return s.replay(ctx, w, seq)
		}
		e, err := s.decide(je, w)
		if err != nil {
			// A refusal must hold against the stream, not a stale cache
			// nor a stream replica that trails the leader.
			fresh, cerr := s.catchUpWithLeader(ctx, w.PersonID, je)
			if cerr != nil {
				return domain.Written{}, s.unavailable("refresh journal", cerr)
			}
			if fresh {
				continue
			}
			return domain.Written{}, s.refused(ctx, je, w, err)
		}
		var ack *jetstream.PubAck
		if domain.StructuralType(e.Type) {
			ack, err = s.appendStructural(ctx, je, &e, msgID, w.RequestHash) // org.go
		} else {
			ack, err = s.append(ctx, je, &e, msgID, w.RequestHash)
		}
		switch {
		case wrongLastSequence(err):
			if _, err := s.catchUp(ctx, w.PersonID, je); err != nil {
				return domain.Written{}, s.unavailable("refresh journal", err)
			}
			continue
		case err != nil:
			return domain.Written{}, err
		case ack.Duplicate:
			return s.replay(ctx, w, ack.Sequence)
		}
		return s.appended(ctx, je, e, msgID, ack)
	}
	return domain.Written{}, domain.Errorf(domain.KindConflict, "journal %s is changing too fast; try again", w.PersonID)
}

// decide checks the precondition, then the command.
func (s *Store) decide(je *journalEntry, w domain.Write) (domain.Event, error) {
	if w.IfVersion != nil && *w.IfVersion != je.j.Version() {
		return domain.Event{}, &domain.Error{Kind: domain.KindPrecondition,
			Message: "journal is at version " + strconv.FormatUint(je.j.Version(), 10) + ", not " + strconv.FormatUint(*w.IfVersion, 10)}
	}
	return domain.Decide(je.j, w.Command, w.Meta)
}

// refused returns a decision's error; a repeated erasure first makes sure
// the erasure is finished (repairing a crash between append and shredding).
func (s *Store) refused(ctx context.Context, je *journalEntry, w domain.Write, err error) error {
	if _, erasing := w.Command.(domain.ErasePerson); erasing && je.j.Erased() && domain.KindOf(err) == domain.KindConflict {
		if kerr := s.finishErasure(ctx, w.PersonID); kerr != nil {
			return kerr
		}
	}
	return err
}

// eventMsg encrypts and seals e into the message that appends it to its
// journal only if the journal's last sequence is still je.lastSeq, with its
// idempotency key; it fails fast when the store cannot take a write.
func (s *Store) eventMsg(ctx context.Context, je *journalEntry, e *domain.Event, msgID, requestHash string) (*nats.Msg, error) {
	b, err := s.sealEvent(ctx, e)
	if err != nil {
		if domain.KindOf(err) != domain.KindInternal {
			return nil, err
		}
		return nil, s.unavailable("data key", err)
	}
	m := nats.NewMsg(Subject(e.PersonID, e.Type))
	m.Data = b
	m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(je.lastSeq, 10))
	m.Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, JournalSubjects(e.PersonID))
	if msgID != "" {
		m.Header.Set(jetstream.MsgIDHeader, msgID)
		m.Header.Set(hdrRequestHash, requestHash)
	}
	if err := s.sendable(ctx); err != nil {
		return nil, s.publishFailed(err)
	}
	return m, nil
}

// append encrypts, seals and publishes e conditionally on je.lastSeq.
func (s *Store) append(ctx context.Context, je *journalEntry, e *domain.Event, msgID, requestHash string) (*jetstream.PubAck, error) {
	m, err := s.eventMsg(ctx, je, e, msgID, requestHash)
	if err != nil {
		return nil, err
	}
	ack, err := s.publish(ctx, m) // groupcommit.go
	if err != nil && !wrongLastSequence(err) {
		je.j = nil // the outcome may be unknown: reload before the next decision
		return nil, s.publishFailed(err)
	}
	return ack, err
}

// appended folds the stored event into the cache and finishes an erasure.
func (s *Store) appended(ctx context.Context, je *journalEntry, e domain.Event, msgID string, ack *jetstream.PubAck) (domain.Written, error) {
	s.writeSucceeded()
	e.Sequence = ack.Sequence
	je.j.Evolve(e)
	je.lastSeq = ack.Sequence
	je.keys.record(msgID, ack.Sequence, time.Now(), s.cfg.DuplicateWindow)
	if _, erased := e.Data.(*domain.PersonErased); erased {
		if err := s.finishErasure(ctx, e.PersonID); err != nil {
			return domain.Written{}, err // the event is stored; repeating the erasure repairs the rest
		}
	}
	return domain.Written{Event: e}, nil
}

// finishErasure does what an erasure does beyond its event: it shreds the
// person's data key (their text becomes unreadable everywhere) and forgets
// their nudge preferences. Both are idempotent, so a repeated erasure
// repairs one that crashed half-way. Errors: KindUnavailable.
func (s *Store) finishErasure(ctx context.Context, id uuid.UUID) error {
	if err := s.keys.erase(ctx, id); err != nil {
		return s.unavailable("erase key", err)
	}
	return s.forgetNudgePrefs(ctx, id.String())
}
