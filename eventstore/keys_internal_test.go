package eventstore

import (
	"context"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// No key is ever created over a tombstone, even by a process that never
// cached it.
func TestNoKeyOverTombstone(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dir := t.TempDir()
	s, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id := uuid.New()
	if _, err := s.keys.forWrite(ctx, id); err != nil {
		t.Fatalf("first key: %v", err)
	}
	if err := s.keys.erase(ctx, id); err != nil {
		t.Fatal(err)
	}
	peer, err := Open(ctx, Config{NATSURL: s.Server().ClientURL(), MasterKeyFile: dir + "/master.key"})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	for _, k := range []*keyring{s.keys, peer.keys} {
		if _, err := k.forWrite(ctx, id); domain.KindOf(err) != domain.KindConflict {
			t.Errorf("forWrite after erasure = %v, want a conflict", err)
		}
	}
	e, err := s.keys.kv.Get(ctx, id.String())
	if err != nil || string(e.Value()) != tombstone || e.Revision() != 2 {
		t.Errorf("entry = %v, %v; want the tombstone at revision 2", e, err)
	}
}
