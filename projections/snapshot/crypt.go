package snapshot

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A sealed file is fileMagic, a random 32-byte salt, then chunks, each a
// 4-byte big-endian header (the sealed length, the top bit set on the last
// chunk) and AES-256-GCM(fileKey, nonce = chunk counter, aad = final flag)
// of at most chunkSize bytes. The file key is
// HKDF-SHA256(key, salt): every file has its own key, so counter nonces
// never repeat under one key. The last chunk is flagged final, so a file
// cut at a chunk boundary fails too; chunks bound the memory either way.
const (
	fileMagic = "CJSNAP\x00\x01"
	saltSize  = 32
	chunkSize = 1 << 20
	fileInfo  = "coachjournal projection snapshot file"
)

// ErrSealed is returned for a sealed file that is not intact or was sealed
// under another key.
var ErrSealed = errors.New("snapshot: cannot decrypt: damaged, truncated or sealed under another key")

func fileAEAD(key, salt []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("snapshot: key of %d bytes, want 32", len(key))
	}
	k, err := hkdf.Key(sha256.New, key, salt, fileInfo, 32)
	if err != nil {
		return nil, err
	}
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func nonce(n uint64) []byte {
	out := make([]byte, 12)
	binary.BigEndian.PutUint64(out[4:], n)
	return out
}

var (
	aadMore  = []byte{0}
	aadFinal = []byte{1}
)

// sealer encrypts what is written to it in chunks.
type sealer struct {
	w    io.Writer
	aead cipher.AEAD
	buf  []byte
	out  []byte
	n    uint64
}

// Seal returns a writer that encrypts into w under key (32 bytes); Close
// writes the final chunk (it does not close w).
func Seal(w io.Writer, key []byte) (io.WriteCloser, error) {
	salt := make([]byte, saltSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	aead, err := fileAEAD(key, salt)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(append([]byte(fileMagic), salt...)); err != nil {
		return nil, err
	}
	return &sealer{w: w, aead: aead, buf: make([]byte, 0, chunkSize)}, nil
}

func (s *sealer) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		k := copy(s.buf[len(s.buf):chunkSize], p)
		s.buf, p = s.buf[:len(s.buf)+k], p[k:]
		if len(s.buf) == chunkSize {
			if err := s.chunk(aadMore); err != nil {
				return total - len(p), err
			}
		}
	}
	return total, nil
}

const finalBit = 1 << 31

func (s *sealer) chunk(aad []byte) error {
	hdr := uint32(len(s.buf) + s.aead.Overhead())
	if aad[0] == 1 {
		hdr |= finalBit
	}
	s.out = binary.BigEndian.AppendUint32(s.out[:0], hdr)
	s.out = s.aead.Seal(s.out, nonce(s.n), s.buf, aad)
	s.n++
	s.buf = s.buf[:0]
	_, err := s.w.Write(s.out)
	return err
}

func (s *sealer) Close() error { return s.chunk(aadFinal) }

// opener decrypts a sealed stream chunk by chunk.
type opener struct {
	r     io.Reader
	aead  cipher.AEAD
	in    []byte
	plain []byte // unread clear text of the current chunk
	n     uint64
	final bool
}

// Open returns a reader of the clear text of the sealed stream r. Reads
// fail with ErrSealed when a chunk does not authenticate or the stream ends
// before its final chunk.
func Open(r io.Reader, key []byte) (io.Reader, error) {
	head := make([]byte, len(fileMagic)+saltSize)
	if _, err := io.ReadFull(r, head); err != nil || !bytes.Equal(head[:len(fileMagic)], []byte(fileMagic)) {
		return nil, ErrSealed
	}
	aead, err := fileAEAD(key, head[len(fileMagic):])
	if err != nil {
		return nil, err
	}
	return &opener{r: r, aead: aead}, nil
}

func (o *opener) Read(p []byte) (int, error) {
	for len(o.plain) == 0 {
		if o.final {
			var one [1]byte
			if n, _ := o.r.Read(one[:]); n > 0 {
				return 0, ErrSealed // bytes after the final chunk
			}
			return 0, io.EOF
		}
		if err := o.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, o.plain)
	o.plain = o.plain[n:]
	return n, nil
}

func (o *opener) next() error {
	var hdr [4]byte
	if _, err := io.ReadFull(o.r, hdr[:]); err != nil {
		return ErrSealed
	}
	h := binary.BigEndian.Uint32(hdr[:])
	size, aad := int(h&^finalBit), aadMore
	if h&finalBit != 0 {
		aad = aadFinal
	}
	if size < o.aead.Overhead() || size > chunkSize+o.aead.Overhead() {
		return ErrSealed
	}
	if cap(o.in) < size {
		o.in = make([]byte, size)
	}
	o.in = o.in[:size]
	if _, err := io.ReadFull(o.r, o.in); err != nil {
		return ErrSealed
	}
	plain, err := o.aead.Open(o.in[:0], nonce(o.n), o.in, aad)
	if err != nil {
		return ErrSealed
	}
	o.final = h&finalBit != 0
	o.n++
	o.plain = plain
	return nil
}
