package domain

import (
	"strconv"

	"github.com/google/uuid"
)

// WithID makes the resource a command creates (a meeting, a commitment or
// a PIP) take ID instead of a new random one, so that a bulk import can
// refer to it in later lines. A PIP opened with an id gives its goals ids
// derived from it: GoalIDOf(ID, i) for the i-th goal (from 0). Rules, on
// top of the wrapped command's:
//  1. ID is not the nil UUID (422 "id");
//  2. the command creates a meeting, a commitment or a PIP (422 "id");
//  3. the journal holds no meeting, commitment or PIP with that id yet (409).
type WithID struct {
	Command Command
	ID      uuid.UUID
}

func (c WithID) decide(j *Journal, m Meta) (Data, error) {
	if c.ID == uuid.Nil {
		return nil, Invalid(FieldError{"id", "must not be the nil UUID"})
	}
	d, err := c.Command.decide(j, m)
	if err != nil {
		return nil, err
	}
	taken := false
	switch d := d.(type) {
	case *MeetingHeld:
		taken, d.MeetingID = j.meetings[c.ID], c.ID
	case *CommitmentMade:
		taken, d.CommitmentID = j.commits[c.ID] != nil, c.ID
	case *PIPOpened:
		taken, d.PIPID = j.pips[c.ID] != nil, c.ID
		for i := range d.Goals {
			d.Goals[i].GoalID = GoalIDOf(c.ID, i)
		}
	default:
		return nil, Invalid(FieldError{"id", "only a meeting, a commitment or a PIP takes a given id"})
	}
	if taken {
		return nil, Errorf(KindConflict, "id %s is already used in this journal", c.ID)
	}
	return d, nil
}

// GoalIDOf returns the id of the i-th goal (from 0) of a PIP opened with WithID.
func GoalIDOf(pipID uuid.UUID, i int) uuid.UUID {
	return uuid.NewSHA1(pipID, []byte("goal/"+strconv.Itoa(i)))
}
