package eventstore

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// encPrefix marks an encrypted text field: "enc:v1:" + base64(nonce||ciphertext).
const encPrefix = "enc:v1:"

// sealEvent encrypts e's non-empty text fields, seals the envelope (the hash
// covers the ciphertext) and puts the clear text back. It returns the bytes
// to store.
func (s *Store) sealEvent(ctx context.Context, e *domain.Event) ([]byte, error) {
	fields := e.Data.TextFields()
	var clear []string
	var a cipher.AEAD
	for _, p := range fields {
		if *p == "" {
			continue
		}
		if a == nil {
			var err error
			if a, err = s.keys.forWrite(ctx, e.PersonID); err != nil {
				return nil, err
			}
			clear = make([]string, len(fields))
		}
	}
	for i, p := range fields {
		if *p != "" {
			clear[i] = *p
			*p = encPrefix + seal(a, e.PersonID, []byte(*p))
		}
	}
	b, err := domain.Seal(e)
	for i, p := range fields {
		if *p != "" {
			*p = clear[i]
		}
	}
	return b, err
}

// decrypter opens the text fields of events read from the stream. It keeps
// scratch space between events, so it is not safe for concurrent use.
type decrypter struct {
	keys    *keyring
	scratch []byte
}

// open replaces every encrypted field of e by its clear text, or by
// domain.Erased when the key is gone or the ciphertext does not open. It
// returns an error only when the key store cannot be reached.
func (d *decrypter) open(ctx context.Context, e *domain.Event) error {
	var a cipher.AEAD
	var gone bool
	for _, p := range e.Data.TextFields() {
		if !strings.HasPrefix(*p, encPrefix) {
			continue
		}
		if a == nil && !gone {
			var err error
			a, err = d.keys.forRead(ctx, e.PersonID)
			if errors.Is(err, errErased) {
				gone = true
			} else if err != nil {
				return err
			}
		}
		if gone {
			*p = domain.Erased
			continue
		}
		plain, err := open(a, e.PersonID, (*p)[len(encPrefix):], d.scratch)
		if err != nil {
			*p = domain.Erased
			continue
		}
		if cap(plain) > cap(d.scratch) {
			d.scratch = plain[:0]
		}
		*p = string(plain)
	}
	return nil
}

// seal returns base64(nonce || AES-GCM(plain)) with the person id as AAD.
func seal(a cipher.AEAD, id uuid.UUID, plain []byte) string {
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plain)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.StdEncoding.EncodeToString(a.Seal(nonce, nonce, plain, id[:]))
}

// open reverses seal, decoding into scratch when it is large enough.
func open(a cipher.AEAD, id uuid.UUID, text string, scratch []byte) ([]byte, error) {
	n := base64.StdEncoding.DecodedLen(len(text))
	if cap(scratch) < n {
		scratch = make([]byte, n)
	}
	m, err := base64.StdEncoding.Decode(scratch[:n], []byte(text))
	if err != nil {
		return nil, err
	}
	b := scratch[:m]
	if len(b) < a.NonceSize()+a.Overhead() {
		return nil, errors.New("ciphertext too short")
	}
	return a.Open(b[a.NonceSize():a.NonceSize()], b[:a.NonceSize()], b[a.NonceSize():], id[:])
}
