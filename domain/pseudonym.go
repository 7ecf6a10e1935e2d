package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/google/uuid"
)

// PseudonymLen is the length of a pseudonym: 32 hex digits, 128 bits of
// HMAC-SHA-256.
const PseudonymLen = 32

// Pseudonymizer replaces person ids and actors by keyed pseudonyms and
// drops personal text, for analysts. The same key gives the same pseudonym
// for a person everywhere (feed, live tail, export); without the key a
// pseudonym cannot be linked back to a person id, nor recomputed from a
// guessed one.
type Pseudonymizer struct {
	key []byte
}

// NewPseudonymizer returns a Pseudonymizer keyed with key (at least 32 bytes).
func NewPseudonymizer(key []byte) (*Pseudonymizer, error) {
	if len(key) < 32 {
		return nil, errors.New("pseudonym key must be at least 32 bytes")
	}
	return &Pseudonymizer{key: append([]byte(nil), key...)}, nil
}

// Of returns the pseudonym of a person: the first 32 hex digits of
// HMAC-SHA-256(key, the id in its canonical lower-case form).
func (p *Pseudonymizer) Of(id uuid.UUID) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(id.String()))
	return hex.EncodeToString(m.Sum(nil))[:PseudonymLen]
}

// Actor returns the pseudonym of an actor's id: a person's, the same as
// Of; any other subject (a service name such as "ops", or a login name)
// the first 32 hex digits of HMAC-SHA-256(key, the subject as is). The two
// cannot meet: a subject that is not a UUID never spells a canonical one.
// Service actors are not marked as such: the subject of a service token
// can be a person's login.
func (p *Pseudonymizer) Actor(id string) string {
	if u, err := uuid.Parse(id); err == nil {
		return p.Of(u)
	}
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))[:PseudonymLen]
}

func (p *Pseudonymizer) optional(id *uuid.UUID) *string {
	if id == nil {
		return nil
	}
	s := p.Of(*id)
	return &s
}

// AnalystEvent is an envelope as analysts read it: person ids and actors
// pseudonymized, personal text emptied, everything else (numbers, dates,
// types, other ids) as stored. It carries no hash and no prev_hash: the
// chain hashes the clear envelope, so a hash let anyone with a candidate
// person id recompute it and confirm whose pseudonym it was. Analysts who
// need integrity ask GET /v1/audit/verify, which checks the chains with
// the clear envelopes on the server.
type AnalystEvent struct {
	Sequence   uint64    `json:"sequence"`
	ID         uuid.UUID `json:"id"`
	Type       string    `json:"type"`
	Schema     int       `json:"schema"`
	PersonID   string    `json:"person_id"` // the pseudonym
	Version    uint64    `json:"version"`
	Actor      Actor     `json:"actor"` // its id pseudonymized (Pseudonymizer.Actor), its role as is
	OccurredAt time.Time `json:"occurred_at"`
	RecordedAt time.Time `json:"recorded_at"`
	Data       any       `json:"data"`
}

// Event returns e as analysts read it. It empties e's text fields in place
// (every Data.TextFields field, clear or encrypted), so e must be the
// caller's own copy.
func (p *Pseudonymizer) Event(e Event) AnalystEvent {
	for _, f := range e.Data.TextFields() {
		*f = ""
	}
	return AnalystEvent{
		Sequence: e.Sequence, ID: e.ID, Type: e.Type, Schema: e.Schema, PersonID: p.Of(e.PersonID),
		Version: e.Version, Actor: Actor{ID: p.Actor(e.Actor.ID), Role: e.Actor.Role},
		OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Data: p.data(e.Data),
	}
}

// data shadows the fields of e's data that name a person with their
// pseudonyms (a field of the outer struct wins over the embedded one in
// encoding/json). TestPersonFieldsArePseudonymized keeps this list complete.
func (p *Pseudonymizer) data(d Data) any {
	switch d := d.(type) {
	case *PersonRegistered:
		return struct {
			*PersonRegistered
			ManagerID *string `json:"manager_id,omitempty"`
		}{d, p.optional(d.ManagerID)}
	case *ManagerChanged:
		return struct {
			ManagerID *string `json:"manager_id"`
		}{p.optional(d.ManagerID)}
	case *MeetingHeld:
		return struct {
			*MeetingHeld
			WithID string `json:"with_id"`
		}{d, p.Of(d.WithID)}
	}
	return d
}
