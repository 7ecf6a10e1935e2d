package eventstore

import (
	"context"
	"errors"

	"github.com/nats-io/nats.go/jetstream"
)

// NudgePrefsBucket holds each person's choices about nudges beyond the
// inbox (channels, quiet hours, time zone, digest only), as the JSON the
// caller gives, under the person's id: no personal text. They are settings,
// not facts of the journal, so they live beside it rather than in it.
const NudgePrefsBucket = "NUDGE_PREFS"

func (s *Store) prefsBucket(ctx context.Context) (jetstream.KeyValue, error) {
	s.prefs.mu.Lock()
	defer s.prefs.mu.Unlock()
	if s.prefs.kv != nil {
		return s.prefs.kv, nil
	}
	kv, err := s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: NudgePrefsBucket, Storage: jetstream.FileStorage, Replicas: s.cfg.Replicas})
	if err != nil {
		return nil, err
	}
	s.prefs.kv = kv
	return kv, nil
}

// NudgePrefs returns key's preferences (nil when none were set).
// Errors: KindUnavailable.
func (s *Store) NudgePrefs(ctx context.Context, key string) ([]byte, error) {
	kv, err := s.prefsBucket(ctx)
	if err != nil {
		return nil, s.unavailable("nudge preferences", err)
	}
	e, err := kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return nil, nil
	case err != nil:
		return nil, s.unavailable("nudge preferences", err)
	}
	return e.Value(), nil
}

// forgetNudgePrefs removes key's preferences with their history (an
// erasure: nothing of the person's settings outlives them). Errors:
// KindUnavailable.
func (s *Store) forgetNudgePrefs(ctx context.Context, key string) error {
	kv, err := s.prefsBucket(ctx)
	if err != nil {
		return s.unavailable("nudge preferences", err)
	}
	if err := kv.Purge(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return s.unavailable("forget nudge preferences", err)
	}
	return nil
}

// SetNudgePrefs stores key's preferences. Errors: KindUnavailable.
func (s *Store) SetNudgePrefs(ctx context.Context, key string, prefs []byte) error {
	kv, err := s.prefsBucket(ctx)
	if err != nil {
		return s.unavailable("nudge preferences", err)
	}
	if _, err := kv.Put(ctx, key, prefs); err != nil {
		return s.unavailable("set nudge preferences", err)
	}
	return nil
}
