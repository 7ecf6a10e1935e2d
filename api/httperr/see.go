package httperr

import (
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
)

// PathID reads the person or resource id raw that path parameter name
// holds: anything but a UUID in its 36-character form names no resource.
// Errors: KindNotFound, naming the parameter.
func PathID(name, raw string) (uuid.UUID, error) {
	id, err := uuid.Parse(raw)
	if err != nil || len(raw) != 36 {
		return uuid.Nil, &domain.Error{Kind: domain.KindNotFound, Message: "no such resource",
			Fields: []domain.FieldError{{Field: name, Message: "is not a UUID"}}}
	}
	return id, nil
}

// See is the view rule of SPEC §4 as errors, for the API and the web UI
// alike: a person outside the caller's view (or no such person) is not
// found (404), so that existence does not leak; a role that reads no
// person at all (analysts) is forbidden (403), for what is visible but not
// permitted. It returns the person when the caller may read their journal.
// Errors: KindNotFound, KindForbidden.
func See(views *projections.Set, role domain.Role, viewer, target uuid.UUID) (projections.Person, error) {
	p, v := views.Visibility(role, viewer, target)
	switch v {
	case projections.Forbidden:
		return p, domain.Errorf(domain.KindForbidden, "analysts read the pseudonymized event feed, not people")
	case projections.Hidden:
		return p, domain.Errorf(domain.KindNotFound, "no such person")
	}
	return p, nil
}
