package domain_test

import (
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

func TestWithID(t *testing.T) {
	id := uuid.New()
	j := domain.NewJournal(id)
	m := domain.Meta{Actor: domain.Actor{ID: "ops", Role: domain.RoleAdmin}, Now: time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)}
	reg, err := domain.Decide(j, domain.RegisterPerson{Name: "Ana", Email: "ana@example.com"}, m)
	if err != nil {
		t.Fatal(err)
	}
	j.Evolve(reg)
	cid := uuid.New()
	made := domain.WithID{ID: cid, Command: domain.MakeCommitment{Text: "book 15 meetings", DueOn: "2026-11-27"}}
	e, err := domain.Decide(j, made, m)
	if err != nil || e.ResourceID() != cid {
		t.Fatalf("Decide(WithID) = %v, %v; want commitment %s", e.ResourceID(), err, cid)
	}
	j.Evolve(e)
	if _, err := domain.Decide(j, made, m); domain.KindOf(err) != domain.KindConflict {
		t.Errorf("reused id: err = %v, want conflict", err)
	}
	if _, err := domain.Decide(j, domain.WithID{ID: uuid.Nil, Command: made.Command}, m); domain.KindOf(err) != domain.KindInvalid {
		t.Errorf("nil id: err = %v, want invalid", err)
	}
	if _, err := domain.Decide(j, domain.WithID{ID: uuid.New(), Command: domain.SetCadence{EveryDays: 7}}, m); domain.KindOf(err) != domain.KindInvalid {
		t.Errorf("cadence with an id: err = %v, want invalid", err)
	}
	pid := uuid.New()
	open := domain.OpenPIP{Reason: "short", StartsOn: "2026-11-20", EndsOn: "2027-01-20", Goals: []domain.GoalInput{{Text: "a"}, {Text: "b"}}}
	e, err = domain.Decide(j, domain.WithID{ID: pid, Command: open}, m)
	if err != nil {
		t.Fatal(err)
	}
	d := e.Data.(*domain.PIPOpened)
	if d.PIPID != pid || d.Goals[1].GoalID != domain.GoalIDOf(pid, 1) {
		t.Errorf("PIP %s goals %+v, want %s and derived goal ids", d.PIPID, d.Goals, pid)
	}
}
