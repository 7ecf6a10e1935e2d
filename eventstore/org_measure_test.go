package eventstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventjson"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

// TestMeasureOrgCatchUp measures the org fold from zero on a big stream:
// Store.Org, and the first structural write of a Store that has not
// folded the org yet (a start), against a later one. The stream holds
// COACHJOURNAL_ORG_MEASURE events (e.g. 1000000; skipped without it) of
// COACHJOURNAL_ORG_PEOPLE people (10000 by default): half registered
// first, the rest spread over the stream (people join over time), a
// manager change now and then, and weekly numbers in between. It reports
// (with a write that is not structural, for scale); it asserts only that
// the fold found everyone.
//
//	COACHJOURNAL_ORG_MEASURE=1000000 go test ./eventstore -run MeasureOrgCatchUp -count=1 -v -timeout 30m
func TestMeasureOrgCatchUp(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("COACHJOURNAL_ORG_MEASURE"))
	if n <= 0 {
		t.Skip("set COACHJOURNAL_ORG_MEASURE=N (events) to measure")
	}
	people := 10_000
	if v, err := strconv.Atoi(os.Getenv("COACHJOURNAL_ORG_PEOPLE")); err == nil && v > 0 {
		people = v
	}
	dir := t.TempDir()
	s := mustOpen(t, eventstore.Config{DataDir: dir, NoSync: true})
	ctx := context.Background()
	t0 := time.Now()
	ids, personEvents := fillOrgStream(t, s, n, people)
	last, err := s.LastSequence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stream: %d events, %d people, %d person events, written in %s", last, people, personEvents, time.Since(t0).Round(time.Millisecond))

	for round := range 3 {
		t0 := time.Now()
		org, err := s.Org(ctx)
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(t0)
		if got := len(org.People()); got != people {
			t.Fatalf("Org holds %d people, want %d", got, people)
		}
		t.Logf("round %d: Store.Org from zero: %s", round, took.Round(time.Millisecond))
	}
	register := func(st *eventstore.Store) time.Duration {
		mgr := ids[rand.IntN(len(ids))].String()
		t0 := time.Now()
		if _, err := st.Execute(ctxT(t), domain.Write{PersonID: uuid.New(), Meta: meta(),
			Command: domain.RegisterPerson{Name: "New", Email: "new@example.com", ManagerID: &mgr}}); err != nil {
			t.Fatal(err)
		}
		return time.Since(t0)
	}
	t.Logf("first structural write of the Store that wrote the stream: %s", register(s).Round(time.Millisecond))
	for round := range 3 {
		// A fresh Store on the same server: its org is not folded yet, as after a start.
		peer := mustOpen(t, eventstore.Config{NATSURL: s.Server().ClientURL(), MasterKeyFile: filepath.Join(dir, "master.key")})
		first, next := register(peer), register(peer)
		// s folded the org before the peer's two writes: it reads them first.
		after := register(s)
		t.Logf("round %d: first structural write of a fresh Store: %s; its next one: %s; one of another Store after those two: %s",
			round, first.Round(time.Millisecond), next.Round(100*time.Microsecond), after.Round(100*time.Microsecond))
		if err := peer.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// For scale: a write that is not the org's, on a journal s has loaded.
	who := ids[rand.IntN(len(ids))]
	mustExec(t, s, who, domain.MakeCommitment{Text: "call back", DueOn: "2099-01-01"})
	t0 = time.Now()
	mustExec(t, s, who, domain.MakeCommitment{Text: "call back", DueOn: "2099-01-01"})
	t.Logf("a write that is not structural, on a loaded journal: %s", time.Since(t0).Round(100*time.Microsecond))
}

// fillOrgStream appends n sealed events of people people straight to the
// stream (bypassing the rules, for volume; each journal's chain is whole):
// half the registrations first, each under an earlier person, the other
// half spread evenly over the rest of the stream; among the other events,
// one in 200 moves someone under an earlier person (no cycle), the rest
// are weekly numbers. It returns the people's ids and how many person
// events it wrote.
func fillOrgStream(t *testing.T, s *eventstore.Store, n, people int) ([]uuid.UUID, int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	js := s.JetStream()
	ids := make([]uuid.UUID, 0, people)
	versions := make([]uint64, people)
	hashes := make([]string, people)
	at := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	first := people / 2
	spread := max(1, (n-first)/max(1, people-first))
	personEvents := 0
	for i := range n {
		e := domain.Event{Schema: 1, Actor: domain.Actor{ID: "import", Role: domain.RoleAdmin},
			OccurredAt: at.Add(time.Duration(i) * time.Second), RecordedAt: at.Add(time.Duration(i) * time.Second)}
		var p int
		switch {
		case len(ids) < people && (len(ids) < first || i%spread == 0):
			p = len(ids)
			ids = append(ids, uuid.Must(uuid.NewV7()))
			var mgr *uuid.UUID
			if p > 0 {
				mgr = &ids[(p-1)/10]
			}
			e.Type, e.Data = domain.TypePersonRegistered, &domain.PersonRegistered{Name: fmt.Sprintf("Person %d", p), Email: "p@example.com", ManagerID: mgr}
			personEvents++
		case rng.IntN(200) == 0 && len(ids) > 1:
			p = 1 + rng.IntN(len(ids)-1)
			mgr := ids[rng.IntN(p)]
			e.Type, e.Data = domain.TypeManagerChanged, &domain.ManagerChanged{ManagerID: &mgr}
			personEvents++
		default:
			p = rng.IntN(len(ids))
			week := domain.WeekPeriod(domain.DateOf(e.OccurredAt))
			e.Type, e.Data = domain.TypeMetricsSubmitted, &domain.MetricsSubmitted{Period: week, Source: "import", Values: map[string]float64{"activities": float64(i % 50), "revenue": float64(i)}}
		}
		versions[p]++
		e.ID, e.PersonID, e.Version, e.PrevHash = uuid.Must(uuid.NewV7()), ids[p], versions[p], hashes[p]
		b, err := eventjson.Seal(&e)
		if err != nil {
			t.Fatal(err)
		}
		hashes[p] = e.Hash
		if _, err := js.PublishAsync(eventstore.Subject(e.PersonID, e.Type), b); err != nil {
			t.Fatal(err)
		}
		if (i+1)%1000 == 0 || i == n-1 {
			select {
			case <-js.PublishAsyncComplete():
			case <-time.After(2 * time.Minute):
				t.Fatal("publishing did not complete")
			}
		}
	}
	if len(ids) < people {
		t.Fatalf("registered %d people of %d: too few events", len(ids), people)
	}
	return ids, personEvents
}
