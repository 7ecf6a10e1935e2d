package projections

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// feed builds a stream of events; Version and Hash are plausible, not real.
type feed struct {
	events   []domain.Event
	versions map[uuid.UUID]uint64
	at       time.Time
}

func newFeed() *feed {
	return &feed{versions: map[uuid.UUID]uint64{}, at: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
}

// add appends an event of person's journal, an hour after the previous one.
func (f *feed) add(person uuid.UUID, actor domain.Actor, d domain.Data) domain.Event {
	f.at = f.at.Add(time.Hour)
	return f.addAt(person, actor, f.at, d)
}

func (f *feed) addAt(person uuid.UUID, actor domain.Actor, at time.Time, d domain.Data) domain.Event {
	f.versions[person]++
	e := domain.Event{
		ID: uuid.New(), Type: d.EventType(), Schema: 1, PersonID: person, Version: f.versions[person],
		Actor: actor, OccurredAt: at, RecordedAt: at.Add(time.Minute), Data: d,
		Hash: fmt.Sprintf("%064x", len(f.events)+1), Sequence: uint64(len(f.events) + 1),
	}
	f.events = append(f.events, e)
	return e
}

// applyTo applies events [from, to) at their sequences.
func (f *feed) applyTo(s *Set, from, to int) {
	for _, e := range f.events[from:to] {
		s.Apply(e.Sequence, e, nil)
	}
}

func (f *feed) set() *Set {
	s := NewSet()
	f.applyTo(s, 0, len(f.events))
	return s
}

func member(id uuid.UUID) domain.Actor { return domain.Actor{ID: id.String(), Role: domain.RoleMember} }

var hrActor = domain.Actor{ID: "hr-service", Role: domain.RoleHR}

func date(tb testing.TB, s string) domain.Date {
	tb.Helper()
	d, err := domain.ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func str(s string) *string { return &s }

func ids(n int) []uuid.UUID {
	out := make([]uuid.UUID, n)
	for i := range out {
		out[i] = uuid.New()
	}
	return out
}

func register(f *feed, id uuid.UUID, name string, manager *uuid.UUID) {
	f.add(id, hrActor, &domain.PersonRegistered{Name: name, Email: name + "@example.com", ManagerID: manager})
}

// fataler is what mustJSON needs of a *testing.T or a *rapid.T.
type fataler interface {
	Helper()
	Fatal(args ...any)
}

func mustJSON(tb fataler, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func types(steps []Step) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.Type
	}
	return out
}
