package eventstore_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// gcOp is one random command of the property test.
type gcOp struct {
	journal int
	store   int // 0 or 1: which of two Stores on one server runs it
	cmd     domain.Command
	desc    string // what the command is: its request hash
	key     string // idempotency key, or ""

	w   domain.Written
	err error
}

// TestGroupCommitSerializable: random concurrent commands across a few
// journals, from two Stores with stale caches (so that batches lose races
// on the server and fall back), with conflicts (resolutions of one
// commitment, PIP openings and closings) and repeated idempotency keys,
// leave each journal in a state that a serial execution of exactly the
// successful commands produces, and every 409 is one that some serial
// order allows: no lost update, no double resolution, no phantom append.
func TestGroupCommitSerializable(t *testing.T) {
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "rapid.checks" })
	if !explicit {
		f := flag.Lookup("rapid.checks")
		old := f.Value.String()
		_ = f.Value.Set("25")
		t.Cleanup(func() { _ = f.Value.Set(old) })
	}
	dir := t.TempDir()
	s1 := mustOpen(t, eventstore.Config{DataDir: dir})
	s2 := mustOpenPeer(t, s1, dir)
	stores := []*eventstore.Store{s1, s2}
	for _, s := range stores {
		eventstore.SetGroupCommitMinBatch(s, 2)
	}

	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(2, 6).Draw(rt, "journals")
		ids := make([]uuid.UUID, n)
		commits := make([][]uuid.UUID, n)
		pips := make([]uuid.UUID, n)
		for i := range ids {
			ids[i] = register(t, s1, fmt.Sprintf("Rep %d", i), "rep@example.com")
			for range 2 {
				commits[i] = append(commits[i], makeCommitment(t, s1, ids[i], "call ten prospects"))
			}
			if rapid.Bool().Draw(rt, "pip") {
				pips[i] = mustExec(t, s1, ids[i], openPIP()).Event.ResourceID()
			}
		}
		for i := range ids { // both stores start from a cached, soon stale, journal
			mustExec(t, s2, ids[i], domain.SetCadence{EveryDays: 7})
		}
		ops := rapid.SliceOfN(rapid.Custom(func(rt *rapid.T) *gcOp {
			return drawOp(rt, n, commits, pips)
		}), 4, 40).Draw(rt, "ops")

		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, op := range ops {
			wg.Go(func() {
				<-start
				op.w, op.err = stores[op.store].Execute(ctxT(t), domain.Write{PersonID: ids[op.journal], Command: op.cmd, Meta: meta(),
					IdempotencyKey: op.key, RequestHash: op.desc})
			})
		}
		close(start)
		wg.Wait()
		for i, id := range ids {
			checkSerial(rt, ctxT(t), s1, id, i, ops)
		}
	})
	st := s1.GroupCommitStats()
	t.Logf("store 1: %d batches of %d appends, %d fallbacks, %d singles", st.Batches, st.BatchedAppends, st.Fallbacks, st.Singles)
	if st.Batches == 0 || st.Fallbacks == 0 {
		t.Errorf("stats = %+v: the batch path or its fallback never ran", st)
	}
}

func openPIP() domain.OpenPIP {
	return domain.OpenPIP{Reason: "below standard", StartsOn: clock.Now().Format("2006-01-02"),
		EndsOn: clock.Now().AddDate(0, 0, 30).Format("2006-01-02"), Goals: []domain.GoalInput{{Text: "double the pipeline"}}}
}

func drawOp(rt *rapid.T, journals int, commits [][]uuid.UUID, pips []uuid.UUID) *gcOp {
	op := &gcOp{journal: rapid.IntRange(0, journals-1).Draw(rt, "journal"), store: rapid.IntRange(0, 1).Draw(rt, "store")}
	c := rapid.IntRange(0, 1).Draw(rt, "commitment")
	cid := commits[op.journal][c]
	switch rapid.IntRange(0, 5).Draw(rt, "kind") {
	case 0:
		status := rapid.SampledFrom([]string{"kept", "missed"}).Draw(rt, "status")
		op.cmd, op.desc = domain.ResolveCommitment{CommitmentID: cid, Status: status}, fmt.Sprintf("resolve %d %s", c, status)
	case 1:
		op.cmd, op.desc = domain.FollowUpCommitment{CommitmentID: cid, Note: "called twice"}, fmt.Sprintf("follow up %d", c)
	case 2:
		op.cmd, op.desc = domain.MakeCommitment{Text: "role-play discovery", DueOn: "2099-01-01"}, "make"
	case 3:
		op.cmd, op.desc = openPIP(), "open pip"
	case 4:
		if pips[op.journal] == uuid.Nil {
			op.cmd, op.desc = openPIP(), "open pip"
			break
		}
		op.cmd, op.desc = domain.ClosePIP{PIPID: pips[op.journal], Outcome: "succeeded", Note: "met"}, "close pip"
	default:
		op.cmd, op.desc = domain.SetCadence{EveryDays: 14}, "cadence"
	}
	op.key = rapid.SampledFrom([]string{"", "", "", "k1", "k2"}).Draw(rt, "key")
	return op
}

