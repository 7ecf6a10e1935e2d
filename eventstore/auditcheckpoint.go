package eventstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
	"unique"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// The read-audit checkpoint: the index written to a file of the data dir,
// DATA_DIR/read-audit.ckpt, so that a start reads the newest reads of each
// PIP from it and follows AUDIT only from the message after the last one
// it holds, instead of reading the whole stream, which only grows (a year
// of HR's reads). It is written at Close and, while the store runs, once a
// minute when at least auditCheckpointReads reads have been indexed since
// the last one (a crash loses nothing: the start follows the stream from
// wherever the file stops).
//
// What HR sees as "who read this PIP" comes from it, so it is sealed with
// AES-256-GCM under a key of its own derived from the master key (HKDF,
// info auditCheckpointInfo): a file altered or written by anyone without
// the master key does not open, and the start then reads the whole stream,
// as it does when the file is missing, of another version, of another
// incarnation of the AUDIT stream (its creation time is in the file) or
// ahead of the stream. It holds what the stream holds in clear (ids, roles,
// times, request ids), no personal text. A store without a data dir (an
// external server and a master key file given) keeps none.

// AuditCheckpointName is the read-audit checkpoint's file name in the data
// dir.
const AuditCheckpointName = "read-audit.ckpt"

// auditCheckpointInfo separates the checkpoint's key from every other use
// of the master key; it is also the sealed data's additional data.
const auditCheckpointInfo = "coachjournal read-audit checkpoint v1"

// auditCheckpointMagic starts the clear text: format and version.
const auditCheckpointMagic = "CJRA1"

// auditCheckpointReads and auditCheckpointGap: while the store runs, the
// checkpoint is written again once this many reads have been indexed
// since the last, looked at every auditCheckpointGap.
const (
	auditCheckpointReads = 10_000
	auditCheckpointGap   = time.Minute
)

// auditCheckpoint is where a checkpoint lives and what seals it.
type auditCheckpoint struct {
	path string
	key  []byte // 32 bytes
}

// auditCheckpointOf returns the checkpoint of a store's data dir, or nil
// when it has no data dir or its master key cannot be read (then every
// start reads the whole stream).
func auditCheckpointOf(cfg Config, log *slog.Logger) *auditCheckpoint {
	if cfg.DataDir == "" {
		return nil
	}
	master, err := readMasterKey(cfg.MasterKeyFile)
	if err != nil {
		log.Warn("read-audit checkpoint off: master key unavailable", "err", err)
		return nil
	}
	key, err := hkdf.Key(sha256.New, master, nil, auditCheckpointInfo, 32)
	if err != nil {
		return nil
	}
	return &auditCheckpoint{path: filepath.Join(cfg.DataDir, AuditCheckpointName), key: key}
}

func (c *auditCheckpoint) aead() cipher.AEAD {
	b, err := aes.NewCipher(c.key)
	if err != nil { // only for a key of the wrong length
		panic(err)
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		panic(err)
	}
	return a
}

// save writes x as of now for the AUDIT stream created at created, to a
// temporary file, synced and renamed over the old one. It returns the
// stream sequence the file covers.
func (c *auditCheckpoint) save(x *auditIndex, created int64) (uint64, error) {
	seq, clear := x.encode(created)
	a := c.aead()
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(clear)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return 0, err
	}
	sealed := a.Seal(nonce, nonce, clear, []byte(auditCheckpointInfo))
	dir := filepath.Dir(c.path)
	tmp, err := syncedTemp(dir, ".read-audit-*.tmp", sealed)
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp) // after the rename, a no-op
	if err := os.Rename(tmp, c.path); err != nil {
		return 0, err
	}
	syncDir(dir)
	return seq, nil
}

// load reads the checkpoint into a new index, if it can be resumed from on
// the AUDIT stream created at created whose last sequence is last.
// Otherwise the error says why: missing (fs.ErrNotExist), does not open,
// corrupt, of another stream, ahead of it.
func (c *auditCheckpoint) load(created int64, last uint64) (*auditIndex, error) {
	sealed, err := os.ReadFile(c.path)
	if err != nil {
		return nil, err
	}
	a := c.aead()
	if len(sealed) < a.NonceSize() {
		return nil, errCheckpointCorrupt
	}
	clear, err := a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], []byte(auditCheckpointInfo))
	if err != nil {
		return nil, fmt.Errorf("read-audit checkpoint does not open: %w", err)
	}
	x, fileCreated, err := decodeAuditIndex(clear)
	if err != nil {
		return nil, err
	}
	if fileCreated != created {
		return nil, fmt.Errorf("read-audit checkpoint of another stream (created %s, this one %s)",
			time.Unix(0, fileCreated).UTC().Format(time.RFC3339Nano), time.Unix(0, created).UTC().Format(time.RFC3339Nano))
	}
	if x.seq > last {
		return nil, fmt.Errorf("read-audit checkpoint at sequence %d is ahead of the stream's last sequence %d", x.seq, last)
	}
	return x, nil
}

var errCheckpointCorrupt = errors.New("read-audit checkpoint is corrupt")

