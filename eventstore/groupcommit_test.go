package eventstore_test

import (
	"sync"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

// A lone writer is never batched; concurrent writers on different journals
// are, and each gets the sequence its own event was stored at. (The
// break-even is fixed low here: the learnt one depends on the disk, see
// TestCostModel.)
func TestGroupCommit(t *testing.T) {
	s := mustOpenTemp(t)
	eventstore.SetGroupCommitMinBatch(s, 2)
	const n = 32
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = register(t, s, "Rep", "rep@example.com") // its own batch with an org marker (org.go)
	}
	for _, id := range ids {
		mustExec(t, s, id, domain.SetCadence{EveryDays: 7})
	}
	if st := s.GroupCommitStats(); !st.Enabled || st.Batches != 0 || st.Singles != n {
		t.Fatalf("after %d appends one at a time: %+v, want %d singles and no batch", n, st, n)
	}

	written := make([]domain.Written, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, id := range ids {
		wg.Go(func() {
			<-start
			written[i] = mustExec(t, s, id, domain.MakeCommitment{Text: "call ten prospects", DueOn: "2099-01-01"})
		})
	}
	close(start)
	wg.Wait()
	for i, id := range ids {
		events, err := s.ReadJournal(ctxT(t), id)
		if err != nil || len(events) != 3 {
			t.Fatalf("journal %d: %d events, %v", i, len(events), err)
		}
		if e := events[2]; e.ID != written[i].Event.ID || e.Sequence != written[i].Event.Sequence {
			t.Errorf("journal %d stores event %s at %d; Execute answered %s at %d", i, e.ID, e.Sequence, written[i].Event.ID, written[i].Event.Sequence)
		}
	}
	st := s.GroupCommitStats()
	if st.Batches == 0 || st.BatchedAppends+st.Singles != 2*n || st.BatchSize.Count != st.Batches || st.BatchSeconds.Count != st.Batches {
		t.Errorf("stats = %+v, want some batches and %d appends in all", st, 2*n)
	}
	t.Logf("%d concurrent appends: %d batches of %d, %d singles", n, st.Batches, st.BatchedAppends, st.Singles-n)
	if rep, err := s.Verify(ctxT(t), nil); err != nil || !rep.OK() {
		t.Errorf("Verify = %+v, %v", rep, err)
	}
}

func TestNoGroupCommit(t *testing.T) {
	s := mustOpen(t, eventstore.Config{DataDir: t.TempDir(), NoGroupCommit: true})
	register(t, s, "Rep", "rep@example.com")
	if st := s.GroupCommitStats(); st.Enabled || st.Singles != 0 {
		t.Errorf("stats = %+v, want disabled", st)
	}
}
