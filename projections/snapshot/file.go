// Package snapshot keeps the projections' checkpoint on disk: the Set's
// snapshot (projections.WriteSnapshot), sealed with AES-256-GCM under a key
// derived from the store's master key, in DATA_DIR/snapshots. It decides at
// start whether the file can be resumed from, and a Keeper rewrites it
// while serving: every Every events (at most once per MinGap), promptly
// after an erasure, and on shutdown.
//
// It imports only projections and domain: the wiring (cmd's serve and the
// api tests' harness) hands it the key, the stream's identity and its last
// sequence, so both run the same load-or-rebuild decision and write policy.
package snapshot

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/coachjournal/coachjournal/projections"
)

// FileName is the snapshot's name in its directory.
const FileName = "projections.snap"

// Dir returns the snapshot directory of a data dir.
func Dir(dataDir string) string { return filepath.Join(dataDir, "snapshots") }

// Store reads and writes the snapshot file of one data dir.
type Store struct {
	Dir    string    // the directory; created on first write (mode 0700)
	Key    []byte    // 32 bytes, e.g. eventstore's SnapshotKey
	Stream time.Time // creation time of the stream the snapshot follows
}

// Path returns the snapshot file's path.
func (st *Store) Path() string { return filepath.Join(st.Dir, FileName) }

// Load reads the snapshot if it can be resumed from on a stream whose last
// sequence is last. Otherwise the error says why: missing
// (fs.ErrNotExist), undecryptable or corrupt, of another
// projections.SnapshotVersion, from another stream incarnation, or ahead
// of the stream. It is Read then Check.
func (st *Store) Load(last uint64) (*projections.Set, error) {
	l, err := Read(st.Path(), st.Key)
	if err != nil {
		return nil, err
	}
	if err := l.Check(st.Stream, last); err != nil {
		return nil, err
	}
	return l.Set, nil
}

// Loaded is a snapshot file read and decoded, not yet checked against
// the stream it is to follow: reading needs only the file and the key,
// so it can run while the store opens.
type Loaded struct {
	Created int64 // creation time (Unix ns) of the stream it was written from
	Set     *projections.Set
}

// Read decrypts and decodes the snapshot file at path under key. The
// error says why it cannot be used: missing (fs.ErrNotExist),
// undecryptable or corrupt, of another projections.SnapshotVersion.
func Read(path string, key []byte) (*Loaded, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	clear, err := Open(bufio.NewReaderSize(f, chunkSize+64), key)
	if err != nil {
		return nil, err
	}
	r := bufio.NewReaderSize(clear, 256<<10)
	l := &Loaded{}
	if err := binary.Read(r, binary.BigEndian, &l.Created); err != nil {
		return nil, fmt.Errorf("snapshot header: %w", err)
	}
	if l.Set, err = projections.ReadSnapshot(r); err != nil {
		return nil, err
	}
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		return nil, errors.New("snapshot: data after the end")
	}
	return l, nil
}

// Check reports why l cannot be resumed from on the stream created at
// stream whose last sequence is last: it follows another stream
// incarnation, or it is ahead of the stream. Nil means it can.
func (l *Loaded) Check(stream time.Time, last uint64) error {
	if want := stream.UnixNano(); l.Created != want {
		return fmt.Errorf("snapshot of another stream (created %s, this one %s)",
			time.Unix(0, l.Created).UTC().Format(time.RFC3339Nano), stream.UTC().Format(time.RFC3339Nano))
	}
	if seq := l.Set.Sequence(); seq > last {
		return fmt.Errorf("snapshot at sequence %d is ahead of the stream's last sequence %d", seq, last)
	}
	return nil
}

// Save writes s's snapshot: to a temporary file, synced, renamed over the
// old one, the directory synced; then every other file in the directory is
// removed, so no older snapshot survives (an erasure relies on this). It
// returns the sequence written.
func (st *Store) Save(s *projections.Set) (uint64, error) {
	if err := os.MkdirAll(st.Dir, 0o700); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(st.Dir, ".projections-*.tmp") // mode 0600
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // after a rename, a no-op
	seq, err := st.write(tmp, s)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), st.Path())
	}
	if err != nil {
		return 0, err
	}
	syncDir(st.Dir)
	return seq, st.removeOthers()
}

func (st *Store) write(f *os.File, s *projections.Set) (uint64, error) {
	bw := bufio.NewWriterSize(f, chunkSize+64)
	w, err := Seal(bw, st.Key)
	if err != nil {
		return 0, err
	}
	seq := s.Sequence() // the snapshot covers at least this much
	if err := binary.Write(w, binary.BigEndian, st.Stream.UnixNano()); err != nil {
		return 0, err
	}
	if err := s.WriteSnapshot(w); err != nil {
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	return seq, bw.Flush()
}

// removeOthers deletes every entry of the directory but the snapshot.
func (st *Store) removeOthers() error {
	entries, err := os.ReadDir(st.Dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if e.Name() != FileName {
			errs = append(errs, os.RemoveAll(filepath.Join(st.Dir, e.Name())))
		}
	}
	return errors.Join(errs...)
}

// Remove deletes the snapshot file, if any.
func (st *Store) Remove() error {
	if err := os.Remove(st.Path()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
