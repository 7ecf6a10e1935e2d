package domain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

// Subject returns the JetStream subject of an event of this type in id's journal.
func Subject(personID uuid.UUID, eventType string) string {
	return "journal." + personID.String() + "." + eventType
}

// AllJournals is the subject filter of every journal's events. The stream
// also holds org markers (eventstore/org.go), which are outside it.
const AllJournals = "journal.>"

// JournalSubjects returns the wildcard subject of one person's journal.
func JournalSubjects(personID uuid.UUID) string {
	return "journal." + personID.String() + ".>"
}

type rawEvent struct {
	ID         uuid.UUID       `json:"id"`
	Type       string          `json:"type"`
	Schema     int             `json:"schema"`
	PersonID   uuid.UUID       `json:"person_id"`
	Version    uint64          `json:"version"`
	Actor      Actor           `json:"actor"`
	OccurredAt time.Time       `json:"occurred_at"`
	RecordedAt time.Time       `json:"recorded_at"`
	Data       json.RawMessage `json:"data"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// DecodeEvent parses an envelope and its typed data, upcasting old schemas:
// the event's Schema is then the current one, which its Data follows (the
// stored bytes, which the hash covers, keep the old one).
// Personal text is returned as stored (ciphertext); see Data.TextFields.
func DecodeEvent(b []byte) (Event, error) {
	if e, ok := scanEvent(b); ok {
		return e, nil
	}
	var r rawEvent
	if err := json.Unmarshal(b, &r); err != nil {
		return Event{}, fmt.Errorf("decode envelope: %w", err)
	}
	d, err := decodeData(r.Type, r.Schema, r.Data)
	if err != nil {
		return Event{}, err
	}
	return Event{
		ID: r.ID, Type: r.Type, Schema: SchemaOf(r.Type), PersonID: r.PersonID, Version: r.Version,
		Actor: r.Actor, OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt, Data: d,
		PrevHash: r.PrevHash, Hash: r.Hash,
	}, nil
}

// Canonical returns the canonical bytes of a JSON document: object keys
// sorted, no insignificant white space, numbers as written, strings escaped
// as encoding/json escapes them. With drop set, that top-level key is left out.
func Canonical(doc []byte, drop string) ([]byte, error) {
	c := newCanonWriter()
	defer c.free()
	if c.out = c.out[:0]; c.write(doc, drop) {
		return bytes.Clone(c.out), nil
	}
	return canonicalJSON(doc, drop)
}

// canonicalJSON is Canonical by encoding/json, which defines it: the fast
// path must give its bytes, and leaves to it whatever it cannot.
func canonicalJSON(doc []byte, drop string) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical: %w", err)
	}
	if m, ok := v.(map[string]any); ok && drop != "" {
		delete(m, drop)
	}
	return json.Marshal(v)
}

// ChainHash returns hex(SHA-256(prevHash || canonical)).
func ChainHash(prevHash string, canonical []byte) string {
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write(canonical)
	return hex.EncodeToString(h.Sum(nil))
}

// Seal computes e's hash over its canonical envelope and returns the
// envelope bytes with the hash in place. The text fields must already hold
// what is to be stored (ciphertext).
func Seal(e *Event) ([]byte, error) {
	e.Hash = ""
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	h, err := sealHash(e.PrevHash, b)
	if err != nil {
		return nil, err
	}
	e.Hash = h
	return withHash(b, h), nil
}

// VerifyHash recomputes the hash of a stored envelope and reports whether it
// matches the one it carries, and what prev_hash it claims.
func VerifyHash(stored []byte) (ok bool, prevHash, hash string, err error) {
	if ok, prevHash, hash, done := verifyFast(stored); done {
		return ok, prevHash, hash, nil
	}
	var head struct {
		PrevHash string `json:"prev_hash"`
		Hash     string `json:"hash"`
	}
	if err := json.Unmarshal(stored, &head); err != nil {
		return false, "", "", fmt.Errorf("decode envelope: %w", err)
	}
	c, err := Canonical(stored, "hash")
	if err != nil {
		return false, "", "", err
	}
	return ChainHash(head.PrevHash, c) == head.Hash, head.PrevHash, head.Hash, nil
}
