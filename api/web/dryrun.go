package web

import (
	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// journalAt rebuilds the decision state of a person's journal at version
// (its first version events) from the projections, so that a form that
// records several events can check them all, with the domain's own rules,
// before it appends the first: a refusal then records nothing at all.
// The real writes still decide against the stored journal.
func (u *ui) journalAt(person uuid.UUID, version uint64) *domain.Journal {
	return u.Views.Journal(person, version, domain.PartsAll)
}

// part is one event a form submission records: its key suffix, its
// command, and how the domain's field names read on the form.
type part struct {
	name   string // key suffix: "meeting", "c1", "r.<id>"
	cmd    domain.Command
	rename func(string) string
	// meeting, when set, receives the id of the meeting recorded before it
	meeting func(cmd domain.Command, id uuid.UUID) domain.Command
}

// dryRun decides every part in order on j, folding each accepted event
// into it, and returns the error of each refused part by index.
func dryRun(j *domain.Journal, m domain.Meta, parts []part) map[int]error {
	errs := map[int]error{}
	meeting := uuid.Nil
	for i, pt := range parts {
		cmd := pt.cmd
		if pt.meeting != nil && meeting != uuid.Nil {
			cmd = pt.meeting(cmd, meeting)
		}
		e, err := domain.Decide(j, cmd, m)
		if err != nil {
			errs[i] = err
			continue
		}
		j.Evolve(e)
		if held, ok := e.Data.(*domain.MeetingHeld); ok {
			meeting = held.MeetingID
		}
	}
	return errs
}
