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
	stream jetstream.Stream // the bucket's, for secure deletes
	master cipher.AEAD
	log    *slog.Logger

	mu   sync.RWMutex
	keys map[uuid.UUID]cipher.AEAD
}

func openKeyring(ctx context.Context, js jetstream.JetStream, master []byte, replicas int, log *slog.Logger) (*keyring, error) {
	kv, stream, err := openKeyBucket(ctx, js, replicas, log) // keybucket.go
	if err != nil {
		return nil, err
	}
	aead, err := newAEAD(master)
	if err != nil {
		return nil, err
	}
	return &keyring{kv: kv, stream: stream, master: aead, log: log, keys: map[uuid.UUID]cipher.AEAD{}}, nil
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

// erase shreds the person's data key: it writes the tombstone and
// securely deletes every other stored revision of the entry (JetStream
// overwrites a securely deleted message with random bytes in its block
// file), so that no copy of the wrapped key stays on disk. The revisions
// before the latest go first, so that writing the tombstone never pushes
// one out by the bucket's history limit (keyHistory), which would leave
// its bytes behind; the tombstone is written conditionally on the latest,
// so two processes erasing at once cannot stack revisions either. The
// cache forgets the key before the call returns.
func (k *keyring) erase(ctx context.Context, id uuid.UUID) error {
	subject := keySubjects + id.String()
	for range maxAttempts {
		revs, err := k.revisions(ctx, subject)
		if err != nil {
			return err
		}
		for _, r := range revs[:max(len(revs)-1, 0)] {
			if err := k.shred(ctx, r.Sequence); err != nil {
				return err
			}
		}
		var last *jetstream.RawStreamMsg
		if len(revs) > 0 {
			last = revs[len(revs)-1]
		}
		if last != nil && string(last.Data) == tombstone && last.Header.Get(kvOperation) == "" {
			k.remember(id, nil)
			return nil
		}
		var lastSeq uint64
		if last != nil {
			lastSeq = last.Sequence
		}
		if _, err := k.kv.Update(ctx, id.String(), []byte(tombstone), lastSeq); err != nil {
			if wrongLastSequence(err) || errors.Is(err, jetstream.ErrKeyExists) {
				continue // another writer came between: look again
			}
			return err
		}
		k.remember(id, nil)
		if last == nil {
			return nil
		}
		return k.shred(ctx, last.Sequence)
	}
	return fmt.Errorf("the key entry of %s kept changing while it was erased", id)
}

// kvOperation is the header a KV delete or purge marker carries.
const kvOperation = "KV-Operation"

// revisions returns every stored message of the subject, oldest first.
func (k *keyring) revisions(ctx context.Context, subject string) ([]*jetstream.RawStreamMsg, error) {
	var out []*jetstream.RawStreamMsg
	for seq := uint64(1); ; {
		m, err := k.stream.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subject))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, m)
		seq = m.Sequence + 1
	}
}

// shred securely deletes the bucket's message seq; one already gone is fine.
func (k *keyring) shred(ctx context.Context, seq uint64) error {
	err := k.stream.SecureDeleteMsg(ctx, seq)
	if err == nil {
		return nil
	}
	if _, gerr := k.stream.GetMsg(ctx, seq); errors.Is(gerr, jetstream.ErrMsgNotFound) {
		return nil // another process erased it first
	}
	return fmt.Errorf("secure delete of key message %d: %w", seq, err)
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
