package api

import (
	"net/http"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// personNamespace derives a new person's id from an Idempotency-Key, so that
// a repeated registration addresses the same journal and is deduplicated.
var personNamespace = uuid.MustParse("6c0b5f6e-3f7e-4f3a-9a55-0d8f8b7e2c11")

func (s *Server) registerPerson(c echo.Context) error {
	cmd, body, err := decode[domain.RegisterPerson](c)
	if err != nil {
		return err
	}
	id := uuid.Must(uuid.NewV7())
	if key, err := idempotencyKey(c); err == nil && key != "" {
		id = newPersonID(principal(c).Sub, key)
	}
	if err := s.writeRule(principal(c), id, cmd); err != nil { // write_rules.go
		return err
	}
	return s.write(c, id, cmd, body)
}

// newPersonID is the id a registration with an Idempotency-Key gives.
func newPersonID(sub, key string) uuid.UUID {
	return uuid.NewSHA1(personNamespace, []byte(sub+"\n"+key))
}

func (s *Server) getPerson(c echo.Context) error {
	person, err := s.see(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(person.Version))
	return c.JSON(http.StatusOK, person)
}

func (s *Server) listPeople(c echo.Context) error {
	p := principal(c)
	if p.Role == domain.RoleAnalyst {
		return forbidden("analysts read the pseudonymized event feed, not people")
	}
	var mgr *uuid.UUID
	if raw := c.QueryParam("manager_id"); raw != "" {
		id, err := uuid.Parse(raw)
		if err != nil {
			return domain.Invalid(domain.FieldError{Field: "manager_id", Message: "is not a UUID"})
		}
		mgr = &id
	}
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	var visible []projections.Person
	for _, person := range s.views.People(mgr) {
		if p.Role != domain.RoleMember || s.views.InView(p.Person, person.ID) {
			visible = append(visible, person)
		}
	}
	items, next := paginate(visible, func(p projections.Person) uint64 { return p.Sequence }, after, limit)
	return c.JSON(http.StatusOK, page(items, next))
}

func (s *Server) changeManager(c echo.Context) error {
	person, err := s.see(c)
	if err != nil {
		return err
	}
	cmd, body, err := decode[domain.ChangeManager](c, "manager_id") // a missing key is not the top of the org
	if err != nil {
		return err
	}
	if err := s.writeRule(principal(c), person.ID, cmd); err != nil { // write_rules.go
		return err
	}
	// That the manager is registered and has not departed, and never a
	// cycle, is decided by the store under the org condition
	// (domain.DecideOrg): the projections may be behind a concurrent move.
	return s.write(c, person.ID, cmd, body)
}

func (s *Server) depart(c echo.Context) error {
	person, err := s.see(c)
	if err != nil {
		return err
	}
	cmd, body, err := decode[domain.DepartPerson](c)
	if err != nil {
		return err
	}
	if err := s.writeRule(principal(c), person.ID, cmd); err != nil {
		return err
	}
	return s.write(c, person.ID, cmd, body)
}

func (s *Server) erase(c echo.Context) error {
	person, err := s.see(c)
	if err != nil {
		return err
	}
	if err := s.writeRule(principal(c), person.ID, domain.ErasePerson{}); err != nil { // the role, before the body
		return err
	}
	cmd, body, err := decode[domain.ErasePerson](c)
	if err != nil {
		return err
	}
	return s.write(c, person.ID, cmd, body)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
