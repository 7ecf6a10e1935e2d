package eventstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

func TestImportBatchChainsJournals(t *testing.T) {
	s := mustOpenTemp(t)
	ctx := ctxT(t)
	old := register(t, s, "Ana", "ana@example.com")
	fresh := uuid.New()
	cid := uuid.New()
	ws := []domain.Write{
		{PersonID: fresh, Command: domain.RegisterPerson{Name: "Bo", Email: "bo@example.com"}, Meta: meta()},
		{PersonID: old, Command: domain.SubmitMetrics{Period: "2025-W10", Values: map[string]float64{"activities": 40}, Source: "import"}, Meta: meta()},
		{PersonID: fresh, Command: domain.WithID{ID: cid, Command: domain.MakeCommitment{Text: "book 15 meetings", DueOn: "2025-03-14"}}, Meta: meta()},
		{PersonID: fresh, Command: domain.ResolveCommitment{CommitmentID: cid, Status: "kept"}, Meta: meta()},
		{PersonID: old, Command: domain.SubmitMetrics{Period: "2025-W11", Values: map[string]float64{"activities": 42}, Source: "import"}, Meta: meta()},
	}
	events, failed, err := s.ImportBatch(ctx, ws)
	if err != nil || failed != -1 {
		t.Fatalf("ImportBatch: failed=%d err=%v", failed, err)
	}
	last, _ := s.LastSequence(ctx)
	if got := events[len(events)-1].Sequence; got != last {
		t.Fatalf("last event sequence = %d, want %d", got, last)
	}
	if events[3].Version != 3 || events[4].Version != 3 {
		t.Errorf("versions %d, %d, want 3, 3", events[3].Version, events[4].Version)
	}
	if rep, err := s.Verify(ctx, nil); err != nil || !rep.OK() || rep.Events != 6 {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
	// Execute continues the chain after the batch.
	mustExec(t, s, fresh, domain.SubmitMetrics{Period: "2025-W12", Values: map[string]float64{"activities": 1}, Source: "import"})
	if rep, _ := s.Verify(ctx, nil); !rep.OK() {
		t.Fatalf("Verify after Execute: %+v", rep)
	}
}

func TestImportBatchAllOrNothing(t *testing.T) {
	s := mustOpenTemp(t)
	ctx := ctxT(t)
	id := register(t, s, "Ana", "ana@example.com")
	before, _ := s.LastSequence(ctx)
	ws := []domain.Write{
		{PersonID: id, Command: domain.SubmitMetrics{Period: "2025-W10", Values: map[string]float64{"activities": 40}, Source: "import"}, Meta: meta()},
		{PersonID: id, Command: domain.ResolveCommitment{CommitmentID: uuid.New(), Status: "kept"}, Meta: meta()},
	}
	_, failed, err := s.ImportBatch(ctx, ws)
	if failed != 1 || domain.KindOf(err) != domain.KindNotFound {
		t.Fatalf("failed=%d err=%v, want 1 and not found", failed, err)
	}
	if after, _ := s.LastSequence(ctx); after != before {
		t.Fatalf("stream moved from %d to %d", before, after)
	}
	// The journal state was restored: the first write still decides.
	mustExec(t, s, id, domain.SubmitMetrics{Period: "2025-W10", Values: map[string]float64{"activities": 40}, Source: "import"})
}

func TestImportPipelinesBatchesAndStopsAtARefusal(t *testing.T) {
	s := mustOpenTemp(t)
	ctx := ctxT(t)
	a, b := register(t, s, "Ana", "ana@example.com"), register(t, s, "Bo", "bo@example.com")
	var ws []domain.Write
	for i := range 2*eventstore.MaxImportBatch + 500 {
		id := a
		if i%3 == 0 {
			id = b
		}
		ws = append(ws, domain.Write{PersonID: id, Command: domain.MakeCommitment{Text: "call a client", DueOn: "2025-03-14"}, Meta: meta()})
	}
	events, failed, err := s.Import(ctx, ws)
	if err != nil || failed != -1 || len(events) != len(ws) {
		t.Fatalf("Import: %d events, failed=%d, err=%v", len(events), failed, err)
	}
	if rep, err := s.Verify(ctx, nil); err != nil || !rep.OK() {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
	before, _ := s.LastSequence(ctx)
	ws[eventstore.MaxImportBatch+7] = domain.Write{PersonID: a, Command: domain.ResolveCommitment{CommitmentID: uuid.New(), Status: "kept"}, Meta: meta()}
	events, failed, err = s.Import(ctx, ws)
	if failed != eventstore.MaxImportBatch+7 || domain.KindOf(err) != domain.KindNotFound || len(events) != eventstore.MaxImportBatch {
		t.Fatalf("Import: %d events, failed=%d, err=%v; want the first batch stored and write %d refused", len(events), failed, err, eventstore.MaxImportBatch+7)
	}
	if after, _ := s.LastSequence(ctx); after != before+eventstore.MaxImportBatch {
		t.Fatalf("stream moved from %d to %d, want one batch", before, after)
	}
	mustExec(t, s, a, domain.MakeCommitment{Text: "after", DueOn: "2025-03-14"})
	if rep, _ := s.Verify(ctx, nil); !rep.OK() {
		t.Fatalf("Verify after refusal: %+v", rep)
	}
}

// A journal longer than two batch gets loads whole, through a fresh Store
// and through ReadJournal: the synchronous subscription that batch gets
// read through holds a whole batch (see connect).
func TestLongJournalLoadsWhole(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, eventstore.Config{DataDir: dir})
	ctx := ctxT(t)
	id := uuid.New()
	ws := []domain.Write{{PersonID: id, Command: domain.RegisterPerson{Name: "Ana", Email: "ana@example.com"}, Meta: meta()}}
	week := time.Date(2020, 1, 6, 0, 0, 0, 0, time.UTC)
	for i := range 2*1000 + 10 {
		// A correction of the same weeks, over and over: a long journal.
		y, w := week.AddDate(0, 0, 7*(i%300)).ISOWeek()
		ws = append(ws, domain.Write{PersonID: id, Command: domain.SubmitMetrics{Period: fmt.Sprintf("%d-W%02d", y, w),
			Values: map[string]float64{"activities": float64(i)}, Source: "import", CorrectionReason: correction(i)}, Meta: meta()})
	}
	if _, failed, err := s.Import(ctx, ws); err != nil || failed != -1 {
		t.Fatalf("Import: failed=%d err=%v", failed, err)
	}
	events, err := s.ReadJournal(ctx, id)
	if err != nil || len(events) != len(ws) {
		t.Fatalf("ReadJournal: %d events, %v; want %d", len(events), err, len(ws))
	}
	// A peer Store has no cache: its first write loads the whole journal
	// and appends at version len(ws)+1.
	peer := mustOpenPeer(t, s, dir)
	w := mustExec(t, peer, id, domain.SubmitMetrics{Period: "2019-W02", Values: map[string]float64{"activities": 1}, Source: "import"})
	if w.Event.Version != uint64(len(ws)+1) {
		t.Errorf("version after the peer's write = %d, want %d", w.Event.Version, len(ws)+1)
	}
}

func correction(i int) *string {
	if i < 300 {
		return nil
	}
	return ptr("re-count")
}
