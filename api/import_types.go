package api

import (
	"strings"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// lineCommand builds the command of one import line.
type lineCommand func(s *Server, l *importLine, person uuid.UUID, registered map[uuid.UUID]bool) (domain.Command, error)

// creates lists the types whose line may carry a ref (see RefID).
var creates = map[string]bool{domain.TypeMeetingHeld: true, domain.TypeCommitmentMade: true, domain.TypePIPOpened: true}

// importTypes maps each event type an import takes to its command. Left
// out: person.manager_changed (its cycle rule spans journals the import may
// be changing) and person.erased (it also shreds the key): use their
// endpoints.
var importTypes = map[string]lineCommand{
	domain.TypePersonRegistered: func(s *Server, l *importLine, _ uuid.UUID, reg map[uuid.UUID]bool) (domain.Command, error) {
		cmd, err := lineData[domain.RegisterPerson](l)
		if err == nil {
			err = s.known("data.manager_id", cmd.ManagerID, reg)
		}
		return cmd, err
	},
	domain.TypePersonUpdated:    plain[domain.UpdatePerson],
	domain.TypePersonDeparted:   plain[domain.DepartPerson],
	domain.TypeStandardSet:      plain[domain.SetStandard],
	domain.TypeCadenceSet:       plain[domain.SetCadence],
	domain.TypeMetricsSubmitted: plain[domain.SubmitMetrics],
	domain.TypeMeetingHeld: func(s *Server, l *importLine, _ uuid.UUID, reg map[uuid.UUID]bool) (domain.Command, error) {
		cmd, err := lineData[domain.HoldMeeting](l)
		if err == nil {
			err = s.known("data.with_id", &cmd.WithID, reg)
		}
		return cmd, err
	},
	domain.TypeMeetingSkipped: plain[domain.SkipMeeting],
	domain.TypeCommitmentMade: func(_ *Server, l *importLine, person uuid.UUID, _ map[uuid.UUID]bool) (domain.Command, error) {
		cmd, err := lineData[domain.MakeCommitment](l)
		if err == nil && l.MeetingRef != nil {
			if cmd.MeetingID != nil {
				return cmd, domain.Invalid(domain.FieldError{Field: "meeting_ref", Message: "give data.meeting_id or meeting_ref, not both"})
			}
			id := RefID(person, *l.MeetingRef).String()
			cmd.MeetingID = &id
		}
		return cmd, err
	},
	domain.TypeCommitmentFollowedUp:   onCommitment(func(c *domain.FollowUpCommitment) *uuid.UUID { return &c.CommitmentID }),
	domain.TypeCommitmentRenegotiated: onCommitment(func(c *domain.RenegotiateCommitment) *uuid.UUID { return &c.CommitmentID }),
	domain.TypeCommitmentKept:         resolution,
	domain.TypeCommitmentMissed:       resolution,
	domain.TypeCommitmentWithdrawn:    resolution,
	domain.TypePIPOpened:              plain[domain.OpenPIP],
	domain.TypePIPAcknowledged:        onPIP(func(c *domain.AcknowledgePIP) *uuid.UUID { return &c.PIPID }),
	domain.TypePIPCheckedIn:           onPIP(func(c *domain.CheckInPIP) *uuid.UUID { return &c.PIPID }),
	domain.TypePIPRevised:             onPIP(func(c *domain.RevisePIP) *uuid.UUID { return &c.PIPID }),
	domain.TypePIPExtended:            onPIP(func(c *domain.ExtendPIP) *uuid.UUID { return &c.PIPID }),
	domain.TypePIPClosed:              onPIP(func(c *domain.ClosePIP) *uuid.UUID { return &c.PIPID }),
}

func plain[C domain.Command](_ *Server, l *importLine, _ uuid.UUID, _ map[uuid.UUID]bool) (domain.Command, error) {
	return lineData[C](l)
}

func onCommitment[C domain.Command](field func(*C) *uuid.UUID) lineCommand {
	return func(_ *Server, l *importLine, person uuid.UUID, _ map[uuid.UUID]bool) (domain.Command, error) {
		cmd, err := lineData[C](l)
		if err != nil {
			return cmd, err
		}
		*field(&cmd), err = refOrID("commitment_id", l.CommitmentID, l.CommitmentRef, person)
		return cmd, err
	}
}

func onPIP[C domain.Command](field func(*C) *uuid.UUID) lineCommand {
	return func(_ *Server, l *importLine, person uuid.UUID, _ map[uuid.UUID]bool) (domain.Command, error) {
		cmd, err := lineData[C](l)
		if err != nil {
			return cmd, err
		}
		*field(&cmd), err = refOrID("pip_id", l.PIPID, l.PIPRef, person)
		return cmd, err
	}
}

// resolution is commitment.kept, .missed or .withdrawn: the status is the
// type's; data takes the note (and status only when it agrees).
func resolution(_ *Server, l *importLine, person uuid.UUID, _ map[uuid.UUID]bool) (domain.Command, error) {
	cmd, err := lineData[domain.ResolveCommitment](l)
	if err != nil {
		return cmd, err
	}
	status := strings.TrimPrefix(l.Type, "commitment.")
	if cmd.Status != "" && cmd.Status != status {
		return cmd, domain.Invalid(domain.FieldError{Field: "data.status", Message: "must agree with the type (" + status + ")"})
	}
	cmd.Status = status
	cmd.CommitmentID, err = refOrID("commitment_id", l.CommitmentID, l.CommitmentRef, person)
	return cmd, err
}
