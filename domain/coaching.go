package domain

import (
	"time"

	"github.com/google/uuid"
)

// clockSkew is how far in the future a reported time may lie.
const clockSkew = 5 * time.Minute

// DiagnosisInput is the diagnosis of a HoldMeeting command.
type DiagnosisInput struct {
	Primary string  `json:"primary"`
	Note    *string `json:"note"`
}

// HoldMeeting records a meeting with the person, led by WithID. Rules:
// kind is performance, pipeline, coaching or ride_along; held_at is not in
// the future; duration 1–1440 minutes. The caller checks that WithID is a
// registered person.
type HoldMeeting struct {
	Kind            string          `json:"kind"`
	HeldAt          string          `json:"held_at"`
	WithID          string          `json:"with_id"`
	DurationMinutes *int            `json:"duration_minutes"`
	Notes           *string         `json:"notes"`
	Diagnosis       *DiagnosisInput `json:"diagnosis"`
}

func (c HoldMeeting) decide(j *Journal, m Meta) (Data, error) {
	var p Problems
	d := &MeetingHeld{
		MeetingID: newID(),
		Kind:      p.oneOf("kind", c.Kind, "performance", "pipeline", "coaching", "ride_along"),
		HeldAt:    p.timestamp("held_at", c.HeldAt),
		WithID:    p.id("with_id", c.WithID),
		Notes:     p.optNote("notes", c.Notes),
	}
	if d.HeldAt.After(m.Now.Add(clockSkew)) {
		p.Add("held_at", "is in the future")
	}
	if c.DurationMinutes != nil {
		if *c.DurationMinutes < 1 || *c.DurationMinutes > 1440 {
			p.Add("duration_minutes", "must be between 1 and 1440")
		}
		d.DurationMinutes = c.DurationMinutes
	}
	if c.Diagnosis != nil {
		d.Diagnosis = &Diagnosis{
			Primary: p.oneOf("diagnosis.primary", c.Diagnosis.Primary, "activity", "conversion", "deal_size", "market", "other"),
			Note:    p.optNote("diagnosis.note", c.Diagnosis.Note),
		}
	}
	return d, p.Err()
}

// SkipMeeting records that a scheduled meeting did not happen.
type SkipMeeting struct {
	ScheduledFor string `json:"scheduled_for"`
	Reason       string `json:"reason"`
}

func (c SkipMeeting) decide(j *Journal, m Meta) (Data, error) {
	var p Problems
	return &MeetingSkipped{ScheduledFor: p.date("scheduled_for", c.ScheduledFor), Reason: p.note("reason", c.Reason)}, p.Err()
}

// MakeCommitment records a concrete action with a due date. Rules: text
// required; meeting_id, when given, names a meeting of this journal; a
// metric, when given, has a well-formed key and a finite target ≥ 0.
type MakeCommitment struct {
	Text      string            `json:"text"`
	DueOn     string            `json:"due_on"`
	MeetingID *string           `json:"meeting_id"`
	Metric    *CommitmentMetric `json:"metric"`
}

func (c MakeCommitment) decide(j *Journal, m Meta) (Data, error) {
	var p Problems
	d := &CommitmentMade{
		CommitmentID: newID(),
		Text:         p.note("text", c.Text),
		DueOn:        p.date("due_on", c.DueOn),
		MeetingID:    p.optID("meeting_id", c.MeetingID),
		Metric:       c.Metric,
	}
	if d.MeetingID != nil && *d.MeetingID != uuid.Nil && !j.meetings[*d.MeetingID] {
		p.Add("meeting_id", "names no meeting of this person")
	}
	if c.Metric != nil {
		p.metricKey("metric.key", c.Metric.Key)
		p.number("metric.target", c.Metric.Target, 0, 1e15)
	}
	return d, p.Err()
}

// openCommitment returns the commitment's state, or NotFound / Conflict
// when it does not exist or is already resolved.
func (j *Journal) openCommitment(id uuid.UUID) (*commitState, error) {
	c := j.commits[id]
	if c == nil {
		return nil, Errorf(KindNotFound, "no commitment %s", id)
	}
	if !c.open {
		return nil, Errorf(KindConflict, "commitment %s is already resolved", id)
	}
	return c, nil
}

// FollowUpCommitment records a check on an open commitment; progress is 0..1.
type FollowUpCommitment struct {
	CommitmentID uuid.UUID `json:"-"`
	Note         string    `json:"note"`
	Progress     *float64  `json:"progress"`
}

func (c FollowUpCommitment) decide(j *Journal, m Meta) (Data, error) {
	var p Problems
	d := &CommitmentFollowedUp{CommitmentID: c.CommitmentID, Note: p.note("note", c.Note), Progress: c.Progress}
	if c.Progress != nil {
		p.number("progress", *c.Progress, 0, 1)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	_, err := j.openCommitment(c.CommitmentID)
	return d, err
}

// RenegotiateCommitment moves an open commitment's due date later.
type RenegotiateCommitment struct {
	CommitmentID uuid.UUID `json:"-"`
	NewDueOn     string    `json:"new_due_on"`
	Reason       string    `json:"reason"`
}

func (c RenegotiateCommitment) decide(j *Journal, m Meta) (Data, error) {
	var p Problems
	d := &CommitmentRenegotiated{CommitmentID: c.CommitmentID, NewDueOn: p.date("new_due_on", c.NewDueOn), Reason: p.note("reason", c.Reason)}
	if err := p.Err(); err != nil {
		return nil, err
	}
	st, err := j.openCommitment(c.CommitmentID)
	if err != nil {
		return nil, err
	}
	if !d.NewDueOn.After(st.dueOn) {
		return nil, Invalid(FieldError{"new_due_on", "must be after the current due date " + st.dueOn.String()})
	}
	return d, nil
}

// ResolveCommitment resolves an open commitment once: kept, missed or
// withdrawn (withdrawn requires the note, as its reason).
type ResolveCommitment struct {
	CommitmentID uuid.UUID `json:"-"`
	Status       string    `json:"status"`
	Note         *string   `json:"note"`
}

func (c ResolveCommitment) decide(j *Journal, m Meta) (Data, error) {
	var p Problems
	status := p.oneOf("status", c.Status, "kept", "missed", "withdrawn")
	note := p.optNote("note", c.Note)
	if status == "withdrawn" && note == nil {
		p.Add("note", "is required to withdraw a commitment (the reason)")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if _, err := j.openCommitment(c.CommitmentID); err != nil {
		return nil, err
	}
	switch status {
	case "kept":
		return &CommitmentKept{CommitmentID: c.CommitmentID, Note: note}, nil
	case "missed":
		return &CommitmentMissed{CommitmentID: c.CommitmentID, Note: note}, nil
	}
	return &CommitmentWithdrawn{CommitmentID: c.CommitmentID, Reason: *note}, nil
}
