package domain

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// The event types of catalog version 1. Names are stable: never renamed or reused.
const (
	TypePersonRegistered       = "person.registered"
	TypePersonUpdated          = "person.updated"
	TypeManagerChanged         = "person.manager_changed"
	TypePersonDeparted         = "person.departed"
	TypePersonErased           = "person.erased"
	TypeStandardSet            = "standard.set"
	TypeCadenceSet             = "cadence.set"
	TypeMetricsSubmitted       = "metrics.submitted"
	TypeMeetingHeld            = "meeting.held"
	TypeMeetingSkipped         = "meeting.skipped"
	TypeCommitmentMade         = "commitment.made"
	TypeCommitmentFollowedUp   = "commitment.followed_up"
	TypeCommitmentRenegotiated = "commitment.renegotiated"
	TypeCommitmentKept         = "commitment.kept"
	TypeCommitmentMissed       = "commitment.missed"
	TypeCommitmentWithdrawn    = "commitment.withdrawn"
	TypePIPOpened              = "pip.opened"
	TypePIPAcknowledged        = "pip.acknowledged"
	TypePIPCheckedIn           = "pip.checked_in"
	TypePIPRevised             = "pip.revised"
	TypePIPExtended            = "pip.extended"
	TypePIPClosed              = "pip.closed"
)

// registration is an event type's current schema and the constructor of its data.
type registration struct {
	schema int
	new    func() Data
}

// registry maps each type to a constructor of its data and its current schema.
var registry = map[string]registration{
	TypePersonRegistered:       {1, func() Data { return &PersonRegistered{} }},
	TypePersonUpdated:          {1, func() Data { return &PersonUpdated{} }},
	TypeManagerChanged:         {1, func() Data { return &ManagerChanged{} }},
	TypePersonDeparted:         {1, func() Data { return &PersonDeparted{} }},
	TypePersonErased:           {1, func() Data { return &PersonErased{} }},
	TypeStandardSet:            {1, func() Data { return &StandardSet{} }},
	TypeCadenceSet:             {1, func() Data { return &CadenceSet{} }},
	TypeMetricsSubmitted:       {1, func() Data { return &MetricsSubmitted{} }},
	TypeMeetingHeld:            {1, func() Data { return &MeetingHeld{} }},
	TypeMeetingSkipped:         {1, func() Data { return &MeetingSkipped{} }},
	TypeCommitmentMade:         {1, func() Data { return &CommitmentMade{} }},
	TypeCommitmentFollowedUp:   {1, func() Data { return &CommitmentFollowedUp{} }},
	TypeCommitmentRenegotiated: {1, func() Data { return &CommitmentRenegotiated{} }},
	TypeCommitmentKept:         {1, func() Data { return &CommitmentKept{} }},
	TypeCommitmentMissed:       {1, func() Data { return &CommitmentMissed{} }},
	TypeCommitmentWithdrawn:    {1, func() Data { return &CommitmentWithdrawn{} }},
	TypePIPOpened:              {1, func() Data { return &PIPOpened{} }},
	TypePIPAcknowledged:        {1, func() Data { return &PIPAcknowledged{} }},
	TypePIPCheckedIn:           {1, func() Data { return &PIPCheckedIn{} }},
	TypePIPRevised:             {1, func() Data { return &PIPRevised{} }},
	TypePIPExtended:            {1, func() Data { return &PIPExtended{} }},
	TypePIPClosed:              {1, func() Data { return &PIPClosed{} }},
}

// EventTypes lists every known event type.
func EventTypes() []string {
	out := make([]string, 0, len(registry))
	for t := range registry {
		out = append(out, t)
	}
	return out
}

// SchemaOf returns the current schema version of an event type (0 if unknown).
func SchemaOf(eventType string) int { return registry[eventType].schema }

// NewData returns an empty value of eventType's data, or nil for an
// unknown type.
func NewData(eventType string) Data {
	if r, ok := registry[eventType]; ok {
		return r.new()
	}
	return nil
}

