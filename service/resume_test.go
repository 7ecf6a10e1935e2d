package service

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/coachjournal/coachjournal/projections/snapshot"
	"github.com/google/uuid"
)

// TestOpenResumedRejectsSnapshotAhead: a snapshot read while the store
// opens is checked against the stream once it is open: one ahead of the
// stream is rejected and removed, the projections are rebuilt from 0 and
// catch up; the snapshot written at shutdown is then accepted.
func TestOpenResumedRejectsSnapshotAhead(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	dir := t.TempDir()
	cfg := eventstore.Config{DataDir: dir, NoSync: true}
	snapDir := snapshot.Dir(dir)

	// First start: no master key yet, so nothing is read ahead.
	r, err := OpenResumed(ctx, cfg, snapDir, log)
	if err != nil {
		t.Fatal(err)
	}
	if r.Views.Sequence() != 0 || r.LoadTime != 0 {
		t.Fatalf("first start resumed at %d (read for %v)", r.Views.Sequence(), r.LoadTime)
	}
	id := uuid.New()
	meta := domain.Meta{Actor: domain.Actor{ID: "admin", Role: domain.RoleAdmin}, Now: clock.Now()}
	for _, cmd := range []domain.Command{domain.RegisterPerson{Name: "Ana Lima", Email: "ana@example.com"},
		domain.MakeCommitment{Text: "book 15 first meetings", DueOn: clock.Now().AddDate(0, 0, 7).Format("2006-01-02")}} {
		if _, err := r.Store.Execute(ctx, domain.Write{PersonID: id, Command: cmd, Meta: meta}); err != nil {
			t.Fatal(err)
		}
	}
	last, err := r.Store.LastSequence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ahead := projections.NewSet()
	follow(t, r.Store, ahead, last)
	ahead.Apply(last+3, domain.Event{}, errors.New("a message this stream never had"))
	if _, err := r.Snaps.Save(ahead); err != nil {
		t.Fatal(err)
	}
	r.Store.Close()

	s := mustStart(t, cfg, snapDir, last)
	if s.LoadTime == 0 {
		t.Error("the snapshot was not read while the store opened")
	}
	if _, err := os.Stat(s.Snaps.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the snapshot ahead of the stream is still there: %v", err)
	}
	if s.followedFrom != 0 || s.Views.Sequence() != last {
		t.Fatalf("followed from %d to %d, want from 0 to %d", s.followedFrom, s.Views.Sequence(), last)
	}
	if err := s.stop(true); err != nil { // writes the snapshot at last
		t.Fatal(err)
	}
	s.Store.Close()

	s = mustStart(t, cfg, snapDir, last)
	defer s.Store.Close()
	defer s.stop(false)
	if s.followedFrom != last {
		t.Fatalf("followed from %d, want the snapshot's %d", s.followedFrom, last)
	}
	if p, ok := s.Views.Person(id); !ok || p.Name != "Ana Lima" || len(s.Views.Commitments(id)) != 1 {
		t.Fatalf("resumed projections lack Ana or her commitment: %+v", p)
	}
}

type startedForTest struct {
	*Resumed
	followedFrom uint64
	stop         func(final bool) error
}

// mustStart starts as serve does and waits until the projections are at
// the stream's last sequence, want.
func mustStart(t *testing.T, cfg eventstore.Config, snapDir string, want uint64) startedForTest {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	log := slog.New(slog.DiscardHandler)
	r, err := OpenResumed(ctx, cfg, snapDir, log)
	if err != nil {
		t.Fatal(err)
	}
	s := startedForTest{Resumed: r, followedFrom: r.Views.Sequence(), stop: StartProjections(r, log, nil)}
	if r.Last != want {
		t.Fatalf("stream at %d, want %d", r.Last, want)
	}
	if err := CatchUp(ctx, r.Store, r.Views); err != nil {
		t.Fatal(err)
	}
	return s
}
