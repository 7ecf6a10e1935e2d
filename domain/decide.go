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
