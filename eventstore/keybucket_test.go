package eventstore_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestKeyBucketMigrated: a key bucket made by an older version (nats.go's
// KV stream, which denies message deletes, so an erasure could not delete
// the key) is recreated at Open with every key, also when a crash left the
// migration half done; the person's text still reads, and an erasure then
// leaves no wrapped key in the store's files.
func TestKeyBucketMigrated(t *testing.T) {
	for _, crash := range []string{"none", "after staging"} {
		t.Run(crash, func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, eventstore.Config{DataDir: dir})
			id := register(t, s, "Lena Legacy", "lena@example.com")
			s.Close()
			makeLegacy(t, dir, crash == "after staging")

			s = mustOpen(t, eventstore.Config{DataDir: dir})
			ctx := ctxT(t)
			st, err := s.JetStream().Stream(ctx, "KV_"+eventstore.KeysBucket)
			if err != nil {
				t.Fatal(err)
			}
			if cfg := st.CachedInfo().Config; cfg.DenyDelete || cfg.MaxMsgsPerSubject != 2 || cfg.Compression != jetstream.NoCompression {
				t.Errorf("key stream: deny delete %v, history %d, compression %v; want false, 2, none", cfg.DenyDelete, cfg.MaxMsgsPerSubject, cfg.Compression)
			}
			if _, err := s.JetStream().KeyValue(ctx, eventstore.KeysBucket+"_MIGRATION"); !errors.Is(err, jetstream.ErrBucketNotFound) {
				t.Errorf("the staging bucket is left: %v", err)
			}
			events, err := s.ReadJournal(ctx, id)
			if err != nil || len(events) != 1 || events[0].Data.(*domain.PersonRegistered).Name != "Lena Legacy" {
				t.Fatalf("journal after the migration = %+v, %v", events, err)
			}
			mustExec(t, s, id, domain.ErasePerson{Reason: "request"})
			if files := filesHolding(t, dir, "k1:"); len(files) > 0 {
				t.Errorf("a wrapped key is still in %v after the erasure", files)
			}
		})
	}
}

// makeLegacy turns the key bucket of the store in dir into one that an
// older version made: nats.go's KV stream, one revision per key, message
// deletes denied. With crashed it stands for a crash in the migration:
// the keys are only in a complete staging bucket and the key stream is
// gone.
func makeLegacy(t *testing.T, dir string, crashed bool) {
	t.Helper()
	srv, err := eventstore.StartEmbedded(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	kv, err := js.KeyValue(ctx, eventstore.KeysBucket)
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string][]byte{}
	keys, err := kv.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		e, err := kv.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		entries[k] = e.Value()
	}
	if err := js.DeleteStream(ctx, "KV_"+eventstore.KeysBucket); err != nil {
		t.Fatal(err)
	}
	bucket := eventstore.KeysBucket
	if crashed {
		bucket += "_MIGRATION"
		entries["_complete"] = []byte("1")
	}
	to, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, History: 1, Storage: jetstream.FileStorage})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range entries {
		if _, err := to.Put(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSecureDeleteFacts pins what keyring.erase relies on in nats-server
// v2.15.2: a message deleted with NoErase, or pushed out by the
// per-subject limit, stays in its block file; a secure delete leaves no
// byte of it in any file, in the last block and in an older one, with
// and without S2 compression (the server erases the record in the
// block's uncompressed buffer and writes the whole block anew, compressed
// again if it was). Markers are random hex, which S2 stores as literals,
// so a scan of the raw bytes sees them.
func TestSecureDeleteFacts(t *testing.T) {
	for _, comp := range []jetstream.StoreCompression{jetstream.NoCompression, jetstream.S2Compression} {
		t.Run(comp.String(), func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, eventstore.Config{DataDir: dir})
			ctx := ctxT(t)
			js := s.JetStream()
			// 120 kB of limit makes the server use its smallest blocks (32 kB).
			st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "FACTS", Subjects: []string{"facts.>"}, Storage: jetstream.FileStorage,
				MaxMsgsPerSubject: 2, MaxBytes: 120_000, Compression: comp})
			if err != nil {
				t.Fatal(err)
			}
			marker := func() string { return hex.EncodeToString(uuid.New().NodeID()) + uuid.NewString() + uuid.NewString() }
			put := func(subj, data string) uint64 {
				ack, err := js.Publish(ctx, subj, []byte(data))
				if err != nil {
					t.Fatal(err)
				}
				return ack.Sequence
			}
			old, oldKept, limited := marker(), marker(), marker()
			oldSeq, oldKeptSeq := put("facts.old", old), put("facts.kept", oldKept)
			put("facts.limited", limited)
			put("facts.limited", "b")
			put("facts.limited", "c") // pushes the first out by the limit
			for i := range 64 {       // older blocks: about 64 kB more
				put("facts.fill."+strconv.Itoa(i), strings.Repeat(marker(), 8))
			}
			last, lastKept := marker(), marker()
			lastSeq, lastKeptSeq := put("facts.last", last), put("facts.lastkept", lastKept)
			if info, err := st.Info(ctx); err != nil || info.State.FirstSeq != oldSeq {
				t.Fatalf("the stream lost its first messages: %+v, %v", info, err)
			}
			for _, seq := range []uint64{oldKeptSeq, lastKeptSeq} {
				if err := st.DeleteMsg(ctx, seq); err != nil {
					t.Fatal(err)
				}
			}
			for _, seq := range []uint64{oldSeq, lastSeq} {
				if err := st.SecureDeleteMsg(ctx, seq); err != nil {
					t.Fatal(err)
				}
			}
			blks, _ := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "FACTS", "msgs", "*.blk"))
			if len(blks) < 2 {
				t.Fatalf("the messages fill %d block(s), want an older block and the last", len(blks))
			}
			if head, _ := os.ReadFile(blks[0]); comp == jetstream.S2Compression && !bytes.HasPrefix(head, []byte("cmp")) {
				t.Fatalf("the older block is not compressed")
			}
			for _, m := range []string{oldKept, lastKept, limited} {
				if len(filesHolding(t, dir, m)) == 0 {
					t.Errorf("a message deleted without erasing is gone from the files: the scan proves nothing")
				}
			}
			for _, m := range []string{old, last} {
				if files := filesHolding(t, dir, m); len(files) > 0 {
					t.Errorf("a securely deleted message is still in %v", files)
				}
			}
		})
	}
}
