package projections

import (
	"slices"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// Commitment is one commitment and its whole life.
type Commitment struct {
	ID            uuid.UUID                `json:"id"`
	PersonID      uuid.UUID                `json:"person_id"`
	Text          string                   `json:"text"`
	Status        string                   `json:"status"`          // open, kept, missed, withdrawn
	DueOn         domain.Date              `json:"due_on"`          // the due date in force
	OriginalDueOn domain.Date              `json:"original_due_on"` // as made
	MadeAt        time.Time                `json:"made_at"`         // occurred_at of commitment.made
	MeetingID     *uuid.UUID               `json:"meeting_id,omitempty"`
	Metric        *domain.CommitmentMetric `json:"metric,omitempty"`
	Progress      *float64                 `json:"progress,omitempty"` // latest follow-up progress
	Renegotiated  int                      `json:"renegotiated"`
	ResolvedAt    *time.Time               `json:"resolved_at"` // occurred_at of the resolution
	Sequence      uint64                   `json:"-"`
	History       []Step                   `json:"history"`
}

// Overdue reports whether c is open and was due before today.
func (c Commitment) Overdue(today domain.Date) bool {
	return c.Status == statusOpen && c.DueOn.Before(today)
}

// The statuses of a commitment.
const (
	statusOpen      = "open"
	statusKept      = "kept"
	statusMissed    = "missed"
	statusWithdrawn = "withdrawn"
)

// commitment is the stored state; text and the made fields are read from
// the commitment.made step.
type commitment struct {
	id           uuid.UUID
	person       *person
	made         uint32
	resolved     uint32 // step index + 1 of the resolution; 0 while open
	status       string
	due          domain.Date
	progress     float64
	hasProgress  bool
	renegotiated int
	history      []uint32

	// What its life as known now needs beyond the above, so that the
	// keeping counts it without reading its steps (countedLife): the days
	// it was made and resolved (while not open) and first due, and the
	// stream sequence of its last step.
	madeOn, resolvedOn, dueFirst day
	last                         uint64
}

// day is a calendar day as a count of days from 1970-01-01: four bytes
// where a domain.Date takes 24, for the dates every commitment keeps.
type day int32

func dayOf(d domain.Date) day { return dayAt(d.Time()) }

// dayAt is the day (UTC) of t, a time in UTC as steps read them back.
func dayAt(t time.Time) day {
	sec := t.Unix()
	n := sec / 86400
	if sec%86400 < 0 {
		n-- // a day before 1970 still counts down from its midnight
	}
	return day(n)
}

// date returns d as a domain.Date.
func (d day) date() domain.Date { return domain.DateOf(time.Unix(int64(d)*86400, 0).UTC()) }

func (s *Set) makeCommitment(p *person, i uint32, d *domain.CommitmentMade) {
	if _, dup := s.commitments[d.CommitmentID]; dup {
		return
	}
	st := s.steps.at(i)
	c := &commitment{id: d.CommitmentID, person: p, made: i, status: statusOpen, due: d.DueOn, history: []uint32{i},
		madeOn: dayAt(st.occurredAt()), dueFirst: dayOf(d.DueOn), last: st.seq}
	s.commitments[c.id] = c
	p.commitments = append(p.commitments, c)
	p.open = append(p.open, c)
	p.keeping.made++
}

// keptCounts are a person's commitments made, renegotiated (at least once)
// and resolved each way, counted as the fold goes: the brief keeping's
// totals read them instead of every commitment.
type keptCounts struct {
	made, renegotiated, kept, keptOnTime, missed, withdrawn int
}

const openScanned = 16

// openCommitment returns p's open commitment id, or nil: steps on a
// commitment that is unknown, someone else's or resolved change nothing
// (they stay in the timeline).
// A person has a few open commitments at a time, so they are looked for
// in p.open (which holds exactly p's open commitments) rather than in the
// Set's map of every commitment, whose lookups miss the processor's caches
// on a large org; past openScanned, the map again.
func (s *Set) openCommitment(p *person, id uuid.UUID) *commitment {
	if len(p.open) <= openScanned {
		for _, c := range p.open {
			if c.id == id {
				return c
			}
		}
		return nil
	}
	c := s.commitments[id]
	if c == nil || c.person != p || c.status != statusOpen {
		return nil
	}
	return c
}

func (s *Set) followUp(p *person, i uint32, d *domain.CommitmentFollowedUp) {
	if c := s.openCommitment(p, d.CommitmentID); c != nil {
		c.history, c.last = append(c.history, i), s.steps.at(i).seq
		if d.Progress != nil {
			c.progress, c.hasProgress = *d.Progress, true
		}
	}
}

func (s *Set) renegotiate(p *person, i uint32, d *domain.CommitmentRenegotiated) {
	if c := s.openCommitment(p, d.CommitmentID); c != nil {
		c.history, c.last = append(c.history, i), s.steps.at(i).seq
		c.due = d.NewDueOn
		if c.renegotiated == 0 {
			p.keeping.renegotiated++
		}
		c.renegotiated++
	}
}

func (s *Set) resolve(p *person, i uint32, id uuid.UUID, status string) {
	if c := s.openCommitment(p, id); c != nil {
		st := s.steps.at(i)
		resolved := domain.DateOf(st.occurredAt())
		c.history, c.last = append(c.history, i), st.seq
		c.status = status
		c.resolved, c.resolvedOn = i+1, dayOf(resolved)
		p.open = slices.DeleteFunc(p.open, func(o *commitment) bool { return o == c })
		switch status {
		case statusKept:
			p.keeping.kept++
			if !resolved.After(c.due) { // as life.step decides it
				p.keeping.keptOnTime++
			}
		case statusMissed:
			p.keeping.missed++
		case statusWithdrawn:
			p.keeping.withdrawn++
		}
	}
}

// Commitments returns a person's commitments in the order they were made.
func (s *Set) Commitments(personID uuid.UUID) []Commitment {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.people[personID]
	if p == nil {
		return []Commitment{}
	}
	out := make([]Commitment, len(p.commitments))
	for k, c := range p.commitments {
		out[k] = s.commitmentOf(c)
	}
	return out
}

// OpenCommitments returns a person's open commitments, in the order they
// were made: Commitments without the resolved ones, which it does not build.
func (s *Set) OpenCommitments(personID uuid.UUID) []Commitment {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []Commitment{}
	if p := s.people[personID]; p != nil {
		out = make([]Commitment, 0, len(p.open))
		for _, c := range p.open {
			out = append(out, s.commitmentOf(c))
		}
	}
	return out
}

// Commitment returns one commitment of a person.
func (s *Set) Commitment(personID, commitmentID uuid.UUID) (Commitment, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.commitments[commitmentID]
	if c == nil || c.person.ID != personID {
		return Commitment{}, false
	}
	return s.commitmentOf(c), true
}

func (s *Set) commitmentOf(c *commitment) Commitment {
	made := s.steps.at(c.made)
	d := made.data.(*domain.CommitmentMade)
	out := Commitment{
		ID: c.id, PersonID: c.person.ID, Text: d.Text, Status: c.status, DueOn: c.due,
		OriginalDueOn: d.DueOn, MadeAt: made.occurredAt(), MeetingID: d.MeetingID, Metric: d.Metric,
		Renegotiated: c.renegotiated, Sequence: made.seq, History: s.stepsAt(c.history),
	}
	if c.hasProgress {
		v := c.progress
		out.Progress = &v
	}
	if c.resolved != 0 {
		at := s.steps.at(c.resolved - 1).occurredAt()
		out.ResolvedAt = &at
	}
	return out
}

// commitmentText returns the text of a commitment, for summaries.
func (s *Set) commitmentText(id uuid.UUID) (string, bool) {
	c := s.commitments[id]
	if c == nil {
		return "", false
	}
	return s.steps.at(c.made).data.(*domain.CommitmentMade).Text, true
}

// Meeting is one held meeting, read alone: what meeting.held recorded,
// who recorded it and when, and the commitments made in it.
type Meeting struct {
	domain.MeetingHeld
	PersonID    uuid.UUID    `json:"person_id"`
	Sequence    uint64       `json:"sequence"`
	EventID     uuid.UUID    `json:"event_id"`
	RecordedBy  domain.Actor `json:"recorded_by"`
	RecordedAt  time.Time    `json:"recorded_at"`
	Commitments []uuid.UUID  `json:"commitments"` // made in this meeting (their meeting_id), in order
}

// Meeting returns one meeting held with a person, found among the
// person's events (a person holds few meetings).
func (s *Set) Meeting(personID, meetingID uuid.UUID) (Meeting, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.people[personID]
	if p == nil {
		return Meeting{}, false
	}
	for _, i := range p.steps {
		st := s.steps.at(i)
		d, ok := st.data.(*domain.MeetingHeld)
		if !ok || d.MeetingID != meetingID {
			continue
		}
		m := Meeting{MeetingHeld: *d, PersonID: personID, Sequence: st.seq, EventID: st.id,
			RecordedBy: s.actors[st.actor], RecordedAt: st.recordedAt(), Commitments: []uuid.UUID{}}
		for _, c := range p.commitments {
			if cm := s.steps.at(c.made).data.(*domain.CommitmentMade); cm.MeetingID != nil && *cm.MeetingID == meetingID {
				m.Commitments = append(m.Commitments, cm.CommitmentID)
			}
		}
		return m, true
	}
	return Meeting{}, false
}
