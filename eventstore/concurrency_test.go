package eventstore_test

import (
	"sync"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

// A second Store with a stale cache loses the conditional append, reloads
// and still records a correct event.
func TestTwoStoresStaleCache(t *testing.T) {
	dir := t.TempDir()
	s1 := mustOpen(t, eventstore.Config{DataDir: dir})
	s2 := mustOpenPeer(t, s1, dir)
	id := register(t, s1, "Cleo", "cleo@example.com")
	makeCommitment(t, s2, id, "call ten customers")     // s2 loads the journal: version 2
	makeCommitment(t, s1, id, "role-play discovery")    // s1's cache is at version 1: retried
	w := makeCommitmentW(t, s2, id, "ride along twice") // s2's cache is at version 2: retried
	if w.Event.Version != 4 {
		t.Errorf("version = %d, want 4", w.Event.Version)
	}
	events, err := s1.ReadJournal(ctxT(t), id)
	if err != nil || len(events) != 4 {
		t.Fatalf("ReadJournal = %d events, %v; want 4", len(events), err)
	}
	for i, e := range events {
		if e.Version != uint64(i+1) {
			t.Errorf("event %d has version %d", i, e.Version)
		}
	}
	if c := events[3].Data.(*domain.CommitmentMade); c.Text != "ride along twice" {
		t.Errorf("text read by the other store = %q", c.Text)
	}
	if rep, err := s2.Verify(ctxT(t), &id); err != nil || !rep.OK() {
		t.Errorf("Verify = %+v, %v", rep, err)
	}
}

func makeCommitmentW(tb testing.TB, s *eventstore.Store, id uuid.UUID, text string) domain.Written {
	tb.Helper()
	return mustExec(tb, s, id, domain.MakeCommitment{Text: text, DueOn: "2099-01-01"})
}

// Fifty concurrent resolutions of one commitment, from two Stores: exactly
// one wins, the rest are conflicts, and one resolution is stored.
func TestConcurrentResolveOnce(t *testing.T) {
	dir := t.TempDir()
	s1 := mustOpen(t, eventstore.Config{DataDir: dir})
	s2 := mustOpenPeer(t, s1, dir)
	id := register(t, s1, "Dan", "dan@example.com")
	cid := makeCommitment(t, s1, id, "send the proposal")
	if _, err := s2.ReadJournal(ctxT(t), id); err != nil {
		t.Fatal(err)
	}

	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		s := s1
		if i%2 == 1 {
			s = s2
		}
		wg.Go(func() {
			_, errs[i] = s.Execute(ctxT(t), domain.Write{PersonID: id, Command: domain.ResolveCommitment{CommitmentID: cid, Status: "kept"}, Meta: meta()})
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch domain.KindOf(err) {
		case domain.KindInternal:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
			ok++
		case domain.KindConflict:
		default:
			t.Errorf("write %d: %v, want success or conflict", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d writes succeeded, want 1", ok)
	}
	events, err := s2.ReadJournal(ctxT(t), id)
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, e := range events {
		if e.Type == domain.TypeCommitmentKept {
			kept++
		}
	}
	if kept != 1 || len(events) != 3 {
		t.Errorf("journal holds %d events, %d resolutions; want 3 and 1", len(events), kept)
	}
}