// encode returns the clear text of a checkpoint of x and the stream
// sequence it covers: every read up to it that is among its PIP's newest
// auditKeep (and any newer read this replica wrote, which the consumer
// delivers again after a start and add recognises).
//
//	magic, varint created, uvarint seq, uvarint PIPs,
//	per PIP: id, uvarint reads,
//	per read: id, person, uvarint sequence, varint seconds, uvarint nanoseconds (UTC),
//	          reader id, reader role, request id, via (each uvarint length and bytes)
func (x *auditIndex) encode(created int64) (uint64, []byte) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := 0
	for _, rs := range x.byPIP {
		n += min(len(rs), auditKeep)
	}
	b := make([]byte, 0, 64+len(x.byPIP)*24+n*120)
	b = append(b, auditCheckpointMagic...)
	b = binary.AppendVarint(b, created)
	b = binary.AppendUvarint(b, x.seq)
	b = binary.AppendUvarint(b, uint64(len(x.byPIP)))
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for pip, rs := range x.byPIP {
		rs = rs[max(0, len(rs)-auditKeep):]
		b = append(b, pip[:]...)
		b = binary.AppendUvarint(b, uint64(len(rs)))
		for _, r := range rs {
			b = append(b, r.ID[:]...)
			b = append(b, r.PersonID[:]...)
			b = binary.AppendUvarint(b, r.Sequence)
			b = binary.AppendVarint(b, r.At.Unix())
			b = binary.AppendUvarint(b, uint64(r.At.Nanosecond()))
			str(r.Reader.ID)
			str(string(r.Reader.Role))
			str(r.RequestID)
			str(r.Via)
		}
	}
	return x.seq, b
}

// decodeAuditIndex reverses encode: the index, not yet ready, and the
// creation time of the stream it was written from.
func decodeAuditIndex(b []byte) (*auditIndex, int64, error) {
	d := checkpointReader{b: b}
	if string(d.bytes(len(auditCheckpointMagic))) != auditCheckpointMagic {
		return nil, 0, fmt.Errorf("read-audit checkpoint: not of version %s", auditCheckpointMagic)
	}
	created := d.varint()
	x := &auditIndex{seq: d.uvarint()}
	pips := d.count(16 + 1)
	x.byPIP = make(map[uuid.UUID][]domain.ReadRecord, pips)
	seen := map[string]string{}
	for range pips {
		pip := d.uuid()
		n := d.count(16 + 16 + 1 + 1 + 1 + 4)
		if n > auditKeep { // encode writes no more
			return nil, 0, errCheckpointCorrupt
		}
		rs := make([]domain.ReadRecord, n)
		for i := range rs {
			r := &rs[i]
			r.ID, r.PersonID, r.PIPID, r.Type = d.uuid(), d.uuid(), pip, domain.ReadRecordType
			r.Sequence = d.uvarint()
			sec, nsec := d.varint(), d.uvarint()
			if nsec >= 1e9 {
				d.err = errCheckpointCorrupt
			}
			r.At = time.Unix(sec, int64(nsec)).UTC()
			r.Reader.ID, r.Reader.Role = d.shared(seen), domain.Role(d.shared(seen))
			r.RequestID, r.Via = d.str(), d.shared(seen)
			if i > 0 && rs[i-1].Sequence > r.Sequence {
				d.err = errCheckpointCorrupt // out of the stream's order
			}
		}
		if d.err != nil {
			return nil, 0, d.err
		}
		if len(rs) > 0 {
			x.byPIP[pip] = rs
		}
	}
	if d.err == nil && len(d.b) > 0 {
		d.err = errCheckpointCorrupt
	}
	if d.err != nil {
		return nil, 0, d.err
	}
	x.saved = x.seq
	return x, created, nil
}

// checkpointReader reads encode's primitives; the first malformed one sets
// err, and every later read returns zero values.
type checkpointReader struct {
	b   []byte
	err error
}

func (d *checkpointReader) bytes(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.b) {
		d.err = errCheckpointCorrupt
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *checkpointReader) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCheckpointCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *checkpointReader) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCheckpointCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a count of items of at least min bytes each, refusing one
// the rest of the input cannot hold (no allocation from a corrupt count).
func (d *checkpointReader) count(size int) int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)/size) {
		d.err = errCheckpointCorrupt
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

func (d *checkpointReader) uuid() uuid.UUID {
	var id uuid.UUID
	copy(id[:], d.bytes(16))
	return id
}

func (d *checkpointReader) str() string {
	return string(d.bytes(int(min(d.uvarint(), uint64(len(d.b)+1)))))
}

// shared is str for the strings that repeat from read to read (the reader,
// their role, how they read): the one copy the index shares (compact),
// found in seen without a copy of the bytes.
func (d *checkpointReader) shared(seen map[string]string) string {
	b := d.bytes(int(min(d.uvarint(), uint64(len(d.b)+1))))
	if s, ok := seen[string(b)]; ok {
		return s
	}
	s := unique.Make(string(b)).Value()
	seen[s] = s
	return s
}
