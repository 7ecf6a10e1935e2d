package domain

import (
	"time"

	"github.com/google/uuid"
)

// Role is what a caller may do; it travels in tokens and in every event's actor.
type Role string

// The roles of §4.
const (
	RoleAdmin   Role = "admin"
	RoleHR      Role = "hr"
	RoleAnalyst Role = "analyst"
	RoleMember  Role = "member"
)

// ParseRole checks that s names a role.
func ParseRole(s string) (Role, bool) {
	switch r := Role(s); r {
	case RoleAdmin, RoleHR, RoleAnalyst, RoleMember:
		return r, true
	}
	return "", false
}

// Actor is who caused an event: a person id, or a service name, with its role.
type Actor struct {
	ID   string `json:"id"`
	Role Role   `json:"role"`
}

// PersonID returns the actor's id as a person id, if it is one.
func (a Actor) PersonID() (uuid.UUID, bool) {
	id, err := uuid.Parse(a.ID)
	return id, err == nil
}

// Data is the payload of one event type.
type Data interface {
	// EventType is the stable type name, e.g. "commitment.made".
	EventType() string
	// TextFields points at the personal free-text fields, which are stored
	// encrypted under the person's data key and read "[erased]" once it is gone.
	TextFields() []*string
}

// Event is the envelope of every journal entry (SPEC §2).
type Event struct {
	ID         uuid.UUID `json:"id"`
	Type       string    `json:"type"`
	Schema     int       `json:"schema"`
	PersonID   uuid.UUID `json:"person_id"`
	Version    uint64    `json:"version"` // the journal's version after this event: 1, 2, 3…
	Actor      Actor     `json:"actor"`
	OccurredAt time.Time `json:"occurred_at"`
	RecordedAt time.Time `json:"recorded_at"`
	Data       Data      `json:"data"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash,omitempty"`

	// Sequence is the stream sequence the event was stored at; not part of the envelope.
	Sequence uint64 `json:"-"`
}

// Erased is what personal text reads once its key is gone.
const Erased = "[erased]"
