package eventstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

// mustOpen opens a Store with cfg and closes it when the test ends.
func mustOpen(tb testing.TB, cfg eventstore.Config) *eventstore.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := eventstore.Open(ctx, cfg)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// mustOpenTemp opens a Store on an embedded server in a fresh directory.
func mustOpenTemp(tb testing.TB) *eventstore.Store {
	tb.Helper()
	return mustOpen(tb, eventstore.Config{DataDir: tb.TempDir()})
}

// mustOpenPeer opens a second Store on s's embedded server, sharing its master key.
func mustOpenPeer(tb testing.TB, s *eventstore.Store, dataDir string) *eventstore.Store {
	tb.Helper()
	return mustOpen(tb, eventstore.Config{NATSURL: s.Server().ClientURL(), MasterKeyFile: filepath.Join(dataDir, "master.key")})
}

var admin = domain.Actor{ID: "00000000-0000-7000-8000-000000000001", Role: domain.RoleAdmin}

func meta() domain.Meta { return domain.Meta{Actor: admin, Now: clock.Now()} }

func ptr[T any](v T) *T { return &v }

func ctxT(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// mustExec executes cmd on id's journal and fails the test on an error.
func mustExec(tb testing.TB, s *eventstore.Store, id uuid.UUID, cmd domain.Command) domain.Written {
	tb.Helper()
	w, err := s.Execute(ctxT(tb), domain.Write{PersonID: id, Command: cmd, Meta: meta()})
	if err != nil {
		tb.Fatalf("Execute(%T): %v", cmd, err)
	}
	return w
}

func register(tb testing.TB, s *eventstore.Store, name, email string) uuid.UUID {
	tb.Helper()
	id := uuid.New()
	mustExec(tb, s, id, domain.RegisterPerson{Name: name, Email: email, Title: ptr("Account Executive")})
	return id
}

func makeCommitment(tb testing.TB, s *eventstore.Store, id uuid.UUID, text string) uuid.UUID {
	tb.Helper()
	w := mustExec(tb, s, id, domain.MakeCommitment{Text: text, DueOn: clock.Now().AddDate(0, 0, 7).Format("2006-01-02")})
	return w.Event.ResourceID()
}

func wantKind(tb testing.TB, err error, want domain.Kind) {
	tb.Helper()
	if got := domain.KindOf(err); err == nil || got != want {
		tb.Fatalf("err = %v (kind %d), want kind %d", err, got, want)
	}
}
