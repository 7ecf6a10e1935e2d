package eventstore

import (
	"context"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/google/uuid"
)

// TestJournalHead: the leader's last sequence of one journal, among
// others' events, by the wildcard of the journal's subjects; 0 for a
// journal with no event.
func TestJournalHead(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	meta := domain.Meta{Actor: domain.Actor{ID: "admin", Role: domain.RoleAdmin}, Now: clock.Now()}
	write := func(id uuid.UUID, cmd domain.Command) uint64 {
		w, err := s.Execute(ctx, domain.Write{PersonID: id, Command: cmd, Meta: meta})
		if err != nil {
			t.Fatal(err)
		}
		return w.Event.Sequence
	}
	ana, ben := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	write(ana, domain.RegisterPerson{Name: "Ana", Email: "ana@example.com"})
	write(ben, domain.RegisterPerson{Name: "Ben", Email: "ben@example.com"})
	want := write(ana, domain.MakeCommitment{Text: "call", DueOn: "2030-01-01"})
	write(ben, domain.MakeCommitment{Text: "call", DueOn: "2030-01-01"})
	for id, want := range map[uuid.UUID]uint64{ana: want, uuid.Must(uuid.NewV7()): 0} {
		got, err := s.journalHead(ctx, id)
		if err != nil || got != want {
			t.Errorf("journalHead(%s) = %d, %v; want %d", id, got, err, want)
		}
	}
}
