package projections

import "github.com/coachjournal/coachjournal/domain"

// ExpectedCheckIn is one check-in a PIP's schedule expected.
type ExpectedCheckIn struct {
	Due    domain.Date  `json:"due"`
	Done   *domain.Date `json:"done"`   // the day of the check-in that satisfied it
	Status string       `json:"status"` // on_time, late or missed
}

// Schedule returns the check-ins expected up to today, in order, and how
// each was met. The rule:
//
//   - Due dates are starts_on + k*every for k >= 1, up to the last of
//     ends_on, today and, for a closed PIP, the day it closed (occurred_at)
//     — whichever comes first. A due date of today that is not yet met is
//     not listed: the day is not over.
//   - Due dates are settled in order, each by at most one check-in, and a
//     check-in settles at most one due date: the earliest unused check-in
//     dated in (due-every, due] makes it "on_time" (for the first due date,
//     a check-in on starts_on counts too); failing that, the earliest unused
//     check-in dated after due and before the next due date makes it "late"
//     (it stands in for the one missed, so it no longer counts for the next
//     due date); failing both, it is "missed".
func (p PIP) Schedule(today domain.Date) []ExpectedCheckIn {
	out := []ExpectedCheckIn{}
	every := p.CheckInEveryDays
	if every < 1 || p.StartsOn.IsZero() {
		return out
	}
	limit := p.EndsOn
	if today.Before(limit) {
		limit = today
	}
	if p.ClosedAt != nil {
		if closed := domain.DateOf(p.ClosedAt.UTC()); closed.Before(limit) {
			limit = closed
		}
	}
	used := make([]bool, len(p.CheckIns))
	for k := 1; ; k++ {
		due := p.StartsOn.AddDays(k * every)
		if due.After(limit) {
			break
		}
		from := due.AddDays(-every)
		if k == 1 {
			from = from.AddDays(-1) // starts_on itself counts
		}
		e := ExpectedCheckIn{Due: due, Status: "missed"}
		if c := p.firstUnused(used, from, due.AddDays(1)); c >= 0 {
			e.Status = "on_time"
			e.Done = p.use(used, c)
		} else if c := p.firstUnused(used, due, due.AddDays(every)); c >= 0 {
			e.Status = "late"
			e.Done = p.use(used, c)
		} else if !due.Before(today) {
			break // due today, not yet met
		}
		out = append(out, e)
	}
	return out
}

// firstUnused returns the unused check-in with the earliest date in the
// open interval (after, before), or -1.
func (p PIP) firstUnused(used []bool, after, before domain.Date) int {
	best := -1
	for c, ci := range p.CheckIns {
		if used[c] || !ci.On.After(after) || !ci.On.Before(before) {
			continue
		}
		if best < 0 || ci.On.Before(p.CheckIns[best].On) {
			best = c
		}
	}
	return best
}

func (p PIP) use(used []bool, c int) *domain.Date {
	used[c] = true
	on := p.CheckIns[c].On
	return &on
}

// NextDue is the next check-in an active PIP expects from today on: the
// first due date, today or later and at most ends_on, that no check-in has
// settled yet (Schedule's rule). Nil for a closed PIP, or when none is left.
func (p PIP) NextDue(today domain.Date) *domain.Date {
	if p.State != PIPActive {
		return nil
	}
	for _, e := range p.Schedule(p.EndsOn.AddDays(1)) {
		if e.Done == nil && !e.Due.Before(today) {
			due := e.Due
			return &due
		}
	}
	return nil
}

// OverdueSince is the earliest due date of the run of missed check-ins at
// the end of a schedule (as PIP.Schedule returns it): expected, not done,
// and none done since. Nil when the last one expected was met.
func OverdueSince(schedule []ExpectedCheckIn) *domain.Date {
	var since *domain.Date
	for _, e := range schedule {
		switch {
		case e.Done != nil:
			since = nil
		case since == nil:
			due := e.Due
			since = &due
		}
	}
	return since
}
