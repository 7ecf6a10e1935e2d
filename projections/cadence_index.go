package projections

import (
	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// cadenceIndex indexes what the cadence read model needs of each journal,
// as stored step indices. Nothing in it is text, so erasure has nothing to
// do: kinds, dates and ids survive it.
type cadenceIndex struct {
	meetings map[uuid.UUID][]uint32 // meeting.held and meeting.skipped steps of a journal, in stream order
	cadences map[uuid.UUID][]uint32 // cadence.set steps of a manager's journal, in stream order
	joined   map[uuid.UUID]uint32   // the step that last set a person's manager
}

// indexCadence records stored step i of p's journal if the cadence model
// needs it.
func (s *Set) indexCadence(p *person, i uint32, data domain.Data) {
	x := &s.cadence
	if x.meetings == nil {
		x.meetings, x.cadences, x.joined = map[uuid.UUID][]uint32{}, map[uuid.UUID][]uint32{}, map[uuid.UUID]uint32{}
	}
	switch data.(type) {
	case *domain.MeetingHeld, *domain.MeetingSkipped:
		x.meetings[p.ID] = append(x.meetings[p.ID], i)
	case *domain.CadenceSet:
		x.cadences[p.ID] = append(x.cadences[p.ID], i)
	case *domain.PersonRegistered, *domain.ManagerChanged:
		x.joined[p.ID] = i
	}
}
