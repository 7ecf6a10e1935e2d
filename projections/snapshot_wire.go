package projections

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// The snapshot is a sequence of blocks, each uvarint(length) || bytes ||
// CRC-32C(bytes), so that a reader decodes from a slice (fast) and any
// corrupt byte is an error even without the encrypting layer around it.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errCorrupt is what every malformed snapshot reads as.
var errCorrupt = errors.New("projections: snapshot is corrupt")

// wbuf appends the primitives of the snapshot format.
type wbuf struct{ b []byte }

func (w *wbuf) byte(v byte)       { w.b = append(w.b, v) }
func (w *wbuf) uvarint(v uint64)  { w.b = binary.AppendUvarint(w.b, v) }
func (w *wbuf) varint(v int64)    { w.b = binary.AppendVarint(w.b, v) }
func (w *wbuf) uuid(id uuid.UUID) { w.b = append(w.b, id[:]...) }
func (w *wbuf) f64(v float64)     { w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(v)) }
func (w *wbuf) bool(v bool) {
	if v {
		w.byte(1)
	} else {
		w.byte(0)
	}
}

func (w *wbuf) str(s string) {
	w.uvarint(uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *wbuf) optStr(s *string) {
	w.bool(s != nil)
	if s != nil {
		w.str(*s)
	}
}

func (w *wbuf) optUUID(id *uuid.UUID) {
	w.bool(id != nil)
	if id != nil {
		w.uuid(*id)
	}
}

func (w *wbuf) optF64(v *float64) {
	w.bool(v != nil)
	if v != nil {
		w.f64(*v)
	}
}

// date writes days since 1970-01-01, +1; 0 is the zero Date.
func (w *wbuf) date(d domain.Date) {
	if d.IsZero() {
		w.varint(0)
		return
	}
	days := d.Time().Unix() / 86400
	if days >= 0 {
		days++
	}
	w.varint(days)
}

// time writes seconds, nanoseconds and the zone offset: data times keep the
// offset they were written with.
func (w *wbuf) time(t time.Time) {
	_, off := t.Zone()
	w.varint(t.Unix())
	w.uvarint(uint64(t.Nanosecond()))
	w.varint(int64(off))
}

func (w *wbuf) period(p domain.Period) {
	w.varint(int64(p.Year))
	w.uvarint(uint64(p.Week))
	w.uvarint(uint64(p.Mon))
}

// sliceLen writes n+1, or 0 for a nil slice (JSON null and [] differ).
func (w *wbuf) sliceLen(n int, isNil bool) {
	if isNil {
		w.uvarint(0)
		return
	}
	w.uvarint(uint64(n) + 1)
}

// flush writes the buffer as one block and empties it.
func (w *wbuf) flush(out io.Writer) error {
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(w.b)))
	w.b = binary.LittleEndian.AppendUint32(w.b, crc32.Checksum(w.b, castagnoli))
	if _, err := out.Write(hdr[:n]); err != nil {
		return err
	}
	_, err := out.Write(w.b)
	w.b = w.b[:0]
	return err
}

// maxBlock bounds a block a reader accepts, so a corrupt length cannot ask
// for gigabytes.
const maxBlock = 64 << 20

// rbuf reads one block; the first malformed read sets err and every later
// read returns zero values.
type rbuf struct {
	b   []byte
	err error
}

// next reads the next block from r into rb.
func (rb *rbuf) next(r io.ByteReader, rd io.Reader, scratch []byte) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if n > maxBlock {
		return nil, errCorrupt
	}
	if cap(scratch) < int(n)+4 {
		scratch = make([]byte, int(n)+4)
	}
	scratch = scratch[:int(n)+4]
	if _, err := io.ReadFull(rd, scratch); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	body := scratch[:n]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(scratch[n:]) {
		return nil, errCorrupt
	}
	rb.b, rb.err = body, nil
	return scratch, nil
}

func (rb *rbuf) fail() { rb.err, rb.b = errCorrupt, nil }

func (rb *rbuf) byte() byte {
	if len(rb.b) < 1 {
		rb.fail()
		return 0
	}
	v := rb.b[0]
	rb.b = rb.b[1:]
	return v
}

func (rb *rbuf) bool() bool { return rb.byte() == 1 }

func (rb *rbuf) uvarint() uint64 {
	v, n := binary.Uvarint(rb.b)
	if n <= 0 {
		rb.fail()
		return 0
	}
	rb.b = rb.b[n:]
	return v
}

func (rb *rbuf) varint() int64 {
	v, n := binary.Varint(rb.b)
	if n <= 0 {
		rb.fail()
		return 0
	}
	rb.b = rb.b[n:]
	return v
}

// int reads a uvarint that must fit in [0, max].
func (rb *rbuf) int(max int) int {
	v := rb.uvarint()
	if v > uint64(max) {
		rb.fail()
		return 0
	}
	return int(v)
}

func (rb *rbuf) bytes(n int) []byte {
	if n < 0 || len(rb.b) < n {
		rb.fail()
		return nil
	}
	v := rb.b[:n]
	rb.b = rb.b[n:]
	return v
}

func (rb *rbuf) raw() []byte { return rb.bytes(rb.int(len(rb.b))) }

func (rb *rbuf) str() string { return string(rb.raw()) }

func (rb *rbuf) optStr() *string {
	if !rb.bool() {
		return nil
	}
	v := rb.str()
	return &v
}

func (rb *rbuf) uuid() (id uuid.UUID) {
	copy(id[:], rb.bytes(16))
	return id
}

func (rb *rbuf) optUUID() *uuid.UUID {
	if !rb.bool() {
		return nil
	}
	v := rb.uuid()
	return &v
}

func (rb *rbuf) f64() float64 {
	b := rb.bytes(8)
	if b == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}

func (rb *rbuf) optF64() *float64 {
	if !rb.bool() {
		return nil
	}
	v := rb.f64()
	return &v
}

func (rb *rbuf) date() domain.Date {
	days := rb.varint()
	if days == 0 {
		return domain.Date{}
	}
	if days > 0 {
		days--
	}
	return domain.NewDate(1970, time.January, 1+int(days))
}

func (rb *rbuf) time() time.Time {
	sec, ns, off := rb.varint(), rb.uvarint(), rb.varint()
	if ns >= 1e9 {
		rb.fail()
		return time.Time{}
	}
	t := time.Unix(sec, int64(ns)).UTC()
	if off != 0 {
		t = t.In(time.FixedZone("", int(off)))
	}
	return t
}

func (rb *rbuf) period() domain.Period {
	return domain.Period{Year: int(rb.varint()), Week: rb.int(53), Mon: time.Month(rb.int(12))}
}

// sliceLen reads what wbuf.sliceLen wrote: nil reports a nil slice. Each
// element takes at least one byte, which bounds n by what is left.
func (rb *rbuf) sliceLen() (n int, isNil bool) {
	v := rb.int(len(rb.b) + 1)
	if v == 0 {
		return 0, true
	}
	return v - 1, false
}
