package eventstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// NudgeReadBucket is the key-value bucket of the nudges each reader has
// marked read. A key is a digest of the reader's token subject, a dot and
// the nudge's id (itself a digest), and the value the time it was marked:
// no personal text, so an erasure has nothing to remove here. Marks older
// than nudgeReadTTL are forgotten; a nudge that old is long resolved or
// has come back under a new id.
const NudgeReadBucket = "NUDGES_READ"

const nudgeReadTTL = 180 * 24 * time.Hour

// lazyBucket is a key-value bucket opened once, on first use.
type lazyBucket struct {
	mu sync.Mutex
	kv jetstream.KeyValue
}

func (s *Store) nudgeBucket(ctx context.Context) (jetstream.KeyValue, error) {
	s.reads.mu.Lock()
	defer s.reads.mu.Unlock()
	if s.reads.kv != nil {
		return s.reads.kv, nil
	}
	kv, err := s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: NudgeReadBucket, TTL: nudgeReadTTL,
		Storage: jetstream.FileStorage, Replicas: s.cfg.Replicas})
	if err != nil {
		return nil, err
	}
	s.reads.kv = kv
	return kv, nil
}

// readerKey is the digest that stands for a reader in the bucket's keys.
func readerKey(reader string) string {
	sum := sha256.Sum256([]byte("nudge reader\x00" + reader))
	return hex.EncodeToString(sum[:16])
}

// MarkNudgeRead records that reader (a token subject) has read nudge nid;
// marking it again changes nothing. Errors: KindUnavailable.
func (s *Store) MarkNudgeRead(ctx context.Context, reader, nid string) error {
	kv, err := s.nudgeBucket(ctx)
	if err != nil {
		return s.unavailable("nudge reads", err)
	}
	key := readerKey(reader) + "." + nid
	if _, err := kv.Create(ctx, key, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
		return s.unavailable("mark a nudge read", err)
	}
	return nil
}

// NudgesRead returns the ids of the nudges reader has marked read.
// Errors: KindUnavailable.
func (s *Store) NudgesRead(ctx context.Context, reader string) (map[string]bool, error) {
	kv, err := s.nudgeBucket(ctx)
	if err != nil {
		return nil, s.unavailable("nudge reads", err)
	}
	prefix := readerKey(reader) + "."
	keys, err := kv.ListKeysFiltered(ctx, prefix+">")
	if err != nil {
		return nil, s.unavailable("list nudge reads", err)
	}
	read := map[string]bool{}
	for k := range keys.Keys() {
		read[k[len(prefix):]] = true
	}
	return read, nil
}
