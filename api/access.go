package api

import (
	"net/http"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// pathID reads a UUID path parameter; anything else names no resource.
func pathID(c echo.Context, name string) (uuid.UUID, error) {
	s := c.Param(name)
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.Nil, problem(http.StatusNotFound, "not_found", "no such resource",
			domain.FieldError{Field: name, Message: "is not a UUID"})
	}
	return id, nil
}

var errNotFound = problem(http.StatusNotFound, "not_found", "no such person")

func forbidden(detail string) error { return problem(http.StatusForbidden, "forbidden", detail) }

// see returns the person named by the :id path parameter if the caller may
// read their journal: admin and HR see everyone, a member themselves and
// everyone below them; analysts read no person (403); anyone else gets 404
// so that existence does not leak.
func (s *Server) see(c echo.Context) (projections.Person, error) { return s.seeParam(c, "id") }

// seeParam is see for the person named by path parameter name.
func (s *Server) seeParam(c echo.Context, name string) (projections.Person, error) {
	id, err := pathID(c, name)
	if err != nil {
		return projections.Person{}, err
	}
	p := principal(c)
	person, v := s.views.Visibility(p.Role, p.Person, id)
	switch v {
	case projections.Forbidden:
		return person, forbidden("analysts read the pseudonymized event feed, not people")
	case projections.Hidden:
		return person, errNotFound
	}
	return person, nil
}

// above reports whether the caller manages target: admin and HR always, a
// member when target is strictly below them.
func (s *Server) above(c echo.Context, target uuid.UUID) bool { return s.isAbove(principal(c), target) }

// existing checks that an id given in a body names a registered person.
func (s *Server) existing(field string, raw *string) error {
	if raw == nil {
		return nil
	}
	id, err := uuid.Parse(*raw)
	if err != nil {
		return nil // the domain reports the format
	}
	if _, ok := s.views.Person(id); !ok {
		return domain.Invalid(domain.FieldError{Field: field, Message: "names no registered person"})
	}
	return nil
}
