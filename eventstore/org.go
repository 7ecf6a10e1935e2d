package eventstore

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// The org condition. A structural change (registration, manager change,
// departure: domain.Structural) is decided by domain.DecideOrg against the
// org folded from every journal's person events up to the last sequence L
// of personSubjects, and appended as one atomic batch of two messages:
//
//  1. an org marker on OrgMarkerSubject, conditional on L still being the
//     last sequence of personSubjects;
//  2. the person's event, conditional on their journal's last sequence.
//
// The server stores both or neither, so a structural change is stored only
// when no person event was stored after the org state it was decided on:
// two concurrent changes (A under B, B under A) cannot both pass; the
// loser is decided again on the fresh org, where it now makes a cycle.
//
// Markers carry no data and belong to no journal. They are stored in the
// stream (so Follow and Tail deliver their sequence and a follower sees no
// gap) and skipped by every reader of events:
//   - Follow/Tail: the decoding pipeline (pipeline.go) hands h the marker's
//     sequence with ErrMarker, so projections advance their sequence and
//     apply nothing, a live tail skips it (every error is skipped) and the
//     export skips it (cmd/coachjournal/export_run.go);
//   - the event feed (read.go, querySubjects) and verify
//     (Verify's scan, journal.go) read only journal.> (AllJournals),
//     which markers are outside;
//   - journal loads and the org fold read journal subjects only.
const (
	OrgMarkerSubject = "org.guard"
	personSubjects   = "journal.*.person.>"
)

// ErrMarker is the error Follow and Tail pass with an org marker's
// sequence: it is not an event, and it is not damage either. A reader that
// does not import this package (export) recognises it by its NotAnEvent
// method.
var ErrMarker error = markerError{}

type markerError struct{}

func (markerError) Error() string { return "eventstore: an org marker, not an event" }

// NotAnEvent marks the error as a message that holds no event.
func (markerError) NotAnEvent() bool { return true }

// IsMarker reports whether a stored message's subject is an org marker's.
func IsMarker(subject string) bool { return subject == OrgMarkerSubject }

// orgState is the Store's cached org; its mutex is held from the org
// decision to the publish, after the journal's (never the other way).
type orgState struct {
	mu      sync.Mutex
	org     *domain.Org
	lastSeq uint64 // the last sequence of personSubjects folded into org
}

// WarmOrg folds the org from the stream now, so that the first structural
// write after a start (a registration, a manager change, a departure)
// does not wait for it; serve runs it in the background once it has
// caught up. It returns the number of people in the org.
func (s *Store) WarmOrg(ctx context.Context) (int, error) {
	s.org.mu.Lock()
	defer s.org.mu.Unlock()
	if err := s.catchUpOrg(ctx); err != nil {
		return 0, s.unavailable("load org", err)
	}
	return len(s.org.org.People()), nil
}

// catchUpOrg folds the person events stored after the last one folded.
// From zero (a start, or after an error) it reads every person event up to
// the last one the stream's leader has, through an ordered consumer
// (readAll): the filter is a wildcard over every journal, which a direct
// batch get pays for on each message it sends. After that it reads what
// is new with direct batch gets, which cost no consumer and no request to
// the leader for the few events a write finds. An event that does not
// decode still advances lastSeq but not the org. Called with s.org.mu held.
func (s *Store) catchUpOrg(ctx context.Context) error {
	o := &s.org
	fold := func(seq uint64, subject string, data []byte) {
		o.lastSeq = seq
		e, err := decodeStored(subject, data)
		if err != nil {
			s.log.Warn("org: skipping an undecodable event", "seq", seq, "subject", subject, "err", err)
			return
		}
		o.org.Evolve(e)
	}
	var err error
	if o.org == nil {
		o.org, o.lastSeq = domain.NewOrg(), 0
		err = s.readAll(ctx, personSubjects, fold)
	} else {
		err = s.scan(ctx, personSubjects, o.lastSeq, func(m *jetstream.RawStreamMsg) { fold(m.Sequence, m.Subject, m.Data) })
	}
	if err != nil {
		o.org = nil // reload from scratch next time
	}
	return err
}

// catchUpOrgWithLeader is catchUpOrg up to the last person event the
// stream's leader has (journal.go catchUpWithLeader does the same for a
// journal). Called with s.org.mu held.
func (s *Store) catchUpOrgWithLeader(ctx context.Context) error {
	head, err := s.leaderHead(ctx, personSubjects)
	if err != nil {
		return err
	}
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		if err := s.catchUpOrg(ctx); err != nil {
			return err
		}
		if s.org.lastSeq >= head {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// Org returns the org as the stream holds it now, folded afresh (for
// tests and tools; writes use the cached one). Errors: KindUnavailable.
func (s *Store) Org(ctx context.Context) (*domain.Org, error) {
	o := domain.NewOrg()
	err := s.readAll(ctx, personSubjects, func(_ uint64, subject string, data []byte) {
		if e, err := decodeStored(subject, data); err == nil {
			o.Evolve(e)
		}
	})
	if err != nil {
		return nil, s.unavailable("load org", err)
	}
	return o, nil
}

// orgMarker is the marker of a structural append decided at org sequence after.
func orgMarker(after uint64) *nats.Msg {
	m := nats.NewMsg(OrgMarkerSubject)
	m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(after, 10))
	m.Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, personSubjects)
	return m
}

// appendStructural decides e against the org and appends it with an org
// marker (see above). A refusal is the org's rule's error; a lost race on
// the org or the journal is a wrong-last-sequence error, as from append.
func (s *Store) appendStructural(ctx context.Context, je *journalEntry, e *domain.Event, msgID, requestHash string) (*jetstream.PubAck, error) {
	s.org.mu.Lock()
	defer s.org.mu.Unlock()
	if err := s.catchUpOrg(ctx); err != nil {
		return nil, s.unavailable("load org", err)
	}
	if err := domain.DecideOrg(s.org.org, *e); err != nil {
		// A refusal must hold against what the stream acknowledged, not a
		// stream replica that trails the leader (direct gets may be
		// answered by one): read up to the leader's last person event and
		// decide again.
		if ferr := s.catchUpOrgWithLeader(ctx); ferr != nil {
			return nil, s.unavailable("refresh org", ferr)
		}
		if err := domain.DecideOrg(s.org.org, *e); err != nil {
			return nil, err
		}
	}
	m, err := s.eventMsg(ctx, je, e, msgID, requestHash) // execute.go
	if err != nil {
		return nil, err
	}
	// The event last: the batch's ack carries its sequence.
	ack, err := jetstreamext.PublishMsgBatch(ctx, s.js, []*nats.Msg{orgMarker(s.org.lastSeq), m})
	switch {
	case err == nil:
		s.org.org.Evolve(*e)
		s.org.lastSeq = ack.Sequence
		return &jetstream.PubAck{Stream: ack.Stream, Sequence: ack.Sequence}, nil
	case wrongLastSequence(err):
		return nil, err
	case duplicateInBatch(err):
		// The key is stored already: the reloaded journal holds it, and
		// Execute answers as the first write did.
		return nil, errLostRace
	}
	je.j = nil // the outcome may be unknown: reload before the next decision
	return nil, s.publishFailed(err)
}

// errLostRace stands for a wrong last sequence that the server reported
// otherwise (a repeated message id in an atomic batch).
var errLostRace = &jetstream.APIError{ErrorCode: jetstream.JSErrCodeStreamWrongLastSequence, Description: "lost race"}

func duplicateInBatch(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstreamext.JSErrCodeBatchPublishDuplicateMsgID
}
