package api

import (
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
)

// writeRule is the access rule of a write beyond seeing the person: what
// the API's handlers and the UI's forms (webExecute) both check before a
// command reaches the journal, so that the two cannot drift apart. Rules
// that depend only on the journal (who may manage or acknowledge a PIP,
// docs/access.md) are the domain's and are decided there.
// Errors: KindForbidden, KindInvalid (an id that names no person).
func (s *Server) writeRule(p Principal, person uuid.UUID, cmd domain.Command) error {
	switch cmd := cmd.(type) {
	case domain.SetStandard:
		if !s.isAbove(p, person) && cmd.AppliesTo != "reports" {
			return domain.Errorf(domain.KindForbidden, "a member sets their own standard only for their reports (applies_to: reports)")
		}
	case domain.HoldMeeting:
		// with_id names a registered person: read from the read models,
		// without a condition on the append; it holds because a
		// registration is never undone (the cross-journal rules are listed
		// in domain/org.go; the org's own are the store's, DecideOrg).
		return s.existing("with_id", &cmd.WithID)
	case domain.OpenPIP, domain.AcknowledgePIP, domain.CheckInPIP, domain.RevisePIP, domain.ExtendPIP, domain.ClosePIP:
		// HR, admins and the leaders above the person (those who see them)
		// manage a PIP; only the person acknowledges it: the domain's rule.
	}
	return nil
}

// checkWrite is the whole rule of a write by p on person's journal: the
// person in p's view (else KindNotFound, an analyst KindForbidden), then
// writeRule.
// Errors: KindNotFound, KindForbidden, KindInvalid.
func (s *Server) checkWrite(p Principal, person uuid.UUID, cmd domain.Command) error {
	switch _, vis := s.views.Visibility(p.Role, p.Person, person); vis {
	case projections.Forbidden:
		return domain.Errorf(domain.KindForbidden, "analysts read the pseudonymized event feed, not people")
	case projections.Hidden:
		return domain.Errorf(domain.KindNotFound, "no such person")
	}
	return s.writeRule(p, person, cmd)
}

// isAbove reports whether p manages target: admin and HR always, a member
// when target is strictly below them.
func (s *Server) isAbove(p Principal, target uuid.UUID) bool {
	if p.Role == domain.RoleAdmin || p.Role == domain.RoleHR {
		return true
	}
	return p.Person != target && s.views.InView(p.Person, target)
}
