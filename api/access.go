package api

import (
	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// pathID reads a UUID path parameter; anything else names no resource
// (httperr.PathID).
func pathID(c echo.Context, name string) (uuid.UUID, error) {
	return httperr.PathID(name, c.Param(name))
}

var errNotFound = httperr.New(domain.KindNotFound, "no such person")

func forbidden(detail string) error { return httperr.New(domain.KindForbidden, detail) }

// see returns the person named by the :id path parameter if the caller may
// read their journal: admin and HR see everyone, a member themselves and
// everyone below them; analysts read no person (403); anyone else gets 404
// so that existence does not leak (httperr.See, the UI's rule too).
func (s *Server) see(c echo.Context) (projections.Person, error) { return s.seeParam(c, "id") }

// seeParam is see for the person named by path parameter name.
func (s *Server) seeParam(c echo.Context, name string) (projections.Person, error) {
	id, err := pathID(c, name)
	if err != nil {
		return projections.Person{}, err
	}
	p := principal(c)
	return httperr.See(s.views, p.Role, p.Person, id)
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
