package eventstore_test

import (
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
)

// TestVerifyJournalIncremental: VerifyJournal answers as Verify does for
// one journal, first from a full read, then reading only what was appended
// since; a bad message appended later breaks it as it breaks Verify, and
// other journals do not count.
func TestVerifyJournalIncremental(t *testing.T) {
	s := mustOpenTemp(t)
	ctx := ctxT(t)
	ana := register(t, s, "Ana Lopez", "ana@example.com")
	register(t, s, "Ben Brook", "ben@example.com")
	same := func(step string) domain.ChainReport {
		t.Helper()
		got, err := s.VerifyJournal(ctx, ana, 0)
		if err != nil {
			t.Fatalf("%s: VerifyJournal: %v", step, err)
		}
		want, err := s.Verify(ctx, &ana)
		if err != nil {
			t.Fatalf("%s: Verify: %v", step, err)
		}
		if got.OK() != want.OK() || got.Events != want.Events || got.Journals != want.Journals || len(got.Broken) != len(want.Broken) {
			t.Fatalf("%s: VerifyJournal = %+v, Verify = %+v", step, got, want)
		}
		return got
	}
	if r := same("registered"); !r.OK() || r.Events != 1 {
		t.Fatalf("registered: %+v, want 1 event, ok", r)
	}
	same("again, nothing appended")
	makeCommitment(t, s, ana, "book 15 first meetings by Friday")
	mustExec(t, s, ana, domain.SubmitMetrics{Period: clock.Now().Format("2006-01"), Values: map[string]float64{"revenue": 1}, Source: "manager"})
	if r := same("two appended"); !r.OK() || r.Events != 3 {
		t.Fatalf("two appended: %+v, want 3 events, ok", r)
	}
	// A message the store did not write, on Ana's journal.
	m := nats.NewMsg(eventstore.Subject(ana, domain.TypePersonUpdated))
	m.Data = []byte(`{"id":"` + uuid.NewString() + `","type":"person.updated"}`)
	if _, err := s.JetStream().PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	if r := same("tampered"); r.OK() || r.Events != 4 || r.Broken[0].Sequence == 0 {
		t.Fatalf("tampered: %+v, want 4 events and a break", r)
	}
}

// TestVerifyJournalShown: a caller that shows a journal's first n events
// gets the remembered answer once at least n are verified, without asking
// the stream (a message stored since is not in it), and a fresh check
// when it shows more than were verified.
func TestVerifyJournalShown(t *testing.T) {
	s := mustOpenTemp(t)
	ctx := ctxT(t)
	ana := register(t, s, "Ana Lopez", "ana@example.com")
	makeCommitment(t, s, ana, "book 15 first meetings by Friday")
	if r, err := s.VerifyJournal(ctx, ana, 2); err != nil || !r.OK() || r.Events != 2 {
		t.Fatalf("first view of 2 events: %+v, %v; want 2 events, ok", r, err)
	}
	m := nats.NewMsg(eventstore.Subject(ana, domain.TypePersonUpdated))
	m.Data = []byte(`{"id":"` + uuid.NewString() + `","type":"person.updated"}`)
	if _, err := s.JetStream().PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	for _, shown := range []uint64{1, 2} {
		if r, err := s.VerifyJournal(ctx, ana, shown); err != nil || !r.OK() || r.Events != 2 {
			t.Fatalf("showing %d events: %+v, %v; want the remembered 2 events, ok", shown, r, err)
		}
	}
	makeCommitment(t, s, ana, "role-play the discovery call") // version 3 of the journal, its 4th message
	r, err := s.VerifyJournal(ctx, ana, 3)
	if err != nil || r.OK() || r.Events != 4 {
		t.Fatalf("showing 3 events: %+v, %v; want 4 events and the foreign message's break", r, err)
	}
}

// TestWarmChains: the start-up pass verifies every journal as Verify does
// (a foreign message on one journal found), and leaves VerifyJournal with
// each journal verified to where the pass read it: its answers stay
// Verify's, including for what is appended after the pass and for a
// journal VerifyJournal read before the pass.
func TestWarmChains(t *testing.T) {
	s := mustOpenTemp(t)
	ctx := ctxT(t)
	if r, err := s.WarmChains(ctx); err != nil || r.Journals != 0 || r.Events != 0 {
		t.Fatalf("an empty stream: %+v, %v", r, err)
	}
	ana := register(t, s, "Ana Lopez", "ana@example.com")
	ben := register(t, s, "Ben Brook", "ben@example.com")
	cleo := register(t, s, "Cleo Diaz", "cleo@example.com")
	makeCommitment(t, s, ana, "book 15 first meetings by Friday")
	if _, err := s.VerifyJournal(ctx, cleo, 0); err != nil { // read before the pass
		t.Fatal(err)
	}
	makeCommitment(t, s, cleo, "call back the three stalled deals")
	m := nats.NewMsg(eventstore.Subject(ben, domain.TypePersonUpdated))
	m.Data = []byte(`{"id":"` + uuid.NewString() + `","type":"person.updated"}`)
	if _, err := s.JetStream().PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err := s.WarmChains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Verify(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Journals != want.Journals || got.Events != want.Events || len(got.Broken) != 1 || len(want.Broken) != 1 || got.Broken[0] != want.Broken[0] {
		t.Fatalf("WarmChains = %+v, Verify = %+v", got, want)
	}
	makeCommitment(t, s, ana, "role-play the discovery call")
	for _, id := range []uuid.UUID{ana, ben, cleo} {
		got, err := s.VerifyJournal(ctx, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.Verify(ctx, &id)
		if err != nil {
			t.Fatal(err)
		}
		if got.OK() != want.OK() || got.Events != want.Events || got.Journals != want.Journals || len(got.Broken) != len(want.Broken) {
			t.Errorf("after the pass, VerifyJournal(%s) = %+v, Verify = %+v", id, got, want)
		}
	}
}
