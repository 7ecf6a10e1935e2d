package projections

import (
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

func TestVisibility(t *testing.T) {
	p := ids(4)
	owner, leader, rep, other := p[0], p[1], p[2], p[3]
	f := newFeed()
	register(f, owner, "Olga", nil)
	register(f, leader, "Leo", &owner)
	register(f, rep, "Ana", &leader)
	register(f, other, "Otto", nil)
	s := f.set()
	unknown := uuid.New()
	tests := []struct {
		name           string
		role           domain.Role
		viewer, target uuid.UUID
		want           Visibility
	}{
		{"member self", domain.RoleMember, rep, rep, Visible},
		{"member above", domain.RoleMember, owner, rep, Visible},
		{"member below", domain.RoleMember, rep, leader, Hidden},
		{"member elsewhere", domain.RoleMember, other, rep, Hidden},
		{"member unknown target", domain.RoleMember, owner, unknown, Hidden},
		{"hr anyone", domain.RoleHR, uuid.Nil, rep, Visible},
		{"admin anyone", domain.RoleAdmin, uuid.Nil, other, Visible},
		{"hr unknown target", domain.RoleHR, uuid.Nil, unknown, Hidden},
		{"analyst", domain.RoleAnalyst, uuid.Nil, rep, Forbidden},
		{"analyst unknown target", domain.RoleAnalyst, uuid.Nil, unknown, Forbidden},
		{"no role", "", rep, rep, Hidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			person, got := s.Visibility(tc.role, tc.viewer, tc.target)
			if got != tc.want {
				t.Fatalf("Visibility = %v, want %v", got, tc.want)
			}
			if (got == Visible) != (person.ID == tc.target) {
				t.Fatalf("person = %v with visibility %v", person.ID, got)
			}
		})
	}
}
