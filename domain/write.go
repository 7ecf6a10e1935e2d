package domain

import (
	"errors"

	"github.com/google/uuid"
)

// Write is a command addressed to one journal, with the caller's preconditions.
type Write struct {
	PersonID uuid.UUID
	Command  Command
	Meta     Meta
	// IfVersion, when set, is the journal version the caller last read
	// (If-Match); a different current version is KindPrecondition.
	IfVersion *uint64
	// IdempotencyKey, when set, makes the write happen at most once within
	// the dedup window; RequestHash identifies the request it was first used
	// with, so a reuse with another request is a conflict.
	IdempotencyKey string
	RequestHash    string
}

// Written is the outcome of a Write.
type Written struct {
	Event    Event // as stored, with its Sequence; text fields in clear
	Replayed bool  // an idempotent repeat: nothing new was appended
	// Pending: stored, but the answering replica's read models had not
	// applied it within their bound when the answer went out (the API's
	// 202 with "visible": false); a read with X-Min-Sequence waits for it.
	Pending bool
}

// CodeIdempotencyKeyReused is the conflict code of a key reused with another request.
const CodeIdempotencyKeyReused = "idempotency_key_reused"

// CodeOutcomeUnknown is the KindUnavailable code of a write that was sent
// to the store but whose acknowledgement never came (a timeout, a lost
// connection): it may or may not be stored. A retry with the same
// idempotency key answers as the first would have, appending nothing twice.
// A plain KindUnavailable, by contrast, is a definite refusal: nothing was
// stored.
const CodeOutcomeUnknown = "outcome_unknown"

// IsOutcomeUnknown reports whether err says a write's outcome is unknown.
func IsOutcomeUnknown(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindUnavailable && e.Code == CodeOutcomeUnknown
}

// ResourceID returns the id of what an event created: the person, meeting,
// commitment or PIP; for other events, the event's own id.
func (e Event) ResourceID() uuid.UUID {
	switch d := e.Data.(type) {
	case *PersonRegistered:
		return e.PersonID
	case *MeetingHeld:
		return d.MeetingID
	case *CommitmentMade:
		return d.CommitmentID
	case *PIPOpened:
		return d.PIPID
	}
	return e.ID
}
