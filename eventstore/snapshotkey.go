package eventstore

import (
	"crypto/hkdf"
	"crypto/sha256"
	"time"
)

// snapshotKeyInfo separates the snapshot key from every other use of the
// master key.
const snapshotKeyInfo = "coachjournal projection snapshot v1"

// SnapshotKey returns the 32-byte key that encrypts projection snapshots:
// HKDF-SHA256 over the master key with info "coachjournal projection
// snapshot v1". Snapshots hold personal text in clear, so they are sealed
// under a key that only this data dir's master key yields. It re-reads the
// master key file (Open keeps no copy of it) and returns nil if that
// fails, which makes every snapshot write and read fail: the caller then
// rebuilds from the stream.
func (s *Store) SnapshotKey() []byte {
	master, err := readMasterKey(s.cfg.MasterKeyFile)
	if err != nil {
		s.log.Warn("snapshot key unavailable", "err", err)
		return nil
	}
	return deriveSnapshotKey(master)
}

// SnapshotKeyOf returns the snapshot key (see Store.SnapshotKey) of the
// master key cfg names, without connecting to anything, so that a
// snapshot can be decrypted while Open runs. It never creates the master
// key: before the first Open there is none, and it returns the error of
// reading it.
func SnapshotKeyOf(cfg Config) ([]byte, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	master, err := readMasterKey(cfg.MasterKeyFile)
	if err != nil {
		return nil, err
	}
	return deriveSnapshotKey(master), nil
}

func deriveSnapshotKey(master []byte) []byte {
	key, err := hkdf.Key(sha256.New, master, nil, snapshotKeyInfo, 32)
	if err != nil { // only for an impossible length
		return nil
	}
	return key
}

// StreamCreated returns when the stream was created, as JetStream reported
// it at Open. A stream deleted and created again (a new incarnation) has a
// new time, so a projection snapshot records it to tell its stream apart.
func (s *Store) StreamCreated() time.Time {
	if info := s.stream.CachedInfo(); info != nil {
		return info.Created.UTC()
	}
	return time.Time{}
}
