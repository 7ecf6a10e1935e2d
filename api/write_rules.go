package api

import (
	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// writeRule is the access rule of a write beyond seeing the person (who
// may register, move, record a departure, erase or set a standard; that a
// meeting's with_id is registered): what the API's handlers and the UI's
// forms (webExecute) both check before a command reaches the journal, so
// that the two cannot drift apart. Rules
// that depend only on the journal (who may manage or acknowledge a PIP,
// docs/access.md) are the domain's and are decided there.
// Errors: KindForbidden, KindInvalid (an id that names no person).
func (s *Server) writeRule(p Principal, person uuid.UUID, cmd domain.Command) error {
	switch cmd := cmd.(type) {
	case domain.RegisterPerson:
		switch p.Role {
		case domain.RoleAnalyst:
			return domain.Errorf(domain.KindForbidden, "analysts cannot register people")
		case domain.RoleMember:
			if !s.inSubtree(p, cmd.ManagerID) {
				return domain.Errorf(domain.KindForbidden, "a member registers people only below themselves (manager_id)")
			}
		}
		// That the manager is registered and has not departed is the
		// store's org decision (domain.DecideOrg).
	case domain.ChangeManager:
		if !s.isAbove(p, person) {
			return domain.Errorf(domain.KindForbidden, "only someone above a person may move them")
		}
		if p.Role == domain.RoleMember && !s.inSubtree(p, cmd.ManagerID) {
			return domain.Errorf(domain.KindForbidden, "a member moves people only to managers in their own subtree")
		}
	case domain.DepartPerson:
		if !s.isAbove(p, person) {
			return domain.Errorf(domain.KindForbidden, "only someone above a person may record their departure")
		}
	case domain.ErasePerson:
		if p.Role != domain.RoleAdmin && p.Role != domain.RoleHR {
			return domain.Errorf(domain.KindForbidden, "only admin or HR may erase a person")
		}
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
// writeRule. A registration names a person who does not exist yet: only
// writeRule applies.
// Errors: KindNotFound, KindForbidden, KindInvalid.
func (s *Server) checkWrite(p Principal, person uuid.UUID, cmd domain.Command) error {
	if _, ok := cmd.(domain.RegisterPerson); ok {
		return s.writeRule(p, person, cmd)
	}
	if _, err := httperr.See(s.views, p.Role, p.Person, person); err != nil {
		return err
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

// inSubtree reports whether a manager_id names p or someone below p.
func (s *Server) inSubtree(p Principal, managerID *string) bool {
	mgr, err := uuid.Parse(deref(managerID))
	return err == nil && s.views.InView(p.Person, mgr)
}
