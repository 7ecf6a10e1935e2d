package api

import (
	"context"

	"github.com/coachjournal/coachjournal/api/web"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
)

// webExecute is the UI forms' way in to the command path: the same access
// rule as the API's routes (a person outside the viewer's view is
// KindNotFound, an analyst KindForbidden), the same checks that read other
// journals (a meeting's with_id must be registered), the same Execute and
// the same read-your-writes wait as a POST under /v1. The actor and the
// clock are the server's, whatever the form sent.
// Errors: those of Journals.Execute.
func (s *Server) webExecute(ctx context.Context, v web.Viewer, w domain.Write) (domain.Written, error) {
	p := Principal{Sub: v.Sub, Person: v.Person, Role: v.Role}
	switch _, vis := s.views.Visibility(p.Role, p.Person, w.PersonID); vis {
	case projections.Forbidden:
		return domain.Written{}, domain.Errorf(domain.KindForbidden, "analysts read the pseudonymized event feed, not people")
	case projections.Hidden:
		return domain.Written{}, domain.Errorf(domain.KindNotFound, "no such person")
	}
	if m, ok := w.Command.(domain.HoldMeeting); ok {
		if err := s.existing("with_id", &m.WithID); err != nil {
			return domain.Written{}, err
		}
	}
	w.Meta = domain.Meta{Actor: p.Actor(), Now: s.now()}
	return s.execute(ctx, w)
}

// execute runs a write and waits (bounded) until this replica's
// projections have applied its event, so the next read shows it.
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
		s.log.Warn("projections behind after write", "sequence", res.Event.Sequence)
	}
	return res, nil
}
