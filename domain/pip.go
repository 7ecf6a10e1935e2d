package domain

import (
	"strconv"

	"github.com/google/uuid"
)

// PIP length and check-in bounds.
const (
	MinPIPDays = 14
	MaxPIPDays = 180
	maxGoals   = 20
)

// GoalInput is one goal of an OpenPIP or RevisePIP command. In a revision a
// goal may keep an existing goal_id; new goals get a fresh one.
type GoalInput struct {
	GoalID *string  `json:"goal_id"`
	Text   string   `json:"text"`
	Metric *string  `json:"metric"`
	Target *float64 `json:"target"`
}

// notOnSelf forbids the person on a PIP from managing it.
func notOnSelf(j *Journal, m Meta) error {
	if j.isPerson(m.Actor) {
		return Errorf(KindForbidden, "a person cannot manage their own PIP")
	}
	return nil
}

func (p *Problems) goals(goals []GoalInput, existing map[uuid.UUID]bool) []PIPGoal {
	if len(goals) == 0 || len(goals) > maxGoals {
		p.Add("goals", "must hold 1 to %d goals", maxGoals)
	}
	out := make([]PIPGoal, 0, len(goals))
	seen := map[uuid.UUID]bool{}
	for i, g := range goals {
		f := "goals[" + strconv.Itoa(i) + "]"
		pg := PIPGoal{GoalID: newID(), Text: p.note(f+".text", g.Text), Metric: g.Metric, Target: g.Target}
		if g.GoalID != nil {
			id := p.id(f+".goal_id", *g.GoalID)
			if !existing[id] {
				p.Add(f+".goal_id", "names no goal of this PIP")
			} else if seen[id] {
				p.Add(f+".goal_id", "repeats goal %s", id)
			}
			seen[id] = true
			pg.GoalID = id
		}
		if g.Metric != nil {
			p.metricKey(f+".metric", *g.Metric)
		}
		if g.Target != nil {
			p.number(f+".target", *g.Target, 0, 1e15)
		}
		out = append(out, pg)
	}
	return out
}

// OpenPIP starts a performance improvement plan. Rules:
//  1. not by the person themselves (403);
//  2. at most one active PIP per person (409);
//  3. ends_on is 14–180 days after starts_on; check-ins every 1–31 days (default 7);
//  4. 1–20 goals, each with a text.
type OpenPIP struct {
	Reason           string      `json:"reason"`
	StartsOn         string      `json:"starts_on"`
	EndsOn           string      `json:"ends_on"`
	CheckInEveryDays *int        `json:"check_in_every_days"`
	Goals            []GoalInput `json:"goals"`
}

