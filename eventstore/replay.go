package eventstore

import (
	"context"
	"errors"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"
)

// replay answers a repeated idempotent write with the event stored at seq
// the first time, if it was the same request.
func (s *Store) replay(ctx context.Context, w domain.Write, seq uint64) (domain.Written, error) {
	m, err := s.stream.GetMsg(ctx, seq)
	if err != nil {
		return domain.Written{}, s.unavailable("get message", err)
	}
	if m.Header.Get(hdrRequestHash) != w.RequestHash {
		return domain.Written{}, domain.ConflictCode(domain.CodeIdempotencyKeyReused,
			"idempotency key %q was already used with another request", w.IdempotencyKey)
	}
	e, err := decodeStored(m.Subject, m.Data)
	if err == nil && e.PersonID != w.PersonID {
		err = errors.New("stored under another journal")
	}
	if err != nil {
		s.log.Error("idempotent replay of an undecodable event", "seq", seq, "err", err)
		return domain.Written{}, domain.Errorf(domain.KindInternal, "the event stored for this idempotency key cannot be read")
	}
	if _, erased := e.Data.(*domain.PersonErased); erased {
		if err := s.finishErasure(ctx, e.PersonID); err != nil {
			return domain.Written{}, err
		}
	}
	d := decrypter{keys: s.keys}
	if err := d.open(ctx, &e); err != nil {
		return domain.Written{}, s.unavailable("data key", err)
	}
	e.Sequence = seq
	return domain.Written{Event: e, Replayed: true}, nil
}

// ReadJournal returns every event of a person's journal in order, with its
// Sequence and its text in clear (domain.Erased once the key is gone). A
// message that does not decode is skipped and logged. An unknown person has
// an empty journal. Errors: KindUnavailable.
func (s *Store) ReadJournal(ctx context.Context, personID uuid.UUID) ([]domain.Event, error) {
	var out []domain.Event
	d := decrypter{keys: s.keys}
	var derr error
	err := s.scan(ctx, JournalSubjects(personID), 0, func(m *jetstream.RawStreamMsg) {
		e, err := decodeStored(m.Subject, m.Data)
		if err != nil {
			s.log.Warn("skipping an undecodable event", "seq", m.Sequence, "err", err)
			return
		}
		if err := d.open(ctx, &e); err != nil && derr == nil {
			derr = err
		}
		e.Sequence = m.Sequence
		out = append(out, e)
	})
	if err == nil {
		err = derr
	}
	if err != nil {
		return nil, s.unavailable("read journal", err)
	}
	return out, nil
}
