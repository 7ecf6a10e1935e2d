package projections

import (
	"slices"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// PIP is one performance improvement plan, as HR audits it.
type PIP struct {
	ID                      uuid.UUID         `json:"id"`
	PersonID                uuid.UUID         `json:"person_id"`
	State                   string            `json:"state"`   // active | closed
	Outcome                 *string           `json:"outcome"` // succeeded | not_met | withdrawn | erased once closed
	Reason                  string            `json:"reason"`
	StartsOn                domain.Date       `json:"starts_on"`
	EndsOn                  domain.Date       `json:"ends_on"` // after any extension
	CheckInEveryDays        int               `json:"check_in_every_days"`
	Goals                   []Goal            `json:"goals"`         // the current version's goals, each with its latest status
	GoalVersions            []GoalVersion     `json:"goal_versions"` // 1 = as opened, then each revision
	AwaitingAcknowledgement bool              `json:"awaiting_acknowledgement"`
	Acknowledgements        []Acknowledgement `json:"acknowledgements"`
	CheckIns                []CheckIn         `json:"check_ins"`
	OpenedBy                domain.Actor      `json:"opened_by"`
	OpenedAt                time.Time         `json:"opened_at"` // occurred_at of pip.opened
	ClosedAt                *time.Time        `json:"closed_at"` // occurred_at of pip.closed (or person.erased)
	Steps                   []Step            `json:"steps"`     // every event of this PIP in order
	Sequence                uint64            `json:"-"`         // stream sequence of pip.opened
}

// Goal is a goal of the PIP's current version with its latest check-in
// status (the last recorded check-in that names it; nil before any) and
// that check-in's note for it.
type Goal struct {
	GoalID   uuid.UUID    `json:"goal_id"`
	Text     string       `json:"text"`
	Metric   *string      `json:"metric,omitempty"`
	Target   *float64     `json:"target,omitempty"`
	Status   *string      `json:"status"`
	Note     *string      `json:"note,omitempty"`
	StatusOn *domain.Date `json:"status_on,omitempty"` // the day of the check-in that set Status
}

// GoalVersion is one version of a PIP's goals: 1 as opened, then one per
// revision, with the revision's reason and when it was acknowledged.
type GoalVersion struct {
	Version        int              `json:"version"`
	Goals          []domain.PIPGoal `json:"goals"`
	Reason         *string          `json:"reason,omitempty"` // nil for version 1
	At             time.Time        `json:"at"`               // occurred_at of the opening or revision
	Actor          domain.Actor     `json:"actor"`
	Sequence       uint64           `json:"sequence"`
	AcknowledgedAt *time.Time       `json:"acknowledged_at"`
}

// Acknowledgement is the person's acknowledgement of one goal version.
type Acknowledgement struct {
	At          time.Time `json:"at"` // occurred_at
	Comment     *string   `json:"comment,omitempty"`
	GoalVersion int       `json:"goal_version"`
	RecordedAt  time.Time `json:"recorded_at"`
	Sequence    uint64    `json:"sequence"`
}

// CheckIn is one PIP check-in.
type CheckIn struct {
	On         domain.Date         `json:"on"`
	Note       string              `json:"note"`
	Goals      []domain.GoalStatus `json:"goals"`
	Actor      domain.Actor        `json:"actor"`
	RecordedAt time.Time           `json:"recorded_at"`
	Sequence   uint64              `json:"sequence"`
}

// The states of a PIP.
const (
	PIPActive = "active"
	PIPClosed = "closed"
)

// OutcomeErased is the outcome of a PIP that was active when its person's
// data was erased: it ends there, closed by the erasure, rather than
// staying active with every later check-in missed.
const OutcomeErased = "erased"

// pip is the stored state; texts are read from the stored steps.
type pip struct {
	id       uuid.UUID
	person   *person
	opened   uint32
	closed   uint32 // step index + 1 of pip.closed or person.erased; 0 while active
	endsOn   domain.Date
	versions []pipVersion
	acks     []pipAck
	checkIns []uint32
	steps    []uint32
}

type pipVersion struct {
	step uint32 // pip.opened or pip.revised
	ack  uint32 // step index + 1 of its acknowledgement; 0 if none
}

type pipAck struct {
	step    uint32
	version int
}

func (s *Set) openPIP(p *person, i uint32, d *domain.PIPOpened) {
	if _, dup := s.pips[d.PIPID]; dup {
		return
	}
	x := &pip{id: d.PIPID, person: p, opened: i, endsOn: d.EndsOn,
		versions: []pipVersion{{step: i}}, steps: []uint32{i}}
	s.pips[x.id] = x
	s.pipOrder = append(s.pipOrder, x)
	p.pips = append(p.pips, x)
}

// activePIP returns p's active PIP id, or nil: steps on a PIP that is
// unknown, someone else's or closed change nothing (they stay in the timeline).
func (s *Set) activePIP(p *person, id uuid.UUID) *pip {
	x := s.pips[id]
	if x == nil || x.person != p || x.closed != 0 {
		return nil
	}
	return x
}

// acknowledgePIP counts only the person's own acknowledgement of a version
// not yet acknowledged, as the domain requires.
func (s *Set) acknowledgePIP(p *person, i uint32, e *domain.Event, d *domain.PIPAcknowledged) {
	x := s.activePIP(p, d.PIPID)
	if id, ok := e.Actor.PersonID(); x == nil || !ok || id != p.ID {
		return
	}
	v := &x.versions[len(x.versions)-1]
	if v.ack != 0 {
		return
	}
	v.ack = i + 1
	x.acks = append(x.acks, pipAck{step: i, version: len(x.versions)})
	x.steps = append(x.steps, i)
}

func (s *Set) checkInPIP(p *person, i uint32, d *domain.PIPCheckedIn) {
	if x := s.activePIP(p, d.PIPID); x != nil {
		x.checkIns = append(x.checkIns, i)
		x.steps = append(x.steps, i)
	}
}

func (s *Set) revisePIP(p *person, i uint32, d *domain.PIPRevised) {
	if x := s.activePIP(p, d.PIPID); x != nil {
		x.versions = append(x.versions, pipVersion{step: i})
		x.steps = append(x.steps, i)
	}
}

func (s *Set) extendPIP(p *person, i uint32, d *domain.PIPExtended) {
	if x := s.activePIP(p, d.PIPID); x != nil {
		x.endsOn = d.NewEndsOn
		x.steps = append(x.steps, i)
	}
}

func (s *Set) closePIP(p *person, i uint32, d *domain.PIPClosed) {
	if x := s.activePIP(p, d.PIPID); x != nil {
		x.closed = i + 1
		x.steps = append(x.steps, i)
	}
}

// closePIPsByErasure closes p's active PIPs at step i, the erasure: the
// erasure becomes the PIP's last step.
func (s *Set) closePIPsByErasure(p *person, i uint32) {
	for _, x := range p.pips {
		if x.closed == 0 {
			x.closed = i + 1
			x.steps = append(x.steps, i)
		}
	}
}

// PIP returns one PIP.
func (s *Set) PIP(pipID uuid.UUID) (PIP, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	x := s.pips[pipID]
	if x == nil {
		return PIP{}, false
	}
	return s.pipOf(x), true
}

// PIPPerson returns whose PIP pipID is, without building the PIP (a
// kept PIP page needs only that).
func (s *Set) PIPPerson(pipID uuid.UUID) (uuid.UUID, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if x := s.pips[pipID]; x != nil {
		return x.person.ID, true
	}
	return uuid.Nil, false
}

// PIPs returns the PIPs in state ("" all, "active", "closed"), ordered by
// opening sequence.
func (s *Set) PIPs(state string) []PIP {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []PIP{}
	for _, x := range s.pipOrder {
		if state == "" || state == x.state() {
			out = append(out, s.pipOf(x))
		}
	}
	return out
}

// PIPsOf returns a person's PIPs, ordered by opening sequence.
func (s *Set) PIPsOf(personID uuid.UUID) []PIP {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []PIP{}
	if p := s.people[personID]; p != nil {
		for _, x := range p.pips {
			out = append(out, s.pipOf(x))
		}
	}
	return out
}

func (x *pip) state() string {
	if x.closed != 0 {
		return PIPClosed
	}
	return PIPActive
}

func (s *Set) pipOf(x *pip) PIP {
	opened := s.steps.at(x.opened)
	d := opened.data.(*domain.PIPOpened)
	out := PIP{
		ID: x.id, PersonID: x.person.ID, State: x.state(), Reason: d.Reason,
		StartsOn: d.StartsOn, EndsOn: x.endsOn, CheckInEveryDays: d.CheckInEveryDays,
		GoalVersions:     s.goalVersions(x),
		Acknowledgements: make([]Acknowledgement, len(x.acks)),
		CheckIns:         make([]CheckIn, len(x.checkIns)),
		OpenedBy:         s.actors[opened.actor], OpenedAt: opened.occurredAt(),
		Steps: s.stepsAt(x.steps), Sequence: opened.seq,
	}
	out.AwaitingAcknowledgement = x.closed == 0 && x.versions[len(x.versions)-1].ack == 0
	for k, a := range x.acks {
		st := s.steps.at(a.step)
		out.Acknowledgements[k] = Acknowledgement{
			At: st.occurredAt(), Comment: st.data.(*domain.PIPAcknowledged).Comment,
			GoalVersion: a.version, RecordedAt: st.recordedAt(), Sequence: st.seq,
		}
	}
	for k, i := range x.checkIns {
		st := s.steps.at(i)
		c := st.data.(*domain.PIPCheckedIn)
		out.CheckIns[k] = CheckIn{On: c.On, Note: c.Note, Goals: slices.Clone(c.Goals), Actor: s.actors[st.actor],
			RecordedAt: st.recordedAt(), Sequence: st.seq}
	}
	out.Goals = goalsOf(out.GoalVersions[len(out.GoalVersions)-1].Goals, out.CheckIns)
	if x.closed != 0 {
		st := s.steps.at(x.closed - 1)
		outcome, at := OutcomeErased, st.occurredAt()
		if d, ok := st.data.(*domain.PIPClosed); ok {
			outcome = d.Outcome
		}
		out.Outcome, out.ClosedAt = &outcome, &at
	}
	return out
}

func (s *Set) goalVersions(x *pip) []GoalVersion {
	out := make([]GoalVersion, len(x.versions))
	for k, v := range x.versions {
		st := s.steps.at(v.step)
		gv := GoalVersion{Version: k + 1, At: st.occurredAt(), Actor: s.actors[st.actor], Sequence: st.seq}
		switch d := st.data.(type) {
		case *domain.PIPOpened:
			gv.Goals = slices.Clone(d.Goals)
		case *domain.PIPRevised:
			reason := d.Reason
			gv.Goals, gv.Reason = slices.Clone(d.Goals), &reason
		}
		if v.ack != 0 {
			at := s.steps.at(v.ack - 1).occurredAt()
			gv.AcknowledgedAt = &at
		}
		out[k] = gv
	}
	return out
}

// goalsOf pairs each goal with the latest check-in that names it.
func goalsOf(goals []domain.PIPGoal, checkIns []CheckIn) []Goal {
	out := make([]Goal, len(goals))
	for k, g := range goals {
		out[k] = Goal{GoalID: g.GoalID, Text: g.Text, Metric: g.Metric, Target: g.Target}
	latest:
		for c := len(checkIns) - 1; c >= 0; c-- {
			for _, gs := range checkIns[c].Goals {
				if gs.GoalID == g.GoalID {
					status, on := gs.Status, checkIns[c].On
					out[k].Status, out[k].Note, out[k].StatusOn = &status, gs.Note, &on
					break latest
				}
			}
		}
	}
	return out
}