func (c OpenPIP) decide(j *Journal, m Meta) (Data, error) {
	if err := notOnSelf(j, m); err != nil {
		return nil, err
	}
	var p Problems
	d := &PIPOpened{
		PIPID: newID(), Reason: p.note("reason", c.Reason),
		StartsOn: p.date("starts_on", c.StartsOn), EndsOn: p.date("ends_on", c.EndsOn),
		CheckInEveryDays: 7, Goals: p.goals(c.Goals, nil),
	}
	if c.CheckInEveryDays != nil {
		if *c.CheckInEveryDays < 1 || *c.CheckInEveryDays > 31 {
			p.Add("check_in_every_days", "must be between 1 and 31")
		}
		d.CheckInEveryDays = *c.CheckInEveryDays
	}
	if !d.StartsOn.IsZero() && !d.EndsOn.IsZero() {
		if n := d.StartsOn.DaysUntil(d.EndsOn); n < MinPIPDays || n > MaxPIPDays {
			p.Add("ends_on", "must be %d to %d days after starts_on (is %d)", MinPIPDays, MaxPIPDays, n)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if j.activePIP != uuid.Nil {
		return nil, Errorf(KindConflict, "person already has an active PIP %s", j.activePIP)
	}
	return d, nil
}

// pip returns the PIP's state, or NotFound / Conflict when it does
// not exist or is closed.
func (j *Journal) pip(id uuid.UUID, mustBeActive bool) (*pipState, error) {
	p := j.pips[id]
	if p == nil {
		return nil, Errorf(KindNotFound, "no PIP %s", id)
	}
	if mustBeActive && !p.active {
		return nil, Errorf(KindConflict, "PIP %s is closed", id)
	}
	return p, nil
}

// AcknowledgePIP records that the person read the PIP's current goals; only
// the person on the PIP may, once per version of the goals.
type AcknowledgePIP struct {
	PIPID   uuid.UUID `json:"-"`
	Comment *string   `json:"comment"`
}

func (c AcknowledgePIP) decide(j *Journal, m Meta) (Data, error) {
	if !j.isPerson(m.Actor) {
		return nil, Errorf(KindForbidden, "only the person on the PIP may acknowledge it")
	}
	var p Problems
	d := &PIPAcknowledged{PIPID: c.PIPID, Comment: p.optNote("comment", c.Comment)}
	if err := p.Err(); err != nil {
		return nil, err
	}
	st, err := j.pip(c.PIPID, true)
	if err != nil {
		return nil, err
	}
	if !st.awaitingAck {
		return nil, Errorf(KindConflict, "PIP %s is already acknowledged in its current version", c.PIPID)
	}
	return d, nil
}

// GoalStatusInput is one goal's status in a CheckInPIP command.
type GoalStatusInput struct {
	GoalID string  `json:"goal_id"`
	Status string  `json:"status"`
	Note   *string `json:"note"`
}

// CheckInPIP records a check-in on an active PIP: on a day between its start
// and today, with a status for goals of its current version.
type CheckInPIP struct {
	PIPID uuid.UUID         `json:"-"`
	On    string            `json:"on"`
	Note  string            `json:"note"`
	Goals []GoalStatusInput `json:"goals"`
}

func (c CheckInPIP) decide(j *Journal, m Meta) (Data, error) {
	if err := notOnSelf(j, m); err != nil {
		return nil, err
	}
	st, err := j.pip(c.PIPID, true)
	if err != nil {
		return nil, err
	}
	var p Problems
	d := &PIPCheckedIn{PIPID: c.PIPID, On: p.date("on", c.On), Note: p.note("note", c.Note)}
	if !d.On.IsZero() && (d.On.Before(st.startsOn) || d.On.After(m.today())) {
		p.Add("on", "must be between the PIP's start %s and today", st.startsOn)
	}
	if len(c.Goals) > maxGoals {
		p.Add("goals", "must hold at most %d goals", maxGoals)
	}
	seen := map[uuid.UUID]bool{}
	for i, g := range c.Goals {
		f := "goals[" + strconv.Itoa(i) + "]"
		gs := GoalStatus{GoalID: p.id(f+".goal_id", g.GoalID), Note: p.optNote(f+".note", g.Note)}
		switch {
		case gs.GoalID == uuid.Nil: // already reported
		case !st.goals[gs.GoalID]:
			p.Add(f+".goal_id", "names no current goal of this PIP")
		case seen[gs.GoalID]:
			p.Add(f+".goal_id", "repeats goal %s", gs.GoalID)
		}
		seen[gs.GoalID] = true
		gs.Status = p.oneOf(f+".status", g.Status, "on_track", "at_risk", "met", "not_met")
		d.Goals = append(d.Goals, gs)
	}
	return d, p.Err()
}

// RevisePIP replaces an active PIP's goals; the PIP then awaits a new
// acknowledgement.
type RevisePIP struct {
	PIPID  uuid.UUID   `json:"-"`
	Goals  []GoalInput `json:"goals"`
	Reason string      `json:"reason"`
}

func (c RevisePIP) decide(j *Journal, m Meta) (Data, error) {
	if err := notOnSelf(j, m); err != nil {
		return nil, err
	}
	st, err := j.pip(c.PIPID, true)
	if err != nil {
		return nil, err
	}
	var p Problems
	d := &PIPRevised{PIPID: c.PIPID, Reason: p.note("reason", c.Reason), Goals: p.goals(c.Goals, st.goals)}
	return d, p.Err()
}

// ExtendPIP moves an active PIP's end later, at most 180 days after its start.
type ExtendPIP struct {
	PIPID     uuid.UUID `json:"-"`
	NewEndsOn string    `json:"new_ends_on"`
	Reason    string    `json:"reason"`
}

func (c ExtendPIP) decide(j *Journal, m Meta) (Data, error) {
	if err := notOnSelf(j, m); err != nil {
		return nil, err
	}
	st, err := j.pip(c.PIPID, true)
	if err != nil {
		return nil, err
	}
	var p Problems
	d := &PIPExtended{PIPID: c.PIPID, NewEndsOn: p.date("new_ends_on", c.NewEndsOn), Reason: p.note("reason", c.Reason)}
	if !d.NewEndsOn.IsZero() {
		if !d.NewEndsOn.After(st.endsOn) {
			p.Add("new_ends_on", "must be after the current end %s", st.endsOn)
		} else if st.startsOn.DaysUntil(d.NewEndsOn) > MaxPIPDays {
			p.Add("new_ends_on", "must be at most %d days after the start %s", MaxPIPDays, st.startsOn)
		}
	}
	return d, p.Err()
}

// ClosePIP ends an active PIP with an outcome: succeeded, not_met or withdrawn.
type ClosePIP struct {
	PIPID   uuid.UUID `json:"-"`
	Outcome string    `json:"outcome"`
	Note    string    `json:"note"`
}

func (c ClosePIP) decide(j *Journal, m Meta) (Data, error) {
	if err := notOnSelf(j, m); err != nil {
		return nil, err
	}
	if _, err := j.pip(c.PIPID, true); err != nil {
		return nil, err
	}
	var p Problems
	d := &PIPClosed{PIPID: c.PIPID, Outcome: p.oneOf("outcome", c.Outcome, "succeeded", "not_met", "withdrawn"), Note: p.note("note", c.Note)}
	return d, p.Err()
}
