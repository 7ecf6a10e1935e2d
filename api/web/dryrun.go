package web

import (
	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// journalAt rebuilds the decision state of a person's journal at version
// (its first version events) from the projections, for a dry run of cmds:
// so that a page offers a form only when the domain's own rules would take
// it, and a form that records several events can check them all before it
// appends the first (a refusal then records nothing at all). It folds only
// the events of the parts of the journal that deciding cmds reads
// (domain.Reads), so it decides those commands, and no others, as the
// whole journal would. The real writes still decide against the stored
// journal.
func (u *ui) journalAt(person uuid.UUID, version uint64, cmds ...domain.Command) *domain.Journal {
	var parts domain.Part
	for _, cmd := range cmds {
		parts |= domain.Reads(cmd)
	}
	return u.Views.Journal(person, version, parts)
}

// commands are the commands of parts, for journalAt.
func commands(parts []part) []domain.Command {
	out := make([]domain.Command, len(parts))
	for i, pt := range parts {
		out[i] = pt.cmd
	}
	return out
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
// into it, and returns the error of each refused part by index. j is the
// journal of the parts' commands (journalAt(…, commands(parts)...)): an
// accepted event a later part reads lies in a part that later part reads,
// so j holds it; one of a part no later command reads changes nothing
// they decide on. (A part's meeting id does not change what it reads.)
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
