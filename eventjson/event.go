package eventjson

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// rawEvent is the envelope as encoding/json reads it, the data left raw.
type rawEvent struct {
	ID         uuid.UUID       `json:"id"`
	Type       string          `json:"type"`
	Schema     int             `json:"schema"`
	PersonID   uuid.UUID       `json:"person_id"`
	Version    uint64          `json:"version"`
	Actor      domain.Actor    `json:"actor"`
	OccurredAt time.Time       `json:"occurred_at"`
	RecordedAt time.Time       `json:"recorded_at"`
	Data       json.RawMessage `json:"data"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// Decode parses an envelope and its typed data, upcasting old schemas:
// the event's Schema is then the current one, which its Data follows (the
// stored bytes, which the hash covers, keep the old one).
// Personal text is returned as stored (ciphertext); see domain.Data.TextFields.
func Decode(b []byte) (domain.Event, error) {
	if e, ok := scanEvent(b); ok {
		return e, nil
	}
	var r rawEvent
	if err := json.Unmarshal(b, &r); err != nil {
		return domain.Event{}, fmt.Errorf("decode envelope: %w", err)
	}
	d, err := decodeData(r.Type, r.Schema, r.Data)
	if err != nil {
		return domain.Event{}, err
	}
	return domain.Event{
		ID: r.ID, Type: r.Type, Schema: domain.SchemaOf(r.Type), PersonID: r.PersonID, Version: r.Version,
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
func Seal(e *domain.Event) ([]byte, error) {
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

// decodeData reads the data of an event once domain.UpcastData has brought
// it to its type's current schema.
func decodeData(eventType string, schema int, raw json.RawMessage) (domain.Data, error) {
	d, raw, err := domain.UpcastData(eventType, schema, raw)
	if err != nil {
		return nil, err
	}
	if scanData(d, raw) {
		return d, nil
	}
	d = domain.NewData(eventType) // the scan may have filled some of it
	if err := json.Unmarshal(raw, d); err != nil {
		return nil, fmt.Errorf("%s data: %w", eventType, err)
	}
	return d, nil
}
