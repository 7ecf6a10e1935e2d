package eventstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

// TestReadAuditAcrossStores: a read recorded by one store is listed by
// another on the same stream (another replica), newest first, bounded.
func TestReadAuditAcrossStores(t *testing.T) {
	a := mustOpenTemp(t)
	b := mustOpenPeer(t, a, t.TempDir())
	ctx := context.Background()
	person, pip := uuid.New(), uuid.New()
	reader := domain.Actor{ID: "hr-desk", Role: domain.RoleHR}
	for i := range 3 {
		r, err := a.RecordRead(ctx, domain.NewReadRecord(reader, person, pip, clock.Now(), "req-"+string(rune('a'+i)), "api"))
		if err != nil || r.Sequence == 0 {
			t.Fatalf("record: %+v, %v", r, err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(readsOf(t, b, pip, 10)) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := readsOf(t, b, pip, 2)
	if len(got) != 2 || got[0].RequestID != "req-c" || got[1].RequestID != "req-b" || got[0].Reader != reader {
		t.Errorf("the peer lists %+v", got)
	}
	if len(readsOf(t, a, uuid.New(), 10)) != 0 {
		t.Errorf("reads of an unread PIP")
	}
	st, err := a.JetStream().Stream(ctx, eventstore.AuditStream)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Purge(ctx); err == nil {
		t.Errorf("the AUDIT stream could be purged")
	}
	if err := st.DeleteMsg(ctx, 1); err == nil {
		t.Errorf("an audit record could be deleted")
	}
}

// TestReadAuditGroupCommit: reads recorded at once share messages (fewer
// messages than reads), every caller gets its record back stored, with the
// sequence of the message that holds it, and a peer's index lists every
// read, each once; a record of the older one-per-message form on
// audit.read.<person>.<pip> is still listed.
func TestReadAuditGroupCommit(t *testing.T) {
	a := mustOpenTemp(t)
	b := mustOpenPeer(t, a, t.TempDir())
	ctx := ctxT(t)
	person, pip := uuid.New(), uuid.New()
	st, err := a.JetStream().Stream(ctx, eventstore.AuditStream)
	if err != nil {
		t.Fatal(err)
	}
	old := domain.NewReadRecord(domain.Actor{ID: "hr-old", Role: domain.RoleHR}, person, pip, clock.Now(), "req-old", "api")
	data, _ := json.Marshal(old)
	if _, err := a.JetStream().Publish(ctx, "audit.read."+person.String()+"."+pip.String(), data); err != nil {
		t.Fatal(err)
	}
	const n = 200
	var wg sync.WaitGroup
	got := make([]domain.ReadRecord, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			r := domain.NewReadRecord(domain.Actor{ID: fmt.Sprintf("hr-%d", i), Role: domain.RoleHR}, person, pip, clock.Now(), fmt.Sprintf("req-%d", i), "ui")
			got[i], errs[i] = a.RecordRead(ctx, r)
		})
	}
	wg.Wait()
	seqs := map[uint64]bool{}
	for i, r := range got {
		if errs[i] != nil || r.Sequence < 2 || r.RequestID != fmt.Sprintf("req-%d", i) {
			t.Fatalf("read %d: %+v, %v", i, r, errs[i])
		}
		seqs[r.Sequence] = true
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if msgs := info.State.Msgs; msgs != uint64(len(seqs))+1 || msgs >= n {
		t.Errorf("%d reads in %d messages (%d distinct sequences): not grouped", n, msgs-1, len(seqs))
	}
	// The peer has caught up when it lists as many reads as the writer and
	// the same newest: with the index bounded to 200 of the 201 reads, its
	// count alone reaches 200 before the last message is applied (CI,
	// 2026-12-07).
	caughtUp := func() bool {
		mine, theirs := readsOf(t, a, pip, 1000), readsOf(t, b, pip, 1000)
		return len(theirs) == min(n+1, 200) && len(mine) > 0 && theirs[0].ID == mine[0].ID
	}
	deadline := time.Now().Add(5 * time.Second)
	for !caughtUp() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	listed := readsOf(t, b, pip, 1000)
	if len(listed) != min(n+1, 200) {
		t.Fatalf("the peer lists %d reads, want %d", len(listed), min(n+1, 200))
	}
	ids := map[uuid.UUID]bool{}
	for i, r := range listed {
		if ids[r.ID] {
			t.Fatalf("read %s listed twice", r.ID)
		}
		ids[r.ID] = true
		if i > 0 && listed[i-1].Sequence < r.Sequence {
			t.Fatalf("not newest first at %d", i)
		}
	}
	if mine := readsOf(t, a, pip, 1000); len(mine) != len(listed) || mine[0].ID != listed[0].ID {
		t.Errorf("the writer lists %d reads (newest %s), the peer %d (newest %s)", len(mine), mine[0].ID, len(listed), listed[0].ID)
	}
}

// BenchmarkRecordRead is the read audit's cost on a PIP read, acknowledged
// after the fsync (embedded server): alone, and 64 at once (group commit).
func BenchmarkRecordRead(b *testing.B) {
	b.Run("alone", benchRecordRead)
	b.Run("c64", func(b *testing.B) {
		s := mustOpenTemp(b)
		ctx := context.Background()
		b.SetParallelism(32) // 64 goroutines on 2 cores
		b.RunParallel(func(pb *testing.PB) {
			r := domain.NewReadRecord(domain.Actor{ID: "hr-desk", Role: domain.RoleHR}, uuid.New(), uuid.New(), clock.Now(), "req", "api")
			for pb.Next() {
				r.ID = uuid.New()
				if _, err := s.RecordRead(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func benchRecordRead(b *testing.B) {
	s := mustOpenTemp(b)
	ctx := context.Background()
	r := domain.NewReadRecord(domain.Actor{ID: "hr-desk", Role: domain.RoleHR}, uuid.New(), uuid.New(), clock.Now(), "req", "api")
	for b.Loop() {
		r.ID = uuid.New()
		if _, err := s.RecordRead(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// readsOf is ReadsOf, failing the test on an error.
func readsOf(tb testing.TB, s *eventstore.Store, pip uuid.UUID, limit int) []domain.ReadRecord {
	tb.Helper()
	rs, err := s.ReadsOf(ctxT(tb), pip, limit)
	if err != nil {
		tb.Fatalf("ReadsOf: %v", err)
	}
	return rs
}

// TestReadAuditAfterRestart: a store opened on a stream of reads lists
// them all at once, the newest first: Open does not wait for the index,
// ReadsOf does. Without the checkpoint, so that the index is built from
// the whole stream after Open has returned.
func TestReadAuditAfterRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := ctxT(t)
	a, err := eventstore.Open(ctx, eventstore.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	person, pip, other := uuid.New(), uuid.New(), uuid.New()
	const readers, each = 32, 100
	var wg sync.WaitGroup
	var mu sync.Mutex
	var newest domain.ReadRecord
	for w := range readers {
		wg.Go(func() {
			for i := range each {
				on := pip
				if i%4 == 3 {
					on = other
				}
				r, err := a.RecordRead(ctx, domain.NewReadRecord(domain.Actor{ID: "hr", Role: domain.RoleHR}, person, on, clock.Now(), fmt.Sprintf("req-%d-%d", w, i), "ui"))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if on == pip && r.Sequence >= newest.Sequence {
					newest = r
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, eventstore.AuditCheckpointName)); err != nil && !errors.Is(err, fs.ErrNotExist) { // the index from the whole stream
		t.Fatal(err)
	}
	b := mustOpen(t, eventstore.Config{DataDir: dir})
	got := readsOf(t, b, pip, 1000)
	if len(got) != 200 || got[0].Sequence != newest.Sequence {
		t.Fatalf("just after the start: %d reads listed, the newest at %d; want 200, the newest at %d", len(got), got[0].Sequence, newest.Sequence)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Sequence > got[i-1].Sequence || got[i].PIPID != pip {
			t.Fatalf("read %d: %+v after %+v", i, got[i], got[i-1])
		}
	}
}
