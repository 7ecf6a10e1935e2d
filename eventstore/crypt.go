package eventstore

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventjson"
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
	b, err := eventjson.Seal(e)
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
		text := (*p)[len(encPrefix):]
		if n := openScratch(len(text)); cap(d.scratch) < n {
			d.scratch = make([]byte, n)
		}
		plain, err := open(a, e.PersonID, text, d.scratch)
		if err != nil {
			*p = domain.Erased
			continue
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

// openScratch is the scratch space open needs for a text of n bytes: a copy
// of the text (base64 decodes from bytes) and the decoded bytes.
func openScratch(n int) int { return n + base64.StdEncoding.DecodedLen(n) }

// open reverses seal, working in scratch when it is large enough (see
// openScratch); the clear text it returns then lives in scratch.
func open(a cipher.AEAD, id uuid.UUID, text string, scratch []byte) ([]byte, error) {
	n := base64.StdEncoding.DecodedLen(len(text))
	if cap(scratch) < len(text)+n {
		scratch = make([]byte, len(text)+n)
	}
	src := append(scratch[:0], text...)
	m, err := base64.StdEncoding.Decode(scratch[len(text):len(text)+n], src)
	if err != nil {
		return nil, err
	}
	b := scratch[len(text) : len(text)+m]
	if len(b) < a.NonceSize()+a.Overhead() {
		return nil, errors.New("ciphertext too short")
	}
	return a.Open(b[a.NonceSize():a.NonceSize()], b[:a.NonceSize()], b[a.NonceSize():], id[:])
}
