package projections

import (
	"github.com/coachjournal/coachjournal/domain"
)

// cadenceSteps indexes what the cadence read model needs of one journal,
// as stored step indices; it lives in the person, so that folding a
// meeting appends to a slice the fold already holds instead of looking a
// journal up in a map. Nothing in it is text, so erasure has nothing to
// do: kinds, dates and ids survive it.
type cadenceSteps struct {
	meetings []uint32 // meeting.held and meeting.skipped steps, in stream order
	cadences []uint32 // cadence.set steps (a manager's journal), in stream order
	joined   uint32   // the step that last set the person's manager (their registration at first)
}

// indexCadence records stored step i of p's journal if the cadence model
// needs it.
func (s *Set) indexCadence(p *person, i uint32, data domain.Data) {
	x := &p.cadence
	switch data.(type) {
	case *domain.MeetingHeld, *domain.MeetingSkipped:
		x.meetings = append(x.meetings, i)
	case *domain.CadenceSet:
		x.cadences = append(x.cadences, i)
	case *domain.PersonRegistered, *domain.ManagerChanged:
		x.joined = i
	}
}
