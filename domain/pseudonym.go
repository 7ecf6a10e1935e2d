package domain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

// data returns d as analysts read it: every UUID in it replaced by its
// keyed pseudonym (Of). A person's (manager_id, with_id) becomes the
// person's pseudonym; a meeting's, commitment's, PIP's or goal's becomes
// one of its own, so that events still join on it. Random ids would do no
// harm in clear, but some are derived: an import's meeting, commitment
// and PIP ids are UUIDv5 of the person id and the line's ref, which a
// guessed person id and ref would recompute. d's text is already empty,
// so every remaining string is an id, an enum, a date, a period or a
// metric name. TestPersonFieldsArePseudonymized lists the UUID fields.
func (p *Pseudonymizer) data(d Data) any {
	b, err := json.Marshal(d)
	if err != nil {
		return struct{}{} // not seen: every Data marshals; show nothing rather than ids
	}
	return json.RawMessage(p.replaceUUIDs(b))
}

// replaceUUIDs rewrites, in place, every JSON string that is a UUID in
// canonical form (as encoding/json writes a uuid.UUID) into its
// pseudonym, which is shorter; it returns the shortened b.
func (p *Pseudonymizer) replaceUUIDs(b []byte) []byte {
	const n = 36 // len of a canonical UUID
	out := b[:0]
	for i := 0; i < len(b); {
		if b[i] == '"' && i+n+1 < len(b) && b[i+n+1] == '"' && canonicalUUID(b[i+1:i+1+n]) {
			id, _ := uuid.ParseBytes(b[i+1 : i+1+n])
			out = append(out, '"')
			out = append(out, p.Of(id)...)
			out = append(out, '"')
			i += n + 2
			continue
		}
		out = append(out, b[i])
		i++
	}
	return out
}

// canonicalUUID reports whether s is a UUID as uuid.UUID.String writes it.
func canonicalUUID(s []byte) bool {
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return len(s) == 36
}
