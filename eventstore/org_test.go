package eventstore_test

import (
	"log/slog"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

// The org's rules hold on every structural write path, Execute and both
// imports, and across two Stores on one stream: a Store that has cached
// the org decides again when the other changed it since.
func TestOrgRules(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, eventstore.Config{DataDir: dir})
	peer := mustOpenPeer(t, s, dir)
	ctx := ctxT(t)
	reg := func(st *eventstore.Store, mgr *uuid.UUID) (uuid.UUID, error) {
		id := uuid.New()
		cmd := domain.RegisterPerson{Name: "P", Email: "p@example.com"}
		if mgr != nil {
			cmd.ManagerID = ptr(mgr.String())
		}
		_, err := st.Execute(ctx, domain.Write{PersonID: id, Command: cmd, Meta: meta()})
		return id, err
	}
	kind := func(err error) domain.Kind { return domain.KindOf(err) }
	top, _ := reg(s, nil)
	lead, err := reg(s, &top)
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := reg(peer, &lead) // the peer decides on the org s wrote

	// A cycle, decided by the Store that did not write the org's last change.
	_, err = s.Execute(ctx, domain.Write{PersonID: top, Command: domain.ChangeManager{ManagerID: ptr(rep.String())}, Meta: meta()})
	if kind(err) != domain.KindConflict {
		t.Fatalf("top under rep: %v, want a conflict (cycle)", err)
	}
	// A departure with a report, then without.
	depart := domain.DepartPerson{On: "2026-01-31", Reason: "left"}
	if _, err := peer.Execute(ctx, domain.Write{PersonID: lead, Command: depart, Meta: meta()}); kind(err) != domain.KindConflict {
		t.Fatalf("lead departs with a report: %v, want a conflict", err)
	}
	mustExec(t, s, rep, domain.ChangeManager{ManagerID: ptr(top.String())})
	if _, err := peer.Execute(ctx, domain.Write{PersonID: lead, Command: depart, Meta: meta()}); err != nil {
		t.Fatalf("lead departs without reports: %v", err)
	}
	// Nobody is registered or moved under someone departed, nor under no one registered.
	if _, err := reg(s, &lead); kind(err) != domain.KindConflict {
		t.Fatalf("register under a departed manager: %v, want a conflict", err)
	}
	if _, err := s.Execute(ctx, domain.Write{PersonID: rep, Command: domain.ChangeManager{ManagerID: ptr(lead.String())}, Meta: meta()}); kind(err) != domain.KindConflict {
		t.Fatalf("move under a departed manager: %v, want a conflict", err)
	}
	ghost := uuid.New()
	if _, err := reg(peer, &ghost); kind(err) != domain.KindInvalid {
		t.Fatalf("register under nobody registered: %v, want invalid", err)
	}

	// Imports: a batch is decided in order, each structural event against
	// the org as the batch's earlier ones leave it.
	a, b := uuid.New(), uuid.New()
	w := func(id uuid.UUID, cmd domain.Command) domain.Write {
		return domain.Write{PersonID: id, Command: cmd, Meta: meta()}
	}
	before, _ := s.LastSequence(ctx)
	_, failed, err := s.ImportBatch(ctx, []domain.Write{
		w(a, domain.RegisterPerson{Name: "A", Email: "a@example.com", ManagerID: ptr(top.String())}),
		w(b, domain.RegisterPerson{Name: "B", Email: "b@example.com", ManagerID: ptr(a.String())}),
		w(a, depart),
	})
	if failed != 2 || kind(err) != domain.KindConflict {
		t.Fatalf("import: failed %d, %v; want the departure (2) refused: A manages B", failed, err)
	}
	if after, _ := s.LastSequence(ctx); after != before {
		t.Fatalf("a refused import moved the stream from %d to %d", before, after)
	}
	if _, failed, err := peer.Import(ctx, []domain.Write{w(uuid.New(), domain.RegisterPerson{Name: "C", Email: "c@example.com", ManagerID: ptr(lead.String())})}); failed != 0 || kind(err) != domain.KindConflict {
		t.Fatalf("import under a departed manager: failed %d, %v", failed, err)
	}
	events, failed, err := peer.Import(ctx, []domain.Write{
		w(a, domain.RegisterPerson{Name: "A", Email: "a@example.com", ManagerID: ptr(top.String())}),
		w(b, domain.RegisterPerson{Name: "B", Email: "b@example.com", ManagerID: ptr(a.String())}),
	})
	if err != nil || failed != -1 || len(events) != 2 {
		t.Fatalf("import: %d events, failed %d, %v", len(events), failed, err)
	}
	// s cached the org before the peer's import: it must see B under A.
	if _, err := s.Execute(ctx, domain.Write{PersonID: a, Command: domain.ChangeManager{ManagerID: ptr(b.String())}, Meta: meta()}); kind(err) != domain.KindConflict {
		t.Fatalf("A under B after the import: %v, want a conflict (cycle)", err)
	}
	org, err := s.Org(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := org.Manager(b); m != a || !org.Departed(lead) {
		t.Errorf("org: B's manager %v, lead departed %v", m, org.Departed(lead))
	}
	if rep, err := s.Verify(ctx, nil); err != nil || !rep.OK() {
		t.Errorf("Verify = %+v, %v: the markers are no journal's", rep, err)
	}
}

// The org a Store decides on is folded from the person events among all
// the others: from zero at its first structural write, up to the last
// person event stored (a registration with many other events after it),
// skipping an undecodable one with one warning; then, at each later write,
// only what was stored since (another Store's changes, and not the
// undecodable event again). A fold leaves no consumer on the server.
func TestOrgFold(t *testing.T) {
	dir := t.TempDir()
	logs := &syncBuffer{}
	s := mustOpen(t, eventstore.Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	peer := mustOpenPeer(t, s, dir)
	ctx := ctxT(t)
	reg := func(st *eventstore.Store, mgr *uuid.UUID) uuid.UUID {
		t.Helper()
		id := uuid.New()
		cmd := domain.RegisterPerson{Name: "P", Email: "p@example.com"}
		if mgr != nil {
			cmd.ManagerID = ptr(mgr.String())
		}
		if _, err := st.Execute(ctx, domain.Write{PersonID: id, Command: cmd, Meta: meta()}); err != nil {
			t.Fatalf("register under %v: %v", mgr, err)
		}
		return id
	}
	others := func(id uuid.UUID, n int) { // n events that are not the org's
		t.Helper()
		ws := make([]domain.Write, n)
		for i := range ws {
			ws[i] = domain.Write{PersonID: id, Command: domain.MakeCommitment{Text: "call back", DueOn: "2099-01-01"}, Meta: meta()}
		}
		if _, _, err := peer.ImportBatch(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	warnings := func() int { return logs.count("org: skipping an undecodable event") }
	consumers := journalConsumers(t, s)

	// Written by the peer: s has not folded the org yet.
	top := reg(peer, nil)
	others(top, 300)
	if _, err := s.JetStream().Publish(ctx, eventstore.Subject(uuid.New(), domain.TypePersonRegistered), []byte("not an event")); err != nil {
		t.Fatal(err)
	}
	others(top, 300)
	lead := reg(peer, &top)
	others(lead, 300)

	// s folds from zero: lead, its last person event, must be in it.
	rep := reg(s, &lead)
	if n := warnings(); n != 1 {
		t.Errorf("the first fold logged %d warnings for the undecodable event, want 1", n)
	}
	// The peer adds to the org; s folds only that at its next write.
	newLead := reg(peer, &top)
	others(newLead, 10)
	mustExec(t, peer, rep, domain.ChangeManager{ManagerID: ptr(newLead.String())})
	newRep := reg(s, &newLead)
	if n := warnings(); n != 1 {
		t.Errorf("after the second catch-up: %d warnings, want 1 (the undecodable event read once)", n)
	}
	// s's cached org has rep under newLead: lead has no reports and may depart.
	if _, err := s.Execute(ctx, domain.Write{PersonID: lead, Command: domain.DepartPerson{On: "2026-01-31", Reason: "left"}, Meta: meta()}); err != nil {
		t.Errorf("lead departs once rep moved: %v", err)
	}

	org, err := s.Org(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(org.People()); got != 5 {
		t.Errorf("Org holds %d people, want 5", got)
	}
	for who, want := range map[uuid.UUID]uuid.UUID{lead: top, rep: newLead, newLead: top, newRep: newLead} {
		if m, _ := org.Manager(who); m != want {
			t.Errorf("Org: %v's manager is %v, want %v", who, m, want)
		}
	}
	if !org.Departed(lead) {
		t.Error("Org: lead has not departed")
	}
	if n := journalConsumers(t, s); n != consumers {
		t.Errorf("%d consumers on the stream after the folds, want %d: a fold's is deleted once read", n, consumers)
	}
}

// TestWarmOrg: the fold serve runs at start counts the people a peer
// registered, and a structural write after it decides on that org (a
// cycle through people only the peer wrote is refused).
func TestWarmOrg(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, eventstore.Config{DataDir: dir})
	peer := mustOpenPeer(t, s, dir)
	ctx := ctxT(t)
	top, lead := uuid.New(), uuid.New()
	for _, w := range []domain.Write{
		{PersonID: top, Command: domain.RegisterPerson{Name: "Top", Email: "top@example.com"}, Meta: meta()},
		{PersonID: lead, Command: domain.RegisterPerson{Name: "Lead", Email: "lead@example.com", ManagerID: ptr(top.String())}, Meta: meta()},
	} {
		if _, err := peer.Execute(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.WarmOrg(ctx); err != nil || n != 2 {
		t.Fatalf("WarmOrg = %d, %v; want the 2 people the peer registered", n, err)
	}
	_, err := s.Execute(ctx, domain.Write{PersonID: top, Command: domain.ChangeManager{ManagerID: ptr(lead.String())}, Meta: meta()})
	if domain.KindOf(err) != domain.KindConflict {
		t.Errorf("top under lead (a cycle) after the warm fold: %v, want a conflict", err)
	}
}
