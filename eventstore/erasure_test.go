package eventstore_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

func TestErasure(t *testing.T) {
	dir := t.TempDir()
	s1 := mustOpen(t, eventstore.Config{DataDir: dir})
	s2 := mustOpenPeer(t, s1, dir)
	ctx := ctxT(t)
	id := register(t, s1, "Hana Sato", "hana@example.com")
	mustExec(t, s1, id, domain.HoldMeeting{Kind: "performance", HeldAt: clock.Now().Add(-time.Hour).Format(time.RFC3339),
		WithID: uuid.NewString(), Notes: ptr("struggles with discovery calls"), DurationMinutes: ptr(45)})
	mustExec(t, s1, id, domain.SubmitMetrics{Period: clock.Now().Format("2006-01"), Values: map[string]float64{"deals_won": 3}, Source: "manager"})
	if _, err := s2.ReadJournal(ctx, id); err != nil { // s2 caches the data key
		t.Fatal(err)
	}
	mustExec(t, s1, id, domain.ErasePerson{Reason: "right to erasure request"})

	checkErased := func(t *testing.T, s *eventstore.Store) {
		t.Helper()
		events, err := s.ReadJournal(ctx, id)
		if err != nil || len(events) != 4 {
			t.Fatalf("ReadJournal = %d events, %v", len(events), err)
		}
		reg := events[0].Data.(*domain.PersonRegistered)
		mh := events[1].Data.(*domain.MeetingHeld)
		ms := events[2].Data.(*domain.MetricsSubmitted)
		if reg.Name != domain.Erased || reg.Email != domain.Erased || *reg.Title != domain.Erased || *mh.Notes != domain.Erased {
			t.Errorf("text after erasure: %+v, notes %q", reg, *mh.Notes)
		}
		if *mh.DurationMinutes != 45 || mh.Kind != "performance" || ms.Values["deals_won"] != 3 {
			t.Errorf("numbers after erasure: %+v %+v", mh, ms)
		}
	}
	checkErased(t, s1)
	// s2 learns of the erasure through its watch of the key bucket.
	deadline := time.Now().Add(5 * time.Second)
	for {
		events, err := s2.ReadJournal(ctx, id)
		if err == nil && events[0].Data.(*domain.PersonRegistered).Name == domain.Erased {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the other store still decrypts after erasure")
		}
		time.Sleep(20 * time.Millisecond)
	}
	checkErased(t, s2)
	if rep, err := s1.Verify(ctx, &id); err != nil || !rep.OK() || rep.Events != 4 {
		t.Errorf("Verify after erasure = %+v, %v", rep, err)
	}

	kv, err := s1.JetStream().KeyValue(ctx, eventstore.KeysBucket)
	if err != nil {
		t.Fatal(err)
	}
	tomb := func() {
		t.Helper()
		e, err := kv.Get(ctx, id.String())
		if err != nil || string(e.Value()) != "erased" {
			t.Fatalf("key entry = %v, %v; want the tombstone", e, err)
		}
	}
	tomb()
	_, err = s2.Execute(ctx, domain.Write{PersonID: id, Command: domain.UpdatePerson{Name: ptr("Hana")}, Meta: meta()})
	wantKind(t, err, domain.KindConflict)
	_, err = s2.Execute(ctx, domain.Write{PersonID: id, Command: domain.ErasePerson{Reason: "again"}, Meta: meta()})
	wantKind(t, err, domain.KindConflict)
	tomb()
}

// Repeating an erasure repairs a key that a crash left in place. Neither
// the real wrapped key nor the surviving one stays in any file of the
// store: every revision of the entry is erased, not only superseded.
func TestEraseRepairsKey(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, eventstore.Config{DataDir: dir})
	ctx := ctxT(t)
	id := register(t, s, "Ivo", "ivo@example.com")
	if files := filesHolding(t, dir, "k1:"); len(files) == 0 { // the scan sees the key
		t.Fatal("no wrapped key in the store's files before the erasure")
	}
	mustExec(t, s, id, domain.ErasePerson{Reason: "request"})
	if files := filesHolding(t, dir, "k1:"); len(files) > 0 {
		t.Errorf("a wrapped key is still in %v after the erasure", files)
	}
	kv, err := s.JetStream().KeyValue(ctx, eventstore.KeysBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.PutString(ctx, id.String(), "k1:pretend-the-key-survived"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Execute(ctx, domain.Write{PersonID: id, Command: domain.ErasePerson{Reason: "again"}, Meta: meta()})
	wantKind(t, err, domain.KindConflict)
	if e, err := kv.Get(ctx, id.String()); err != nil || string(e.Value()) != "erased" {
		t.Fatalf("key entry = %v, %v; want the tombstone", e, err)
	}
	if files := filesHolding(t, dir, "k1:"); len(files) > 0 {
		t.Errorf("a wrapped key is still in %v after the repeated erasure", files)
	}
}

// filesHolding returns the files under dir whose bytes contain needle.
func filesHolding(t *testing.T, dir, needle string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(needle)) {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestErasureForgetsNudgePrefs: an erasure removes the person's nudge
// preferences with their history; another person's stay.
func TestErasureForgetsNudgePrefs(t *testing.T) {
	s := mustOpen(t, eventstore.Config{DataDir: t.TempDir()})
	ctx := ctxT(t)
	id, other := uuid.New(), uuid.New()
	for _, p := range []uuid.UUID{id, other} {
		mustExec(t, s, p, domain.RegisterPerson{Name: "Ana Lima", Email: "ana@example.com"})
		for _, prefs := range []string{`{"digest_only":true}`, `{"time_zone":"Europe/Berlin"}`} {
			if err := s.SetNudgePrefs(ctx, p.String(), []byte(prefs)); err != nil {
				t.Fatal(err)
			}
		}
	}
	mustExec(t, s, id, domain.ErasePerson{Reason: "request"})
	if got, err := s.NudgePrefs(ctx, id.String()); err != nil || got != nil {
		t.Errorf("the erased person's preferences: %s, %v; want none", got, err)
	}
	kv, err := s.JetStream().KeyValue(ctx, eventstore.NudgePrefsBucket)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := kv.History(ctx, id.String()); err == nil {
		for _, e := range h {
			if len(e.Value()) != 0 {
				t.Errorf("a value of the erased person's preferences is still stored: %s", e.Value())
			}
		}
	}
	if got, err := s.NudgePrefs(ctx, other.String()); err != nil || string(got) != `{"time_zone":"Europe/Berlin"}` {
		t.Errorf("another person's preferences: %s, %v", got, err)
	}
}
