package domain

import "github.com/google/uuid"

// Journal is the decision state of one person's journal: just what the
// rules need, folded from its events by Evolve.
type Journal struct {
	personID   uuid.UUID
	version    uint64
	lastHash   string
	registered bool
	departed   bool
	erased     bool
	periods    map[Period]bool
	meetings   map[uuid.UUID]bool
	commits    map[uuid.UUID]*commitState
	pips       map[uuid.UUID]*pipState
	activePIP  uuid.UUID
}

type commitState struct {
	open  bool
	dueOn Date
}

type pipState struct {
	active      bool
	endsOn      Date
	startsOn    Date
	goals       map[uuid.UUID]bool
	awaitingAck bool
}

// NewJournal returns the empty journal of a person.
func NewJournal(personID uuid.UUID) *Journal {
	return &Journal{
		personID: personID,
		periods:  map[Period]bool{},
		meetings: map[uuid.UUID]bool{},
		commits:  map[uuid.UUID]*commitState{},
		pips:     map[uuid.UUID]*pipState{},
	}
}

// PersonID returns whose journal this is.
func (j *Journal) PersonID() uuid.UUID { return j.personID }

// Version returns the number of events in the journal.
func (j *Journal) Version() uint64 { return j.version }

// LastHash returns the hash of the journal's last event ("" when empty).
func (j *Journal) LastHash() string { return j.lastHash }

// Registered reports whether the person has been registered.
func (j *Journal) Registered() bool { return j.registered }

// Erased reports whether the person's personal data has been erased.
func (j *Journal) Erased() bool { return j.erased }

// isPerson reports whether the actor is the person whose journal this is,
// however the actor's UUID is spelled.
func (j *Journal) isPerson(a Actor) bool {
	id, ok := a.PersonID()
	return ok && id == j.personID
}

// Evolve applies one event of this journal to the state. Each event type
// changes at most one Part of it (PartOf, below, names which).
func (j *Journal) Evolve(e Event) {
	j.version = e.Version
	j.lastHash = e.Hash
	switch d := e.Data.(type) {
	case *PersonRegistered:
		j.registered = true
	case *PersonDeparted:
		j.departed = true
	case *PersonErased:
		j.erased = true
	case *MetricsSubmitted:
		j.periods[d.Period] = true
	case *MeetingHeld:
		j.meetings[d.MeetingID] = true
	case *CommitmentMade:
		j.commits[d.CommitmentID] = &commitState{open: true, dueOn: d.DueOn}
	case *CommitmentRenegotiated:
		if c := j.commits[d.CommitmentID]; c != nil {
			c.dueOn = d.NewDueOn
		}
	case *CommitmentKept:
		j.closeCommitment(d.CommitmentID)
	case *CommitmentMissed:
		j.closeCommitment(d.CommitmentID)
	case *CommitmentWithdrawn:
		j.closeCommitment(d.CommitmentID)
	case *PIPOpened:
		j.pips[d.PIPID] = &pipState{active: true, startsOn: d.StartsOn, endsOn: d.EndsOn, goals: goalSet(d.Goals), awaitingAck: true}
		j.activePIP = d.PIPID
	case *PIPAcknowledged:
		if p := j.pips[d.PIPID]; p != nil {
			p.awaitingAck = false
		}
	case *PIPRevised:
		if p := j.pips[d.PIPID]; p != nil {
			p.goals = goalSet(d.Goals)
			p.awaitingAck = true
		}
	case *PIPExtended:
		if p := j.pips[d.PIPID]; p != nil {
			p.endsOn = d.NewEndsOn
		}
	case *PIPClosed:
		if p := j.pips[d.PIPID]; p != nil {
			p.active = false
		}
		if j.activePIP == d.PIPID {
			j.activePIP = uuid.Nil
		}
	}
}

// Part names parts of a journal's state, as bits: what a decision reads
// (Reads) and what an event folds into (PartOf). The parts are independent:
// the events of one part change only that part, whatever the others hold.
type Part uint8

// The parts of a Journal. Every journal holds its person's id, and its
// version and last hash come from whichever event was folded last.
const (
	// PartPerson is the person's own state: registered, departed, erased.
	PartPerson Part = 1 << iota
	// PartPeriods is which periods have numbers (metrics.submitted).
	PartPeriods
	// PartMeetings is the meetings held.
	PartMeetings
	// PartCommitments is the commitments, open or resolved, and their due dates.
	PartCommitments
	// PartPIPs is the PIPs, their goals, dates and acknowledgement, and the active one.
	PartPIPs

	// PartsAll is the whole journal.
	PartsAll = PartPerson | PartPeriods | PartMeetings | PartCommitments | PartPIPs
)

// PartOf returns the part of a journal that an event with data d folds
// into in Evolve, or 0 when it changes none (it still moves the version
// and the last hash). It must agree with Evolve, just above.
func PartOf(d Data) Part {
	switch d.(type) {
	case *PersonRegistered, *PersonDeparted, *PersonErased:
		return PartPerson
	case *MetricsSubmitted:
		return PartPeriods
	case *MeetingHeld:
		return PartMeetings
	case *CommitmentMade, *CommitmentRenegotiated, *CommitmentKept, *CommitmentMissed, *CommitmentWithdrawn:
		return PartCommitments
	case *PIPOpened, *PIPAcknowledged, *PIPRevised, *PIPExtended, *PIPClosed:
		return PartPIPs
	}
	return 0
}

func (j *Journal) closeCommitment(id uuid.UUID) {
	if c := j.commits[id]; c != nil {
		c.open = false
	}
}

func goalSet(goals []PIPGoal) map[uuid.UUID]bool {
	m := make(map[uuid.UUID]bool, len(goals))
	for _, g := range goals {
		m[g.GoalID] = true
	}
	return m
}
