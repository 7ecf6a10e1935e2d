package domain

import (
	"time"

	"github.com/google/uuid"
)

// ReadRecord is one read of a PIP (an `audit.read` record of the AUDIT
// stream): who read which PIP, when, through which channel and request.
// It holds ids only, never personal text, so erasure leaves it as it is and
// it needs no encryption; names are resolved when it is shown.
type ReadRecord struct {
	ID        uuid.UUID `json:"id"` // UUIDv7, also the message id (dedup of a retried publish)
	Type      string    `json:"type"`
	Reader    Actor     `json:"reader"` // the token's sub and role
	PersonID  uuid.UUID `json:"person_id"`
	PIPID     uuid.UUID `json:"pip_id"`
	At        time.Time `json:"at"`         // server clock when the read was served
	RequestID string    `json:"request_id"` // the request's X-Request-Id
	Via       string    `json:"via"`        // "api" or "ui"
	Sequence  uint64    `json:"sequence"`   // AUDIT stream sequence, set when stored
}

// ReadRecordType is the type of every read record.
const ReadRecordType = "audit.read"

// NewReadRecord returns a read record with a fresh id.
func NewReadRecord(reader Actor, personID, pipID uuid.UUID, at time.Time, requestID, via string) ReadRecord {
	return ReadRecord{ID: newID(), Type: ReadRecordType, Reader: reader, PersonID: personID, PIPID: pipID,
		At: at.UTC(), RequestID: requestID, Via: via}
}
