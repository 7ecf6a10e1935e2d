package eventstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The key bucket is a JetStream KV bucket whose stream we configure
// ourselves, because the one nats.go makes denies message deletes, and an
// erasure must delete the wrapped key's message securely (see
// keyring.erase). Its history is keyHistory revisions: writing the
// tombstone then never pushes the wrapped key out by the per-subject limit,
// a removal that leaves the message's bytes in the block file. It is not
// compressed: nothing to gain on random bytes, and a secure delete
// overwrites the record in the uncompressed block.
const (
	keyStream   = "KV_" + KeysBucket
	keySubjects = "$KV." + KeysBucket + "."
	keyHistory  = 2

	// stagingBucket holds a copy of the keys while a key bucket made by an
	// older version (one that denies deletes, which an update cannot lift)
	// is recreated; stagedMark is written last, when the copy is complete.
	stagingBucket = KeysBucket + "_MIGRATION"
	stagedMark    = "_complete"
)

func keyStreamConfig(replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name: keyStream, Subjects: []string{keySubjects + ">"},
		MaxMsgsPerSubject: keyHistory, MaxMsgs: -1, MaxBytes: -1, MaxMsgSize: -1, MaxConsumers: -1,
		Storage: jetstream.FileStorage, Replicas: replicas, Compression: jetstream.NoCompression,
		AllowRollup: true, AllowDirect: true, Discard: jetstream.DiscardNew, Duplicates: 2 * time.Minute,
	}
}

// openKeyBucket creates or updates the key bucket (recreating an older
// one, see migrateKeyBucket) and returns it with its stream.
func openKeyBucket(ctx context.Context, js jetstream.JetStream, replicas int, log *slog.Logger) (jetstream.KeyValue, jetstream.Stream, error) {
	if err := migrateKeyBucket(ctx, js, replicas, log); err != nil {
		return nil, nil, fmt.Errorf("eventstore: recreate key bucket: %w", err)
	}
	st, err := js.CreateOrUpdateStream(ctx, keyStreamConfig(replicas))
	if err != nil {
		return nil, nil, fmt.Errorf("eventstore: create key bucket: %w", err)
	}
	kv, err := js.KeyValue(ctx, KeysBucket)
	if err != nil {
		return nil, nil, fmt.Errorf("eventstore: bind key bucket: %w", err)
	}
	return kv, st, nil
}

// migrateKeyBucket recreates a key bucket whose stream denies message
// deletes (made before erasure erased): it copies the latest entry of
// every key (wrapped keys and tombstones) into the staging bucket, marks
// the copy complete, deletes the old stream (its files go with it),
// creates the new one and copies the entries back, then deletes the
// staging bucket. Each step can be repeated, so a crash anywhere is
// finished by the next Open. Run it with one process: another one writing
// keys meanwhile could lose them.
func migrateKeyBucket(ctx context.Context, js jetstream.JetStream, replicas int, log *slog.Logger) error {
	staged, err := completeStaging(ctx, js)
	if err != nil {
		return err
	}
	old, err := js.Stream(ctx, keyStream)
	legacy := err == nil && old.CachedInfo().Config.DenyDelete
	if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return err
	}
	if !legacy && staged == nil {
		return nil
	}
	log.Warn("recreating the key bucket so that erasures can delete keys securely", "bucket", KeysBucket)
	if staged == nil {
		oldKV, err := js.KeyValue(ctx, KeysBucket)
		if err != nil {
			return err
		}
		if staged, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: stagingBucket, Storage: jetstream.FileStorage, Replicas: replicas}); err != nil {
			return err
		}
		n, err := copyKeys(ctx, js, oldKV, "$KV."+stagingBucket+".", false)
		if err != nil {
			return err
		}
		if _, err := staged.PutString(ctx, stagedMark, fmt.Sprint(n)); err != nil {
			return err
		}
	}
	if legacy {
		if err := js.DeleteStream(ctx, keyStream); err != nil {
			return err
		}
	}
	if _, err := js.CreateOrUpdateStream(ctx, keyStreamConfig(replicas)); err != nil {
		return err
	}
	n, err := copyKeys(ctx, js, staged, keySubjects, true)
	if err != nil {
		return err
	}
	log.Info("key bucket recreated", "bucket", KeysBucket, "keys", n)
	return js.DeleteKeyValue(ctx, stagingBucket)
}

// completeStaging returns the staging bucket if it holds a complete copy;
// an incomplete one (a crash while copying) is deleted.
func completeStaging(ctx context.Context, js jetstream.JetStream) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, stagingBucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if _, err := kv.Get(ctx, stagedMark); err == nil {
		return kv, nil
	} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, err
	}
	return nil, js.DeleteKeyValue(ctx, stagingBucket)
}

// copyKeys publishes the latest value of every key of from (but the
// staging mark) under prefix+key and returns how many it copied. With
// onlyNew a key already present there is left alone (a repeated copy after
// a crash does not stack revisions).
func copyKeys(ctx context.Context, js jetstream.JetStream, from jetstream.KeyValue, prefix string, onlyNew bool) (int, error) {
	w, err := from.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return 0, err
	}
	defer w.Stop()
	var acks []jetstream.PubAckFuture
	n := 0
	settle := func() error { // waits for the pending acks
		for _, f := range acks {
			select {
			case <-f.Ok():
				n++
			case err := <-f.Err():
				if !onlyNew || !wrongLastSequence(err) {
					return err
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		acks = acks[:0]
		return nil
	}
	for e := range w.Updates() {
		if e == nil {
			break // the initial values are all delivered
		}
		if e.Key() == stagedMark {
			continue
		}
		m := nats.NewMsg(prefix + e.Key())
		m.Data = e.Value()
		if onlyNew {
			m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, "0")
		}
		f, err := js.PublishMsgAsync(m)
		if err != nil {
			return n, err
		}
		if acks = append(acks, f); len(acks) == 1000 {
			if err := settle(); err != nil {
				return n, err
			}
		}
	}
	return n, settle()
}
