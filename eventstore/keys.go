package eventstore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"
)

// tombstone is the value an erased person's key entry holds for good.
const (
	tombstone  = "erased"
	wrapPrefix = "k1:"
)

// errErased means the person's data key is gone (or never existed).
var errErased = errors.New("data key erased")

// keyring hands out the per-person data keys (DEKs) as ready AEADs, caching
// them. A cached entry with a nil AEAD records a tombstone.
type keyring struct {
	kv     jetstream.KeyValue
	master cipher.AEAD
	log    *slog.Logger

	mu   sync.RWMutex
	keys map[uuid.UUID]cipher.AEAD
}

func openKeyring(ctx context.Context, js jetstream.JetStream, master []byte, replicas int, log *slog.Logger) (*keyring, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: KeysBucket, History: 1, Storage: jetstream.FileStorage, Replicas: replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("eventstore: create key bucket: %w", err)
	}
	aead, err := newAEAD(master)
	if err != nil {
		return nil, err
	}
	return &keyring{kv: kv, master: aead, log: log, keys: map[uuid.UUID]cipher.AEAD{}}, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// cached returns the cached AEAD and whether there is an entry at all.
func (k *keyring) cached(id uuid.UUID) (cipher.AEAD, bool) {
	k.mu.RLock()
	a, ok := k.keys[id]
	k.mu.RUnlock()
	return a, ok
}

func (k *keyring) remember(id uuid.UUID, a cipher.AEAD) {
	k.mu.Lock()
	k.keys[id] = a
	k.mu.Unlock()
}

func (k *keyring) forget(id uuid.UUID) {
	k.mu.Lock()
	delete(k.keys, id)
	k.mu.Unlock()
}

// forRead returns the person's key, or errErased when it is erased or missing.
func (k *keyring) forRead(ctx context.Context, id uuid.UUID) (cipher.AEAD, error) {
	if a, ok := k.cached(id); ok {
		if a == nil {
			return nil, errErased
		}
		return a, nil
	}
	e, err := k.kv.Get(ctx, id.String())
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, errErased
	}
	if err != nil {
		return nil, err
	}
	return k.parse(id, e.Value())
}

// forWrite returns the person's key, creating it on first use. It never
// creates a key over a tombstone: that is a KindConflict.
func (k *keyring) forWrite(ctx context.Context, id uuid.UUID) (cipher.AEAD, error) {
	a, err := k.forRead(ctx, id)
	if !errors.Is(err, errErased) {
		return a, err
	}
	if _, ok := k.cached(id); ok { // a cached tombstone
		return nil, domain.Errorf(domain.KindConflict, "person %s has been erased", id)
	}
	dek := make([]byte, 32)
	if _, err := rand.Read(dek); err != nil {
		return nil, err
	}
	_, err = k.kv.Create(ctx, id.String(), []byte(wrapPrefix+seal(k.master, id, dek)))
	if errors.Is(err, jetstream.ErrKeyExists) { // someone else won, or it is a tombstone
		e, gerr := k.kv.Get(ctx, id.String())
		if gerr != nil {
			return nil, gerr
		}
		a, err = k.parse(id, e.Value())
		if errors.Is(err, errErased) {
			return nil, domain.Errorf(domain.KindConflict, "person %s has been erased", id)
		}
		return a, err
	}
	if err != nil {
		return nil, err
	}
	if a, err = newAEAD(dek); err == nil {
		k.remember(id, a)
	}
	return a, err
}

// parse reads a stored entry: a tombstone or a wrapped key.
func (k *keyring) parse(id uuid.UUID, v []byte) (cipher.AEAD, error) {
	s := string(v)
	if s == tombstone {
		k.remember(id, nil)
		return nil, errErased
	}
	if !strings.HasPrefix(s, wrapPrefix) {
		return nil, fmt.Errorf("key entry of %s is malformed", id)
	}
	dek, err := open(k.master, id, s[len(wrapPrefix):], nil)
	if err != nil || len(dek) != 32 {
		return nil, fmt.Errorf("key entry of %s does not unwrap under the master key", id)
	}
	a, err := newAEAD(dek)
	if err == nil {
		k.remember(id, a)
	}
	return a, err
}

// erase overwrites the person's key with the tombstone; the bucket keeps one
// revision per key, so the wrapped key is gone from the store.
func (k *keyring) erase(ctx context.Context, id uuid.UUID) error {
	if _, err := k.kv.PutString(ctx, id.String(), tombstone); err != nil {
		return err
	}
	k.remember(id, nil)
	return nil
}

// watch keeps the cache honest when another process erases a person.
func (k *keyring) watch(ctx context.Context) {
	w, err := k.kv.WatchAll(ctx, jetstream.UpdatesOnly())
	if err != nil {
		k.log.Warn("watch key bucket", "err", err)
		return
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.Updates():
			if !ok {
				return
			}
			if e == nil {
				continue
			}
			id, err := uuid.Parse(e.Key())
			switch {
			case err != nil:
			case e.Operation() != jetstream.KeyValuePut:
				k.forget(id)
			case string(e.Value()) == tombstone:
				k.remember(id, nil)
			}
		}
	}
}