// UpcastData brings the data JSON of an event of eventType stored at schema
// to the type's current schema (see upcast.go), and returns it with an
// empty value of the type's data to decode it into. This is the one place
// where upcasting happens.
func UpcastData(eventType string, schema int, raw json.RawMessage) (Data, json.RawMessage, error) {
	return upcastWith(registry, upcasters, eventType, schema, raw)
}

func texts(ptrs ...*string) []*string { return ptrs }

// optTexts returns the targets of the non-nil optional text fields.
func optTexts(ps ...**string) []*string {
	var out []*string
	for _, p := range ps {
		if *p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// PersonRegistered starts a person's journal.
type PersonRegistered struct {
	Name      string     `json:"name"`
	Email     string     `json:"email"`
	Title     *string    `json:"title,omitempty"`
	ManagerID *uuid.UUID `json:"manager_id,omitempty"`
}

// PersonUpdated changes a person's name, email or title.
type PersonUpdated struct {
	Name  *string `json:"name,omitempty"`
	Email *string `json:"email,omitempty"`
	Title *string `json:"title,omitempty"`
}

// ManagerChanged moves a person under another manager (nil: top of the org).
type ManagerChanged struct {
	ManagerID *uuid.UUID `json:"manager_id"`
}

// PersonDeparted records that a person left; their journal takes no new coaching events.
type PersonDeparted struct {
	On     Date   `json:"on"`
	Reason string `json:"reason"`
}

// PersonErased records the crypto-shredding of a person's data key.
type PersonErased struct {
	Reason string `json:"reason"`
}

// Target is one metric's expectation in a standard.
type Target struct {
	Metric string  `json:"metric"`
	Target float64 `json:"target"`
	Kind   string  `json:"kind"` // "leading" or "lagging"
	Unit   *string `json:"unit,omitempty"`
}

// StandardSet versions the expectations for a person ("self") or their reports ("reports").
type StandardSet struct {
	AppliesTo     string   `json:"applies_to"`
	EffectiveFrom Date     `json:"effective_from"`
	Period        string   `json:"period"`
	Targets       []Target `json:"targets"`
}

// CadenceSet is the meeting cadence a manager commits to with their reports.
type CadenceSet struct {
	EveryDays int `json:"every_days"`
}

// MetricsSubmitted records a person's numbers for a week or a month.
type MetricsSubmitted struct {
	Period           Period             `json:"period"`
	Values           map[string]float64 `json:"values"`
	Source           string             `json:"source"`
	CorrectionReason *string            `json:"correction_reason,omitempty"`
}

// Diagnosis is the leader's reading of why a rep is off goal.
type Diagnosis struct {
	Primary string  `json:"primary"`
	Note    *string `json:"note,omitempty"`
}

// MeetingHeld records a 1-on-1 or another kind of meeting with the person.
type MeetingHeld struct {
	MeetingID       uuid.UUID  `json:"meeting_id"`
	Kind            string     `json:"kind"`
	HeldAt          time.Time  `json:"held_at"`
	WithID          uuid.UUID  `json:"with_id"`
	DurationMinutes *int       `json:"duration_minutes,omitempty"`
	Notes           *string    `json:"notes,omitempty"`
	Diagnosis       *Diagnosis `json:"diagnosis,omitempty"`
}

// MeetingSkipped records a scheduled meeting that did not happen.
type MeetingSkipped struct {
	ScheduledFor Date   `json:"scheduled_for"`
	Reason       string `json:"reason"`
}

// CommitmentMetric ties a commitment to a number.
type CommitmentMetric struct {
	Key    string  `json:"key"`
	Target float64 `json:"target"`
}

// CommitmentMade records a concrete action the person commits to.
type CommitmentMade struct {
	CommitmentID uuid.UUID         `json:"commitment_id"`
	Text         string            `json:"text"`
	DueOn        Date              `json:"due_on"`
	MeetingID    *uuid.UUID        `json:"meeting_id,omitempty"`
	Metric       *CommitmentMetric `json:"metric,omitempty"`
}

// CommitmentFollowedUp records a check on an open commitment.
type CommitmentFollowedUp struct {
	CommitmentID uuid.UUID `json:"commitment_id"`
	Note         string    `json:"note"`
	Progress     *float64  `json:"progress,omitempty"`
}

// CommitmentRenegotiated moves an open commitment's due date later.
type CommitmentRenegotiated struct {
	CommitmentID uuid.UUID `json:"commitment_id"`
	NewDueOn     Date      `json:"new_due_on"`
	Reason       string    `json:"reason"`
}

// CommitmentKept resolves a commitment as kept.
type CommitmentKept struct {
	CommitmentID uuid.UUID `json:"commitment_id"`
	Note         *string   `json:"note,omitempty"`
}

// CommitmentMissed resolves a commitment as missed.
type CommitmentMissed struct {
	CommitmentID uuid.UUID `json:"commitment_id"`
	Note         *string   `json:"note,omitempty"`
}

// CommitmentWithdrawn resolves a commitment as withdrawn.
type CommitmentWithdrawn struct {
	CommitmentID uuid.UUID `json:"commitment_id"`
	Reason       string    `json:"reason"`
}

// PIPGoal is one goal of a performance improvement plan.
type PIPGoal struct {
	GoalID uuid.UUID `json:"goal_id"`
	Text   string    `json:"text"`
	Metric *string   `json:"metric,omitempty"`
	Target *float64  `json:"target,omitempty"`
}

// PIPOpened starts a performance improvement plan.
type PIPOpened struct {
	PIPID            uuid.UUID `json:"pip_id"`
	Reason           string    `json:"reason"`
	StartsOn         Date      `json:"starts_on"`
	EndsOn           Date      `json:"ends_on"`
	CheckInEveryDays int       `json:"check_in_every_days"`
	Goals            []PIPGoal `json:"goals"`
}

// PIPAcknowledged records that the person on the PIP acknowledged its current goals.
type PIPAcknowledged struct {
	PIPID   uuid.UUID `json:"pip_id"`
	Comment *string   `json:"comment,omitempty"`
}

// GoalStatus is a goal's status at a check-in.
type GoalStatus struct {
	GoalID uuid.UUID `json:"goal_id"`
	Status string    `json:"status"`
	Note   *string   `json:"note,omitempty"`
}

// PIPCheckedIn records a regular PIP check-in.
type PIPCheckedIn struct {
	PIPID uuid.UUID    `json:"pip_id"`
	On    Date         `json:"on"`
	Note  string       `json:"note"`
	Goals []GoalStatus `json:"goals"`
}

// PIPRevised replaces an active PIP's goals; it then awaits a new acknowledgement.
type PIPRevised struct {
	PIPID  uuid.UUID `json:"pip_id"`
	Goals  []PIPGoal `json:"goals"`
	Reason string    `json:"reason"`
}

// PIPExtended moves an active PIP's end date later.
type PIPExtended struct {
	PIPID     uuid.UUID `json:"pip_id"`
	NewEndsOn Date      `json:"new_ends_on"`
	Reason    string    `json:"reason"`
}

// PIPClosed ends a PIP with an outcome.
type PIPClosed struct {
	PIPID   uuid.UUID `json:"pip_id"`
	Outcome string    `json:"outcome"`
	Note    string    `json:"note"`
}

func goalTexts(goals []PIPGoal) []*string {
	var out []*string
	for i := range goals {
		out = append(out, &goals[i].Text)
	}
	return out
}

// EventType and TextFields of every data type follow.

func (*PersonRegistered) EventType() string { return TypePersonRegistered }
func (d *PersonRegistered) TextFields() []*string {
	return append(texts(&d.Name, &d.Email), optTexts(&d.Title)...)
}
func (*PersonUpdated) EventType() string { return TypePersonUpdated }
func (d *PersonUpdated) TextFields() []*string {
	return optTexts(&d.Name, &d.Email, &d.Title)
}
func (*ManagerChanged) EventType() string         { return TypeManagerChanged }
func (*ManagerChanged) TextFields() []*string     { return nil }
func (*PersonDeparted) EventType() string         { return TypePersonDeparted }
func (d *PersonDeparted) TextFields() []*string   { return texts(&d.Reason) }
func (*PersonErased) EventType() string           { return TypePersonErased }
func (d *PersonErased) TextFields() []*string     { return texts(&d.Reason) }
func (*StandardSet) EventType() string            { return TypeStandardSet }
func (*StandardSet) TextFields() []*string        { return nil }
func (*CadenceSet) EventType() string             { return TypeCadenceSet }
func (*CadenceSet) TextFields() []*string         { return nil }
func (*MetricsSubmitted) EventType() string       { return TypeMetricsSubmitted }
func (d *MetricsSubmitted) TextFields() []*string { return optTexts(&d.CorrectionReason) }
func (*MeetingHeld) EventType() string            { return TypeMeetingHeld }
func (d *MeetingHeld) TextFields() []*string {
	out := optTexts(&d.Notes)
	if d.Diagnosis != nil {
		out = append(out, optTexts(&d.Diagnosis.Note)...)
	}
	return out
}
func (*MeetingSkipped) EventType() string               { return TypeMeetingSkipped }
func (d *MeetingSkipped) TextFields() []*string         { return texts(&d.Reason) }
func (*CommitmentMade) EventType() string               { return TypeCommitmentMade }
func (d *CommitmentMade) TextFields() []*string         { return texts(&d.Text) }
func (*CommitmentFollowedUp) EventType() string         { return TypeCommitmentFollowedUp }
func (d *CommitmentFollowedUp) TextFields() []*string   { return texts(&d.Note) }
func (*CommitmentRenegotiated) EventType() string       { return TypeCommitmentRenegotiated }
func (d *CommitmentRenegotiated) TextFields() []*string { return texts(&d.Reason) }
func (*CommitmentKept) EventType() string               { return TypeCommitmentKept }
func (d *CommitmentKept) TextFields() []*string         { return optTexts(&d.Note) }
func (*CommitmentMissed) EventType() string             { return TypeCommitmentMissed }
func (d *CommitmentMissed) TextFields() []*string       { return optTexts(&d.Note) }
func (*CommitmentWithdrawn) EventType() string          { return TypeCommitmentWithdrawn }
func (d *CommitmentWithdrawn) TextFields() []*string    { return texts(&d.Reason) }
func (*PIPOpened) EventType() string                    { return TypePIPOpened }
func (d *PIPOpened) TextFields() []*string {
	return append(texts(&d.Reason), goalTexts(d.Goals)...)
}
func (*PIPAcknowledged) EventType() string       { return TypePIPAcknowledged }
func (d *PIPAcknowledged) TextFields() []*string { return optTexts(&d.Comment) }
func (*PIPCheckedIn) EventType() string          { return TypePIPCheckedIn }
func (d *PIPCheckedIn) TextFields() []*string {
	out := texts(&d.Note)
	for i := range d.Goals {
		out = append(out, optTexts(&d.Goals[i].Note)...)
	}
	return out
}
func (*PIPRevised) EventType() string { return TypePIPRevised }
func (d *PIPRevised) TextFields() []*string {
	return append(texts(&d.Reason), goalTexts(d.Goals)...)
}
func (*PIPExtended) EventType() string       { return TypePIPExtended }
func (d *PIPExtended) TextFields() []*string { return texts(&d.Reason) }
func (*PIPClosed) EventType() string         { return TypePIPClosed }
func (d *PIPClosed) TextFields() []*string   { return texts(&d.Note) }