// checkSerial checks one journal against the outcomes of its commands.
func checkSerial(rt *rapid.T, ctx context.Context, s *eventstore.Store, id uuid.UUID, journal int, all []*gcOp) {
	events, err := s.ReadJournal(ctx, id)
	if err != nil {
		rt.Fatal(err)
	}
	if rep, err := s.Verify(ctx, &id); err != nil || !rep.OK() {
		rt.Fatalf("journal %d: chain %+v, %v", journal, rep, err)
	}
	byEvent := map[uuid.UUID]*gcOp{}
	var ops []*gcOp
	for _, op := range all {
		if op.journal != journal {
			continue
		}
		ops = append(ops, op)
		switch {
		case op.err == nil && !op.w.Replayed:
			if byEvent[op.w.Event.ID] != nil {
				rt.Fatalf("journal %d: two commands answered with event %s", journal, op.w.Event.ID)
			}
			byEvent[op.w.Event.ID] = op
		case op.err != nil && domain.KindOf(op.err) != domain.KindConflict:
			rt.Fatalf("journal %d: %s: %v, want success or conflict", journal, op.desc, op.err)
		}
	}
	// The stored history is a serial execution of exactly the successful
	// commands, each where the stream put it, after the set-up's events;
	// its states are where a refusal may have been decided.
	setup := 0
	for setup < len(events) && byEvent[events[setup].ID] == nil {
		setup++
	}
	j := replay(events[:setup], id)
	states := []*domain.Journal{replay(events[:setup], id)}
	for k, e := range events {
		if e.Version != uint64(k+1) {
			rt.Fatalf("journal %d: event %d has version %d", journal, k, e.Version)
		}
		if k < setup {
			continue
		}
		op := byEvent[e.ID]
		if op == nil {
			rt.Fatalf("journal %d: event %d (%s) answers no successful command", journal, k, e.Type)
		}
		if _, err := domain.Decide(j, op.cmd, meta()); err != nil {
			rt.Fatalf("journal %d: %s stored at version %d, but a serial execution refuses it: %v", journal, op.desc, e.Version, err)
		}
		if op.w.Event.Sequence != e.Sequence {
			rt.Fatalf("journal %d: %s answered sequence %d, stored at %d", journal, op.desc, op.w.Event.Sequence, e.Sequence)
		}
		delete(byEvent, e.ID)
		j.Evolve(e)
		states = append(states, replay(events[:k+1], id))
	}
	for _, op := range byEvent {
		rt.Fatalf("journal %d: %s answered 2xx (seq %d) but is not stored: a lost update", journal, op.desc, op.w.Event.Sequence)
	}
	for _, op := range ops {
		checkOutcome(rt, journal, op, ops, states)
	}
}

// checkOutcome checks that a replay or a conflict is one a serial order allows.
func checkOutcome(rt *rapid.T, journal int, op *gcOp, ops []*gcOp, states []*domain.Journal) {
	firstUse := func(sameRequest bool) *gcOp {
		for _, o := range ops {
			if o.key == op.key && o.err == nil && !o.w.Replayed && (o.desc == op.desc) == sameRequest {
				return o
			}
		}
		return nil
	}
	var de *domain.Error
	switch {
	case op.err == nil && op.w.Replayed:
		if f := firstUse(true); op.key == "" || f == nil || f.w.Event.Sequence != op.w.Event.Sequence {
			rt.Fatalf("journal %d: %s replayed seq %d without a first use", journal, op.desc, op.w.Event.Sequence)
		}
	case op.err != nil && errors.As(op.err, &de) && de.Code == domain.CodeIdempotencyKeyReused:
		if op.key == "" || firstUse(false) == nil {
			rt.Fatalf("journal %d: %s: key %q reported reused, but no other request stored it", journal, op.desc, op.key)
		}
	case op.err != nil && strings.Contains(op.err.Error(), "changing too fast"):
		// The documented answer to a race lost too often.
	case op.err != nil:
		for _, p := range states {
			if _, err := domain.Decide(p, op.cmd, meta()); domain.KindOf(err) == domain.KindConflict {
				return
			}
		}
		rt.Fatalf("journal %d: %s answered %v, but no state of the history refuses it", journal, op.desc, op.err)
	}
}

func replay(events []domain.Event, id uuid.UUID) *domain.Journal {
	j := domain.NewJournal(id)
	for _, e := range events {
		j.Evolve(e)
	}
	return j
}
