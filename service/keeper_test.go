package service

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/coachjournal/coachjournal/projections/snapshot"
	"github.com/google/uuid"
)

func newSnapshots(t *testing.T) *snapshot.Store {
	return &snapshot.Store{Dir: t.TempDir(), Key: bytes.Repeat([]byte{7}, 32), Stream: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}
}

// views returns a Set with a person registered and a commitment made.
func views(t *testing.T) (*projections.Set, uuid.UUID) {
	s := projections.NewSet()
	id := uuid.New()
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	add := func(seq uint64, d domain.Data) {
		s.Apply(seq, domain.Event{ID: uuid.New(), Type: d.EventType(), PersonID: id, Version: seq, Actor: domain.Actor{ID: "hr", Role: domain.RoleHR},
			OccurredAt: at, RecordedAt: at, Data: d}, nil)
	}
	add(1, &domain.PersonRegistered{Name: "Zelda Quintana", Email: "zq@secret.example"})
	add(2, &domain.CommitmentMade{CommitmentID: uuid.New(), Text: "Pineapple outreach", DueOn: domain.NewDate(2026, 11, 27)})
	return s, id
}

// TestKeeperErasure: an applied person.erased removes the file before
// Apply returns (the erasure is answered only after that), then Run
// writes a new one at once, without the person's text.
func TestKeeperErasure(t *testing.T) {
	st := newSnapshots(t)
	s, id := views(t)
	if _, err := st.Save(s); err != nil {
		t.Fatal(err)
	}
	k := NewKeeper(st, s, slog.New(slog.DiscardHandler))
	k.Apply(3, domain.Event{ID: uuid.New(), Type: domain.TypePersonErased, PersonID: id, Version: 3, Actor: domain.Actor{ID: "hr", Role: domain.RoleHR},
		OccurredAt: clock.Now(), RecordedAt: clock.Now(), Data: &domain.PersonErased{Reason: "asked"}}, nil)
	if _, err := os.Stat(st.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the snapshot written before the erasure is still there when Apply returns (stat: %v)", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go k.Run(ctx)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no snapshot written after the erasure")
		}
		f, err := os.Open(st.Path())
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		r, _ := snapshot.Open(f, st.Key)
		b, _ := io.ReadAll(r)
		f.Close()
		left := strings.Contains(string(b), "Zelda") || strings.Contains(string(b), "Pineapple") || strings.Contains(string(b), "zq@secret")
		if !left {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the snapshot still holds the erased person's text")
		}
	}
}
