package eventstore_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

// A journal whose state was dropped for the cache's bound decides its next
// write exactly as before: its rules, version and idempotency keys come
// back from the stream.
func TestJournalCacheBound(t *testing.T) {
	s := mustOpen(t, eventstore.Config{DataDir: t.TempDir(), JournalCache: 2})
	a := register(t, s, "Ana", "ana@example.com")
	cid := makeCommitment(t, s, a, "two demos a day")
	resolve := func(key string) (domain.Written, error) {
		return s.Execute(ctxT(t), domain.Write{PersonID: a, Command: domain.ResolveCommitment{CommitmentID: cid, Status: "kept"},
			Meta: meta(), IdempotencyKey: key, RequestHash: "h1"})
	}
	first, err := resolve("k1")
	if err != nil {
		t.Fatal(err)
	}
	register(t, s, "Ben", "ben@example.com")
	register(t, s, "Cy", "cy@example.com") // Ana's is now the least recently used of three
	if loaded, evicted := s.JournalCacheStats(); loaded != 2 || evicted != 1 {
		t.Fatalf("loaded %d, evicted %d; want 2 and 1", loaded, evicted)
	}
	last, _ := s.LastSequence(ctxT(t))

	again, err := resolve("k1")
	if err != nil || !again.Replayed || again.Event.Sequence != first.Event.Sequence {
		t.Fatalf("repeat after eviction = %+v, %v; want a replay of seq %d", again, err, first.Event.Sequence)
	}
	if _, evicted := s.JournalCacheStats(); evicted != 2 {
		t.Errorf("evicted %d after reloading Ana's journal, want 2 (Ben's went)", evicted)
	}
	_, err = resolve("") // resolving twice is a conflict: the state came back
	wantKind(t, err, domain.KindConflict)
	if now, _ := s.LastSequence(ctxT(t)); now != last {
		t.Errorf("last sequence moved from %d to %d", last, now)
	}
	w := mustExec(t, s, a, domain.MakeCommitment{Text: "call three lapsed accounts", DueOn: "2030-01-07"})
	if w.Event.Version != first.Event.Version+1 {
		t.Errorf("version after eviction = %d, want %d", w.Event.Version, first.Event.Version+1)
	}
}

// Concurrent writers on more journals than the cache holds: every write is
// decided on its journal's whole history (none is refused or lost), and
// the journals in use are never dropped under a writer.
func TestJournalCacheBoundConcurrent(t *testing.T) {
	s := mustOpen(t, eventstore.Config{DataDir: t.TempDir(), JournalCache: 2})
	const people, rounds = 6, 8
	ids := make([]uuid.UUID, people)
	for i := range ids {
		ids[i] = register(t, s, fmt.Sprintf("Rep %d", i), fmt.Sprintf("rep%d@example.com", i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, people*rounds*2)
	for _, id := range ids {
		wg.Go(func() {
			for r := range rounds {
				made, err := s.Execute(ctxT(t), domain.Write{PersonID: id, Command: domain.MakeCommitment{
					Text: fmt.Sprintf("commitment %d", r), DueOn: "2030-01-07"}, Meta: meta()})
				if err != nil {
					errs <- fmt.Errorf("make %d: %w", r, err)
					return
				}
				if _, err := s.Execute(ctxT(t), domain.Write{PersonID: id, Command: domain.ResolveCommitment{
					CommitmentID: made.Event.ResourceID(), Status: "kept"}, Meta: meta()}); err != nil {
					errs <- fmt.Errorf("resolve %d: %w", r, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	loaded, evicted := s.JournalCacheStats()
	if loaded > 2 || evicted == 0 {
		t.Errorf("loaded %d, evicted %d; want at most 2 loaded and some evictions", loaded, evicted)
	}
	for _, id := range ids {
		w := mustExec(t, s, id, domain.MakeCommitment{Text: "one more", DueOn: "2030-01-07"})
		if want := uint64(1 + 2*rounds + 1); w.Event.Version != want {
			t.Errorf("%s: version %d, want %d", id, w.Event.Version, want)
		}
	}
}

// An import over more journals than the cache holds keeps them all locked
// and loaded while it runs, then gives back the excess; the journals it
// wrote go on from where it left them.
func TestJournalCacheImportLargerThanBound(t *testing.T) {
	s := mustOpen(t, eventstore.Config{DataDir: t.TempDir(), JournalCache: 2})
	var ws []domain.Write
	ids := make([]uuid.UUID, 5)
	for i := range ids {
		ids[i] = uuid.New()
		ws = append(ws, domain.Write{PersonID: ids[i], Command: domain.RegisterPerson{
			Name: fmt.Sprintf("Rep %d", i), Email: fmt.Sprintf("rep%d@example.com", i)}, Meta: meta()})
	}
	for _, id := range ids {
		ws = append(ws, domain.Write{PersonID: id, Command: domain.SubmitMetrics{Period: "2026-W10",
			Values: map[string]float64{"activities": 40}, Source: "import"}, Meta: meta()})
	}
	if _, failed, err := s.Import(ctxT(t), ws); err != nil || failed != -1 {
		t.Fatalf("Import: failed=%d err=%v", failed, err)
	}
	if loaded, evicted := s.JournalCacheStats(); loaded != 2 || evicted != 3 {
		t.Errorf("after the import: loaded %d, evicted %d; want 2 and 3", loaded, evicted)
	}
	for _, id := range ids {
		_, err := s.Execute(ctxT(t), domain.Write{PersonID: id, Command: domain.SubmitMetrics{Period: "2026-W10",
			Values: map[string]float64{"activities": 41}, Source: "import"}, Meta: meta()})
		wantKind(t, err, domain.KindInvalid) // a resubmission of the imported period needs a correction reason
		w := mustExec(t, s, id, domain.SubmitMetrics{Period: "2026-W11", Values: map[string]float64{"activities": 41}, Source: "import"})
		if w.Event.Version != 3 {
			t.Errorf("%s: version %d, want 3", id, w.Event.Version)
		}
	}
}

// BenchmarkExecuteEvicted is the price of the journal cache's bound: two
// writers take turns on two journals of 100 events each, with the default
// cache (both journals stay loaded) and with room for one (every write
// first reads its journal back from the stream).
func BenchmarkExecuteEvicted(b *testing.B) {
	for _, bc := range []struct {
		name  string
		cache int
	}{{"cached", 0}, {"evicted", 1}} {
		b.Run(bc.name, func(b *testing.B) {
			s := mustOpen(b, eventstore.Config{DataDir: b.TempDir(), JournalCache: bc.cache})
			ids := []uuid.UUID{register(b, s, "Ana", "ana@example.com"), register(b, s, "Ben", "ben@example.com")}
			for _, id := range ids {
				for range 99 {
					makeCommitment(b, s, id, "two demos a day")
				}
			}
			i := 0
			for b.Loop() {
				makeCommitment(b, s, ids[i%2], "two demos a day")
				i++
			}
			if _, evicted := s.JournalCacheStats(); (bc.cache == 1) != (evicted > 0) {
				b.Fatalf("cache %d: %d evictions", bc.cache, evicted)
			}
		})
	}
}
