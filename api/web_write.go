package api

import (
	"context"

	"github.com/coachjournal/coachjournal/api/web"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// webExecute is the UI forms' way in to the command path: the same rule as
// the API's routes (checkWrite: a person outside the viewer's view is
// KindNotFound, an analyst KindForbidden, then writeRule), the same Execute
// and the same read-your-writes wait as a POST under /v1. The actor and
// the clock are the server's, whatever the form sent. A registration
// without a person id gets the one its Idempotency-Key gives.
// Errors: those of checkWrite and Journals.Execute.
func (s *Server) webExecute(ctx context.Context, v web.Viewer, w domain.Write) (domain.Written, error) {
	p := Principal{Sub: v.Sub, Person: v.Person, Role: v.Role}
	if _, ok := w.Command.(domain.RegisterPerson); ok && w.PersonID == uuid.Nil {
		w.PersonID = newPersonID(p.Sub, w.IdempotencyKey) // as POST /v1/people with an Idempotency-Key
	}
	if err := s.checkWrite(p, w.PersonID, w.Command); err != nil {
		return domain.Written{}, err
	}
	w.Meta = domain.Meta{Actor: p.Actor(), Now: s.now()}
	return s.execute(ctx, w)
}

// webCheck is checkWrite for the UI, which asks it before it offers a form
// (web.CheckFunc): nothing is written.
func (s *Server) webCheck(v web.Viewer, person uuid.UUID, cmd domain.Command) error {
	return s.checkWrite(Principal{Sub: v.Sub, Person: v.Person, Role: v.Role}, person, cmd)
}

// execute runs a write and waits (bounded by readWait) until this
// replica's projections have applied its event, so the next read shows it.
// When they have not, the write is stored all the same: res.Pending says
// so, and the API answers 202 instead of 201 (write.go).
func (s *Server) execute(ctx context.Context, w domain.Write) (domain.Written, error) {
	res, err := s.journals.Execute(ctx, w)
	s.countWrite(writeOutcome(res, err))
	if err != nil {
		return res, err
	}
	s.head.set(res.Event.Sequence)
	wait, cancel := context.WithTimeout(ctx, s.readWait)
	defer cancel()
	if err := s.views.WaitFor(wait, res.Event.Sequence); err != nil {
		s.log.Warn("projections behind after write: answering that it is not visible yet", "sequence", res.Event.Sequence)
		res.Pending = true
	}
	return res, nil
}
