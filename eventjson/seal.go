package eventjson

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// sealHash returns ChainHash(prevHash, Canonical(b, "hash")), hashing the
// two from one buffer.
func sealHash(prevHash string, b []byte) (string, error) {
	c := newCanonWriter()
	defer c.free()
	c.out = append(c.out[:0], prevHash...)
	if !c.write(b, "hash") {
		slow, err := canonicalJSON(b, "hash")
		if err != nil {
			return "", err
		}
		c.out = append(c.out[:len(prevHash)], slow...)
	}
	var h [2 * sha256.Size]byte
	hexSum(&h, c.out)
	return string(h[:]), nil
}

func hexSum(h *[2 * sha256.Size]byte, b []byte) {
	sum := sha256.Sum256(b)
	hex.Encode(h[:], sum[:])
}

// withHash returns b, what json.Marshal wrote for an Event with no hash, as
// it writes the event once hash is set: Hash is the last field, left out
// when empty, and a hex digest needs no escaping. TestSealBytes holds
// json.Marshal to this.
func withHash(b []byte, hash string) []byte {
	out := make([]byte, 0, len(b)+len(`,"hash":""`)+len(hash))
	out = append(out, b[:len(b)-1]...)
	out = append(out, `,"hash":"`...)
	out = append(out, hash...)
	return append(out, `"}`...)
}

// verifyFast is VerifyHash for what the canonical fast path reads, when the
// head's fields are read as plainly as encoding/json would read them: one
// top-level object, hash and prev_hash at most once each and strings, no
// other key that it might match to them. Otherwise done is false, and only
// encoding/json's reading gives the answer, or the error.
func verifyFast(stored []byte) (ok bool, prevHash, hash string, done bool) {
	const room = 2 * sha256.Size // before the canonical bytes, for prev_hash
	c := newCanonWriter()
	defer c.free()
	c.out = append(c.out[:0], make([]byte, room)...)
	if !c.write(stored, "hash") || c.out[room] != '{' {
		return false, "", "", false
	}
	prev, okPrev := stringToken(c.head.prevHash)
	h, okHash := stringToken(c.head.hash)
	if !okPrev || !okHash || c.head.oddKey || c.head.nHash > 1 || c.head.nPrevHash > 1 {
		return false, "", "", false
	}
	var canon []byte
	if len(prev) <= room {
		canon = c.out[room-len(prev):]
		copy(canon, prev)
	} else { // not a digest: forged or foreign
		canon = slices.Concat(prev, c.out[room:])
	}
	var sum [2 * sha256.Size]byte
	hexSum(&sum, canon)
	return string(sum[:]) == string(h), string(prev), string(h), true
}

// stringToken returns the value of a verbatim string token, or nothing
// when there is no token; another value is not a string field's.
func stringToken(raw []byte) ([]byte, bool) {
	switch {
	case raw == nil:
		return nil, true
	case raw[0] == '"':
		return raw[1 : len(raw)-1], true
	}
	return nil, false
}
