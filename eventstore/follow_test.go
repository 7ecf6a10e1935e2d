package eventstore_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
)

// follower collects what Follow delivers.
type follower struct {
	mu      sync.Mutex
	seqs    []uint64
	events  []domain.Event
	markers []uint64 // the org markers' sequences (eventstore.ErrMarker)
	errs    map[uint64]error
}

func (f *follower) handle(seq uint64, e domain.Event, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seqs = append(f.seqs, seq)
	if errors.Is(err, eventstore.ErrMarker) {
		f.markers = append(f.markers, seq)
		return
	}
	if err != nil {
		f.errs[seq] = err
		return
	}
	f.events = append(f.events, e)
}

// waitFor waits until n messages were delivered.
func (f *follower) waitFor(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.mu.Lock()
		got := len(f.seqs)
		f.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Follow delivered %d messages, want %d", got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func startFollow(t *testing.T, follow func(context.Context, uint64, func(uint64, domain.Event, error)) error, after uint64) *follower {
	f := &follower{errs: map[uint64]error{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- follow(ctx, after, f.handle) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Follow returned %v", err)
		}
	})
	return f
}

func TestFollowHistoryThenLive(t *testing.T) {
	s := mustOpenTemp(t)
	a := register(t, s, "Jo", "jo@example.com")
	b := register(t, s, "Kai", "kai@example.com")
	makeCommitment(t, s, a, "write the plan")

	f := startFollow(t, s.Follow, 0)
	f.waitFor(t, 5) // each registration is an org marker and the event (org.go)
	mustExec(t, s, b, domain.SetCadence{EveryDays: 14})
	f.waitFor(t, 6)
	f.mu.Lock()
	defer f.mu.Unlock()
	// Every message is delivered with its sequence, markers included, so a
	// follower sees no gap; the events carry the sequence they came with.
	for i, seq := range f.seqs {
		if seq != uint64(i+1) {
			t.Errorf("message %d delivered with sequence %d", i, seq)
		}
	}
	if len(f.markers) != 2 || len(f.events) != 4 {
		t.Errorf("delivered %d markers and %d events, want 2 and 4", len(f.markers), len(f.events))
	}
	for i, e := range f.events {
		if e.Sequence == 0 || !slices.Contains(f.seqs, e.Sequence) || slices.Contains(f.markers, e.Sequence) {
			t.Errorf("event %d has sequence %d", i, e.Sequence)
		}
	}
	if c := f.events[2].Data.(*domain.CommitmentMade); c.Text != "write the plan" || f.events[3].PersonID != b {
		t.Errorf("delivered %+v, %+v", c, f.events[3])
	}

	g := startFollow(t, s.Follow, 2) // from the middle
	g.waitFor(t, 2)
	if g.mu.Lock(); g.seqs[0] != 3 {
		t.Errorf("Follow after 2 starts at %d", g.seqs[0])
	}
	g.mu.Unlock()
}

// Forged messages published straight to the stream never stop a reader and
// are named by Verify.
func TestForgedMessages(t *testing.T) {
	s := mustOpenTemp(t)
	ctx := ctxT(t)
	a := register(t, s, "Lia", "lia@example.com")
	b := register(t, s, "Max", "max@example.com")

	events, err := s.ReadJournal(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.JetStream().Stream(ctx, "JOURNAL")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := st.GetMsg(ctx, events[0].Sequence)
	if err != nil {
		t.Fatal(err)
	}
	// A plausible person.updated: valid JSON, but its hash was not recomputed.
	forged := bytes.Replace(raw.Data, []byte(`"person.registered"`), []byte(`"person.updated"`), 1)
	forged = bytes.Replace(forged, []byte(`"version":1`), []byte(`"version":2`), 1)
	ackJSON, err := s.JetStream().Publish(ctx, eventstore.Subject(a, domain.TypePersonUpdated), forged)
	if err != nil {
		t.Fatal(err)
	}
	ackBad, err := s.JetStream().Publish(ctx, eventstore.Subject(b, domain.TypePersonUpdated), []byte("\x00garbage{"))
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, s, b, domain.SetCadence{EveryDays: 7}) // the journal still takes writes

	rep, err := s.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	broken := map[string]uint64{}
	for _, br := range rep.Broken {
		broken[br.PersonID] = br.Sequence
	}
	if rep.OK() || broken[a.String()] != ackJSON.Sequence || broken[b.String()] != ackBad.Sequence {
		t.Errorf("Verify = %+v; want %s broken at %d and %s at %d", rep, a, ackJSON.Sequence, b, ackBad.Sequence)
	}
	if rep, err := s.Verify(ctx, &b); err != nil || len(rep.Broken) != 1 || rep.Journals != 1 {
		t.Errorf("Verify(%s) = %+v, %v", b, rep, err)
	}

	f := startFollow(t, s.Follow, 0)
	last, err := s.LastSequence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.waitFor(t, int(last))
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.errs) != 1 || f.errs[ackBad.Sequence] == nil {
		t.Errorf("Follow errors = %v, want one at %d", f.errs, ackBad.Sequence)
	}
	if last := f.events[len(f.events)-1]; last.Type != domain.TypeCadenceSet || last.PersonID != b {
		t.Errorf("Follow did not go on past the forged message: last %+v", last)
	}
}
