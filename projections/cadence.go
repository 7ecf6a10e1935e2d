package projections

import (
	"slices"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// DefaultCadenceDays is the cadence of a manager who never set one.
const DefaultCadenceDays = 7

// Cadence is how a manager keeps the meeting cadence with each direct
// report over the days From..To (both included), and how every leader
// below them keeps theirs (SPEC §3, cadence).
type Cadence struct {
	From domain.Date `json:"from"`
	To   domain.Date `json:"to"`
	LeaderCadence
	Leaders []LeaderCadence `json:"leaders"` // every manager below, with at least one direct report: depth first, in registration order
}

// LeaderCadence is one manager's cadence with their direct reports.
type LeaderCadence struct {
	ManagerID uuid.UUID      `json:"manager_id"`
	Name      string         `json:"name"`
	ReportsTo *uuid.UUID     `json:"reports_to"`
	EveryDays int            `json:"every_days"` // the cadence in force on To
	Cadences  []CadenceSpan  `json:"cadences"`   // every cadence in force during the range, from From on
	Summary   CadenceSummary `json:"summary"`
	Rows      []CadenceRow   `json:"rows"` // one per direct report, in registration order
}

// CadenceSpan is a cadence in force from a day on.
type CadenceSpan struct {
	EveryDays int         `json:"every_days"`
	From      domain.Date `json:"from"`
	Set       bool        `json:"set"` // false for the default of 7 days
}

// CadenceCounts are the cadence numbers of one report, or summed over a
// manager's reports.
type CadenceCounts struct {
	Windows             int      `json:"windows"`              // complete cadence windows in the range
	WindowsMet          int      `json:"windows_met"`          // windows holding at least one performance meeting
	Compliance          *float64 `json:"compliance"`           // windows_met / windows; nil without windows
	PerformanceMeetings int      `json:"performance_meetings"` // performance meetings held by the manager
	PipelineReviews     int      `json:"pipeline_reviews"`     // pipeline meetings held by the manager: they do not count as performance discussions
	PipelineShare       *float64 `json:"pipeline_share"`       // pipeline_reviews / (pipeline_reviews + performance_meetings)
	Skipped             int      `json:"skipped"`              // meeting.skipped scheduled in the range
	Unconfirmed         int      `json:"unconfirmed"`          // meetings with the manager in the range that someone else recorded (the rep, a skip-level): shown, never counted
	LongestGapDays      *int     `json:"longest_gap_days"`     // nil for an empty range
}

// CadenceSummary sums a manager's rows; its longest gap is the longest of
// any report.
type CadenceSummary struct {
	Reports int `json:"reports"`
	CadenceCounts
	MostDaysSinceLast *int `json:"most_days_since_last_meeting"` // the longest any report has waited on To; nil without reports
	Overdue           int  `json:"overdue"`                      // reports whose wait on To is longer than the cadence
}

// CadenceRow is one direct report's cadence with their manager.
type CadenceRow struct {
	PersonID uuid.UUID   `json:"person_id"`
	Name     string      `json:"name"`
	From     domain.Date `json:"from"` // later than the range's when the report came under this manager later
	To       domain.Date `json:"to"`   // earlier than the range's when the report departed
	CadenceCounts
	LastMeeting   *domain.Date    `json:"last_meeting"`            // last performance meeting with this manager on or before To, in or before the range
	DaysSinceLast *int            `json:"days_since_last_meeting"` // days from the last performance meeting, else from the row's first day, to To
	Overdue       bool            `json:"overdue"`                 // DaysSinceLast is more than the cadence in force on To
	MissedWindows []CadenceWindow `json:"missed_windows"`          // the complete windows without a performance meeting
}

// CadenceWindow is one cadence window, both days included.
type CadenceWindow struct {
	From domain.Date `json:"from"`
	To   domain.Date `json:"to"`
}

// Cadence returns managerID's cadence over from..to (both included) and
// that of every leader below them in the current org tree. The rules:
//
//   - The cadence in force on a day is the last cadence.set on the
//     manager's journal whose occurred_at day (UTC) is on or before it,
//     else DefaultCadenceDays.
//   - A row is one current direct report. It covers from..to cut to the
//     time the report has been under this manager: from the occurred day of
//     the manager change that put them there or, for someone registered with
//     this manager, from the earlier of the registration day and their first
//     recorded meeting (held or skipped), so history entered after the fact
//     counts; and up to the day they departed.
//   - A meeting counts for this manager when its with_id is the manager:
//     a meeting with anyone else (a skip-level, a previous manager) does not.
//     And it counts only when the manager, HR or an admin recorded it (the
//     event's actor, SPEC §4: cadence counts what leaders did): a meeting
//     that the rep, or anyone else, recorded with the manager is
//     "unconfirmed", counted apart and in nothing else, so a rep cannot
//     make her manager's cadence look kept. There is no confirmation
//     event: the leader confirms such a meeting by recording it themselves.
//     Its day is held_at's day (UTC). Performance meetings are the 1-on-1s;
//     pipeline meetings are counted apart and never satisfy a window.
//     Skipped meetings (which name no leader) count when scheduled in the row.
//   - Windows are consecutive, each as long as the cadence in force on its
//     first day, starting at the row's first day. Only complete windows are
//     counted: a trailing partial window is not over yet, so it counts
//     neither for nor against (its meetings still count as held).
//   - The wait is the days from the last performance meeting with this
//     manager (in the range or before it) to the row's last day, or from
//     the row's first day without one; it is overdue when it is longer
//     than the cadence in force on that day.
//   - The longest gap is the most days between consecutive points of: the
//     row's first day, each performance meeting day, the row's last day. No
//     meeting at all makes it the row's length in days minus one.
func (s *Set) Cadence(managerID uuid.UUID, from, to domain.Date) Cadence {
	s.mu.RLock()
	defer s.mu.RUnlock()
	children := map[uuid.UUID][]*person{}
	for _, p := range s.order {
		if p.ManagerID != nil {
			children[*p.ManagerID] = append(children[*p.ManagerID], p)
		}
	}
	out := Cadence{From: from, To: to, LeaderCadence: s.leaderCadence(managerID, children[managerID], from, to), Leaders: []LeaderCadence{}}
	seen := map[uuid.UUID]bool{managerID: true}
	var walk func(ps []*person)
	walk = func(ps []*person) {
		for _, p := range ps {
			if seen[p.ID] {
				continue // a cycle, which the domain forbids
			}
			seen[p.ID] = true
			if len(children[p.ID]) > 0 {
				out.Leaders = append(out.Leaders, s.leaderCadence(p.ID, children[p.ID], from, to))
			}
			walk(children[p.ID])
		}
	}
	walk(children[managerID])
	return out
}

func (s *Set) leaderCadence(id uuid.UUID, reports []*person, from, to domain.Date) LeaderCadence {
	cad := s.cadenceOf(id)
	out := LeaderCadence{ManagerID: id, EveryDays: cad.on(to), Cadences: cad.spans(from, to), Rows: []CadenceRow{}}
	if m := s.people[id]; m != nil {
		out.Name, out.ReportsTo = m.Name, m.ManagerID
	}
	for _, r := range reports {
		row := s.cadenceRow(id, r, from, to, cad)
		out.Rows = append(out.Rows, row)
		out.Summary.add(&row.CadenceCounts)
		if d := row.DaysSinceLast; d != nil && (out.Summary.MostDaysSinceLast == nil || *d > *out.Summary.MostDaysSinceLast) {
			out.Summary.MostDaysSinceLast = ptrTo(*d)
		}
		if row.Overdue {
			out.Summary.Overdue++
		}
	}
	out.Summary.Reports = len(out.Rows)
	out.Summary.rates()
	return out
}

// cadenceRow measures report r with manager m.
func (s *Set) cadenceRow(m uuid.UUID, r *person, from, to domain.Date, cad cadences) CadenceRow {
	row := CadenceRow{PersonID: r.ID, Name: r.Name, From: from, To: to, MissedWindows: []CadenceWindow{}}
	if start := s.stintStart(m, r); start.After(row.From) {
		row.From = start
	}
	if r.DepartedOn != nil && r.DepartedOn.Before(row.To) {
		row.To = *r.DepartedOn
	}
	perf := s.meetingsWith(m, r, &row)
	row.since(cad.on(row.To))
	if row.From.After(row.To) {
		row.rates()
		return row
	}
	next := 0 // perf[next] is the first meeting not before the window
	for start := row.From; ; {
		end := start.AddDays(cad.on(start) - 1)
		if end.After(row.To) {
			break
		}
		for next < len(perf) && perf[next].Before(start) {
			next++
		}
		row.Windows++
		if next < len(perf) && !perf[next].After(end) {
			row.WindowsMet++
		} else {
			row.MissedWindows = append(row.MissedWindows, CadenceWindow{From: start, To: end})
		}
		start = end.AddDays(1)
	}
	gap := longestGap(row.From, row.To, perf)
	row.LongestGapDays = &gap
	row.rates()
	return row
}

// since measures the wait on the row's last day: from the last performance
// meeting, else from the row's first day (none in an empty row), against a
// cadence of every days.
func (row *CadenceRow) since(every int) {
	start := row.From
	if row.LastMeeting != nil {
		start = *row.LastMeeting
	} else if row.From.After(row.To) {
		return
	}
	d := start.DaysUntil(row.To)
	row.DaysSinceLast, row.Overdue = &d, d > every
}

// Missed is the number of complete cadence windows without a performance
// meeting (for a weekly cadence, the weeks missed).
func (c CadenceCounts) Missed() int { return c.Windows - c.WindowsMet }

// meetingsWith counts r's meetings with m into row and returns the sorted
// days of the performance meetings in the row's range.
func (s *Set) meetingsWith(m uuid.UUID, r *person, row *CadenceRow) []domain.Date {
	var perf []domain.Date
	in := func(d domain.Date) bool { return !d.Before(row.From) && !d.After(row.To) }
	for _, i := range r.cadence.meetings {
		switch d := s.steps.at(i).data.(type) {
		case *domain.MeetingSkipped:
			if in(d.ScheduledFor) {
				row.Skipped++
			}
		case *domain.MeetingHeld:
			day := domain.DateOf(d.HeldAt.UTC())
			if d.WithID != m {
				continue // with someone else: not this manager's cadence
			}
			if !s.recordedBy(i, m) {
				if in(day) {
					row.Unconfirmed++
				}
				continue
			}
			switch d.Kind {
			case "pipeline":
				if in(day) {
					row.PipelineReviews++
				}
			case "performance":
				if !day.After(row.To) && (row.LastMeeting == nil || day.After(*row.LastMeeting)) {
					row.LastMeeting = &day
				}
				if in(day) {
					perf = append(perf, day)
				}
			}
		}
	}
	row.PerformanceMeetings = len(perf)
	slices.SortFunc(perf, func(a, b domain.Date) int { return a.Time().Compare(b.Time()) })
	return perf
}

// recordedBy reports whether the event at step i was recorded by leader m,
// HR or an admin: whether a meeting it holds counts for m's cadence.
func (s *Set) recordedBy(i uint32, m uuid.UUID) bool {
	a := s.actors[s.steps.at(i).actor]
	if a.Role == domain.RoleHR || a.Role == domain.RoleAdmin {
		return true
	}
	id, ok := a.PersonID()
	return ok && id == m
}

// stintStart returns the day r came under their current manager m, as
// Cadence documents; a meeting that does not count for m does not move it.
func (s *Set) stintStart(m uuid.UUID, r *person) domain.Date {
	st := s.steps.at(r.cadence.joined)
	start := domain.DateOf(st.occurredAt())
	if _, moved := st.data.(*domain.ManagerChanged); moved {
		return start
	}
	for _, i := range r.cadence.meetings {
		var day domain.Date
		switch d := s.steps.at(i).data.(type) {
		case *domain.MeetingHeld:
			if !s.recordedBy(i, m) {
				continue
			}
			day = domain.DateOf(d.HeldAt.UTC())
		case *domain.MeetingSkipped:
			day = d.ScheduledFor
		}
		if day.Before(start) {
			start = day
		}
	}
	return start
}

// longestGap returns the most days between consecutive points of from,
// the sorted days, to.
func longestGap(from, to domain.Date, days []domain.Date) int {
	longest, prev := 0, from
	for _, d := range append(days, to) {
		longest = max(longest, prev.DaysUntil(d))
		prev = d
	}
	return longest
}

func (c *CadenceCounts) add(o *CadenceCounts) {
	c.Windows += o.Windows
	c.WindowsMet += o.WindowsMet
	c.PerformanceMeetings += o.PerformanceMeetings
	c.PipelineReviews += o.PipelineReviews
	c.Skipped += o.Skipped
	c.Unconfirmed += o.Unconfirmed
	if o.LongestGapDays != nil && (c.LongestGapDays == nil || *o.LongestGapDays > *c.LongestGapDays) {
		g := *o.LongestGapDays
		c.LongestGapDays = &g
	}
}

func (c *CadenceCounts) rates() {
	c.Compliance = ratio(c.WindowsMet, c.Windows)
	c.PipelineShare = ratio(c.PipelineReviews, c.PipelineReviews+c.PerformanceMeetings)
}

// cadences are the cadence.set of one manager, in stream order.
type cadences []cadenceChange

type cadenceChange struct {
	on    domain.Date // occurred day
	every int
}

func (s *Set) cadenceOf(manager uuid.UUID) cadences {
	m := s.people[manager]
	if m == nil {
		return nil
	}
	var out cadences
	for _, i := range m.cadence.cadences {
		st := s.steps.at(i)
		if d, ok := st.data.(*domain.CadenceSet); ok && d.EveryDays > 0 {
			out = append(out, cadenceChange{on: domain.DateOf(st.occurredAt()), every: d.EveryDays})
		}
	}
	return out
}

// on returns the cadence in force on day.
func (c cadences) on(day domain.Date) int {
	every, _ := c.at(day)
	return every
}

func (c cadences) at(day domain.Date) (every int, set bool) {
	every = DefaultCadenceDays
	for _, ch := range c {
		if !ch.on.After(day) {
			every, set = ch.every, true
		}
	}
	return every, set
}

// spans returns the cadences in force from from to to.
func (c cadences) spans(from, to domain.Date) []CadenceSpan {
	every, set := c.at(from)
	out := []CadenceSpan{{EveryDays: every, From: from, Set: set}}
	for _, ch := range c {
		if !ch.on.After(from) || ch.on.After(to) {
			continue
		}
		every, _ := c.at(ch.on)
		if last := &out[len(out)-1]; !last.From.Before(ch.on) {
			last.EveryDays = every
		} else if last.EveryDays != every || !last.Set {
			out = append(out, CadenceSpan{EveryDays: every, From: ch.on, Set: true})
		}
	}
	return out
}

func ptrTo[T any](v T) *T { return &v }
