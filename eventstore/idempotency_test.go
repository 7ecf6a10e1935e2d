package eventstore_test

import (
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

func TestIdempotency(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, eventstore.Config{DataDir: dir})
	id := register(t, s, "Eve", "eve@example.com")
	cid := makeCommitment(t, s, id, "two demos a day")
	resolve := func(s *eventstore.Store, key, hash string) (domain.Written, error) {
		return s.Execute(ctxT(t), domain.Write{
			PersonID: id, Command: domain.ResolveCommitment{CommitmentID: cid, Status: "kept", Note: ptr("done")},
			Meta: meta(), IdempotencyKey: key, RequestHash: hash,
		})
	}
	first, err := resolve(s, "k1", "h1")
	if err != nil || first.Replayed {
		t.Fatalf("first = %+v, %v", first, err)
	}
	last, _ := s.LastSequence(ctxT(t))

	check := func(t *testing.T, s *eventstore.Store) {
		again, err := resolve(s, "k1", "h1") // resolving twice is otherwise a conflict
		if err != nil || !again.Replayed || again.Event.Sequence != first.Event.Sequence || again.Event.ID != first.Event.ID {
			t.Fatalf("repeat = %+v, %v; want a replay of seq %d", again, err, first.Event.Sequence)
		}
		if n := *again.Event.Data.(*domain.CommitmentKept).Note; n != "done" {
			t.Errorf("replayed note = %q", n)
		}
		_, err = resolve(s, "k1", "h2")
		if e, ok := err.(*domain.Error); !ok || e.Code != domain.CodeIdempotencyKeyReused || e.Kind != domain.KindConflict {
			t.Fatalf("reuse with another request: %v, want %s", err, domain.CodeIdempotencyKeyReused)
		}
		if now, _ := s.LastSequence(ctxT(t)); now != last {
			t.Errorf("last sequence moved from %d to %d", last, now)
		}
	}
	t.Run("same store", func(t *testing.T) { check(t, s) })
	t.Run("peer store", func(t *testing.T) { check(t, mustOpenPeer(t, s, dir)) })
	t.Run("after reopen", func(t *testing.T) {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		check(t, mustOpen(t, eventstore.Config{DataDir: dir}))
	})
}

// A key is namespaced per person: the same key on two journals is two writes.
func TestIdempotencyKeyPerPerson(t *testing.T) {
	s := mustOpenTemp(t)
	a, b := register(t, s, "Fay", "fay@example.com"), register(t, s, "Gus", "gus@example.com")
	for _, id := range []uuid.UUID{a, b} {
		w, err := s.Execute(ctxT(t), domain.Write{PersonID: id, Command: domain.SetCadence{EveryDays: 14}, Meta: meta(), IdempotencyKey: "same", RequestHash: "h"})
		if err != nil || w.Replayed {
			t.Fatalf("Execute on %s = %+v, %v", id, w, err)
		}
	}
}

// Keys are checked against the journal, not left to the server's duplicate
// window (kept short: idempotency.go): concurrent repeats through two
// stores, and repeats after the server's window has passed, append one
// event and answer every caller with it.
func TestIdempotencyBeyondServerWindow(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, eventstore.Config{DataDir: dir})
	peer := mustOpenPeer(t, s, dir)
	st, err := s.JetStream().Stream(ctxT(t), eventstore.DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	cfg := st.CachedInfo().Config
	cfg.Duplicates = 100 * time.Millisecond
	if _, err := s.JetStream().UpdateStream(ctxT(t), cfg); err != nil {
		t.Fatalf("shrink the server's window: %v", err)
	}
	id := register(t, s, "Hal", "hal@example.com")
	before, _ := s.LastSequence(ctxT(t))
	makeOnce := func(s *eventstore.Store) (domain.Written, error) {
		return s.Execute(ctxT(t), domain.Write{PersonID: id, Meta: meta(), IdempotencyKey: "once", RequestHash: "h",
			Command: domain.MakeCommitment{Text: "call ten lapsed customers", DueOn: clock.Now().AddDate(0, 0, 7).Format("2006-01-02")}})
	}
	var (
		mu  sync.Mutex
		got []domain.Written
		wg  sync.WaitGroup
	)
	run := func(n int) {
		for i := range n {
			wg.Go(func() {
				w, err := makeOnce([]*eventstore.Store{s, peer}[i%2])
				if err != nil {
					t.Errorf("Execute: %v", err)
					return
				}
				mu.Lock()
				got = append(got, w)
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	run(8)
	time.Sleep(300 * time.Millisecond) // past the server's window
	run(4)
	if t.Failed() {
		return
	}
	first := 0
	for _, w := range got {
		if w.Event.ID != got[0].Event.ID || w.Event.Sequence != got[0].Event.Sequence {
			t.Errorf("answers differ: %s at %d and %s at %d", w.Event.ID, w.Event.Sequence, got[0].Event.ID, got[0].Event.Sequence)
		}
		if !w.Replayed {
			first++
		}
	}
	if first != 1 {
		t.Errorf("%d answers were not replays, want 1", first)
	}
	if after, _ := s.LastSequence(ctxT(t)); after != before+1 {
		t.Errorf("the stream grew by %d, want 1", after-before)
	}
}

// A stream created with the old 24 h duplicate window is shortened on
// open, and a key used before keeps deduplicating through the journal.
func TestOpenShortensDuplicateWindow(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, eventstore.Config{DataDir: dir})
	id := register(t, s, "Ivy", "ivy@example.com")
	first, err := s.Execute(ctxT(t), domain.Write{PersonID: id, Meta: meta(), IdempotencyKey: "k", RequestHash: "h", Command: domain.SetCadence{EveryDays: 14}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.JetStream().Stream(ctxT(t), eventstore.DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	cfg := st.CachedInfo().Config
	cfg.Duplicates = 24 * time.Hour // as streams were created before
	if _, err := s.JetStream().UpdateStream(ctxT(t), cfg); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, eventstore.Config{DataDir: dir})
	info, err := s.JetStream().Stream(ctxT(t), eventstore.DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	if d := info.CachedInfo().Config.Duplicates; d >= time.Hour {
		t.Errorf("the stream's duplicate window is still %s", d)
	}
	again, err := s.Execute(ctxT(t), domain.Write{PersonID: id, Meta: meta(), IdempotencyKey: "k", RequestHash: "h", Command: domain.SetCadence{EveryDays: 14}})
	if err != nil || !again.Replayed || again.Event.ID != first.Event.ID {
		t.Fatalf("repeat after reopen = %+v, %v; want a replay of %s", again, err, first.Event.ID)
	}
}
