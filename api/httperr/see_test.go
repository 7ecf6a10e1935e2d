package httperr

import (
	"errors"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
)

// TestSee: the view rule answers 404 for a person outside the caller's
// view and for no person at all alike, 403 to a role that reads no
// person, and the person to those who see them.
func TestSee(t *testing.T) {
	views := projections.NewSet()
	lead, rep, other := uuid.New(), uuid.New(), uuid.New()
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for i, p := range []struct {
		id  uuid.UUID
		mgr *uuid.UUID
	}{{lead, nil}, {rep, &lead}, {other, nil}} {
		d := &domain.PersonRegistered{Name: "P" + p.id.String()[:4], Email: p.id.String()[:8] + "@example.com", ManagerID: p.mgr}
		views.Apply(uint64(i+1), domain.Event{ID: uuid.New(), Type: d.EventType(), PersonID: p.id, Version: 1,
			Actor: domain.Actor{ID: "hr", Role: domain.RoleHR}, OccurredAt: at, RecordedAt: at, Data: d}, nil)
	}
	cases := []struct {
		name   string
		role   domain.Role
		viewer uuid.UUID
		target uuid.UUID
		want   domain.Kind // KindInternal: seen
	}{
		{"hr sees anyone", domain.RoleHR, uuid.Nil, other, domain.KindInternal},
		{"admin sees anyone", domain.RoleAdmin, uuid.Nil, rep, domain.KindInternal},
		{"a lead sees their rep", domain.RoleMember, lead, rep, domain.KindInternal},
		{"a member sees themselves", domain.RoleMember, rep, rep, domain.KindInternal},
		{"a rep does not see their lead", domain.RoleMember, rep, lead, domain.KindNotFound},
		{"outside the subtree", domain.RoleMember, lead, other, domain.KindNotFound},
		{"no such person", domain.RoleMember, lead, uuid.New(), domain.KindNotFound},
		{"no such person for hr", domain.RoleHR, uuid.Nil, uuid.New(), domain.KindNotFound},
		{"an analyst, someone who exists", domain.RoleAnalyst, uuid.Nil, rep, domain.KindForbidden},
		{"an analyst, no one", domain.RoleAnalyst, uuid.Nil, uuid.New(), domain.KindForbidden},
	}
	for _, c := range cases {
		p, err := See(views, c.role, c.viewer, c.target)
		switch {
		case c.want == domain.KindInternal && (err != nil || p.ID != c.target):
			t.Errorf("%s: See = %v, %v; want the person", c.name, p.ID, err)
		case c.want != domain.KindInternal && (domain.KindOf(err) != c.want || p.ID != uuid.Nil):
			t.Errorf("%s: See = %v, %v; want kind %d and no person", c.name, p.ID, err, c.want)
		}
	}
}

func TestPathID(t *testing.T) {
	id := uuid.New()
	if got, err := PathID("id", id.String()); err != nil || got != id {
		t.Errorf("PathID(%s) = %v, %v", id, got, err)
	}
	for _, raw := range []string{"", "x", "{" + id.String() + "}", "urn:uuid:" + id.String(), id.String()[:35]} {
		_, err := PathID("pid", raw)
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.KindNotFound || len(de.Fields) != 1 || de.Fields[0].Field != "pid" {
			t.Errorf("PathID(%q) = %v, want not found naming pid", raw, err)
		}
	}
}
