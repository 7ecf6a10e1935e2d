package domain

import (
	"time"

	"github.com/google/uuid"
)

// Command is a request to change one journal. Each command's rules are
// listed on its type; Decide enforces the ones common to all.
type Command interface {
	decide(j *Journal, m Meta) (Data, error)
}

// Meta is the context of a decision.
type Meta struct {
	Actor Actor
	Now   time.Time // the server clock; becomes recorded_at
	// OccurredAt is when it happened in the world; zero means Now.
	OccurredAt time.Time
}

// Decide checks cmd against the journal and returns the one event it
// records, not yet sealed. It never changes j.
// Errors: KindInvalid (with fields), KindNotFound (no such person, commitment
// or PIP), KindConflict (state does not allow it), KindForbidden.
func Decide(j *Journal, cmd Command, m Meta) (Event, error) {
	_, registering := cmd.(RegisterPerson)
	switch {
	case registering && j.registered:
		return Event{}, Errorf(KindConflict, "person %s is already registered", j.personID)
	case !registering && !j.registered:
		return Event{}, Errorf(KindNotFound, "no person %s", j.personID)
	case j.erased:
		return Event{}, Errorf(KindConflict, "person %s has been erased; their journal takes no new events", j.personID)
	case j.departed && !allowedAfterDeparture(cmd):
		return Event{}, Errorf(KindConflict, "person %s has departed; their journal takes no new coaching events", j.personID)
	}
	d, err := cmd.decide(j, m)
	if err != nil {
		return Event{}, err
	}
	at := m.OccurredAt
	if at.IsZero() {
		at = m.Now
	}
	t := d.EventType()
	return Event{
		ID: newID(), Type: t, Schema: SchemaOf(t), PersonID: j.personID, Version: j.version + 1,
		Actor: m.Actor, OccurredAt: at.UTC(), RecordedAt: m.Now.UTC(), Data: d, PrevHash: j.lastHash,
	}, nil
}

// allowedAfterDeparture lists what a departed person's journal still takes:
// closing out what was open, correcting their record, erasure.
func allowedAfterDeparture(cmd Command) bool {
	switch cmd.(type) {
	case UpdatePerson, ResolveCommitment, ClosePIP, ErasePerson:
		return true
	}
	return false
}

// newID returns a time-ordered UUIDv7.
func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// today returns the server's calendar day.
func (m Meta) today() Date { return DateOf(m.Now.UTC()) }

// Reads returns the parts of a journal that deciding cmd reads, always
// including PartPerson (Decide's own rules read it). The contract: a
// journal folded (Evolve, in order) from only the events whose PartOf is
// in Reads(cmd), and then from an event carrying the last event's Version
// and Hash with nil Data, decides cmd exactly as the whole journal does:
// the same error, or the same event (its new ids aside). A caller that
// decides several commands in turn on one such journal, folding each
// accepted event into it, folds for the union of their Reads.
//
// It must agree with each command's decide method: a rule that starts
// reading another part of the journal adds it here.
func Reads(cmd Command) Part {
	switch c := cmd.(type) {
	case RegisterPerson, UpdatePerson, ChangeManager, DepartPerson, ErasePerson,
		SetStandard, SetCadence, HoldMeeting, SkipMeeting:
		return PartPerson
	case SubmitMetrics:
		return PartPerson | PartPeriods
	case MakeCommitment:
		return PartPerson | PartMeetings
	case FollowUpCommitment, RenegotiateCommitment, ResolveCommitment:
		return PartPerson | PartCommitments
	case OpenPIP, AcknowledgePIP, CheckInPIP, RevisePIP, ExtendPIP, ClosePIP:
		return PartPerson | PartPIPs
	case WithID:
		return Reads(c.Command) | creates(c.Command)
	}
	return PartsAll
}

// creates is the part holding what cmd creates with an id WithID may give
// (WithID reads it to refuse an id already taken), or 0.
func creates(cmd Command) Part {
	switch c := cmd.(type) {
	case HoldMeeting:
		return PartMeetings
	case MakeCommitment:
		return PartCommitments
	case OpenPIP:
		return PartPIPs
	case WithID:
		return creates(c.Command)
	}
	return 0
}
