package projections

import (
	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// Visibility is what a caller may know of a person's journal.
type Visibility int

// The answers of Visibility; the API and the web UI map them to 404 / 403.
const (
	Hidden    Visibility = iota // no such person, or outside the caller's view: existence must not leak
	Visible                     // the caller may read the journal
	Forbidden                   // the role reads no person at all (analysts)
)

// Visibility applies the view rule of SPEC §4 to one person: admin and HR
// see everyone; a member sees themselves and everyone below them in the
// current tree; analysts see no person. viewer is the caller's person id
// (uuid.Nil for a service).
func (s *Set) Visibility(role domain.Role, viewer, target uuid.UUID) (Person, Visibility) {
	if role == domain.RoleAnalyst {
		return Person{}, Forbidden
	}
	p, ok := s.Person(target)
	switch {
	case !ok:
		return Person{}, Hidden
	case role == domain.RoleAdmin || role == domain.RoleHR:
		return p, Visible
	case role == domain.RoleMember && s.InView(viewer, target):
		return p, Visible
	}
	return Person{}, Hidden
}
