package eventstore_test

import (
	"bytes"
	"errors"
	"io/fs"
	"testing"

	"github.com/coachjournal/coachjournal/eventstore"
)

// TestSnapshotKeyOf: before the first Open there is no master key and no
// snapshot key (and SnapshotKeyOf creates none); after it, the key read
// from the file alone is the store's.
func TestSnapshotKeyOf(t *testing.T) {
	cfg := eventstore.Config{DataDir: t.TempDir()}
	if key, err := eventstore.SnapshotKeyOf(cfg); !errors.Is(err, fs.ErrNotExist) || key != nil {
		t.Fatalf("before Open: key %x, err %v; want fs.ErrNotExist", key, err)
	}
	s := mustOpen(t, cfg)
	key, err := eventstore.SnapshotKeyOf(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := s.SnapshotKey(); len(key) != 32 || !bytes.Equal(key, want) {
		t.Fatalf("SnapshotKeyOf = %x, want the store's %x", key, want)
	}
}
