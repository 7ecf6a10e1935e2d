package projections

import (
	"slices"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// Keeping is how a person keeps their commitments, as known at AsOf
// (SPEC §3, commitment keeping).
type Keeping struct {
	PersonID    uuid.UUID        `json:"person_id"`
	AsOf        time.Time        `json:"as_of"`
	Today       domain.Date      `json:"today"` // the day overdue is measured on
	Totals      KeepingCounts    `json:"totals"`
	ByMonth     []MonthKeeping   `json:"by_month"`
	Commitments []CommitmentLife `json:"commitments"`
}

// KeepingCounts are the counts and rates of commitment keeping.
type KeepingCounts struct {
	Made         int      `json:"made"`
	Kept         int      `json:"kept"`
	Missed       int      `json:"missed"`
	Withdrawn    int      `json:"withdrawn"`
	Renegotiated int      `json:"renegotiated"` // commitments renegotiated at least once
	Open         int      `json:"open"`
	Overdue      int      `json:"overdue"`
	KeptOnTime   int      `json:"kept_on_time"`
	KeepRate     *float64 `json:"keep_rate"`    // kept / (kept + missed); nil when none is resolved so
	OnTimeRate   *float64 `json:"on_time_rate"` // kept_on_time / kept; nil when none is kept
}

// MonthKeeping is one calendar month of commitment keeping; see
// Set.CommitmentKeeping for which month each count falls in.
type MonthKeeping struct {
	Month string `json:"month"` // YYYY-MM
	KeepingCounts
}

// CommitmentLife is one commitment's life as known at as_of.
type CommitmentLife struct {
	ID            uuid.UUID   `json:"id"`
	Text          string      `json:"text"`
	Status        string      `json:"status"` // open, kept, missed or withdrawn
	DueOn         domain.Date `json:"due_on"` // the due date in force
	OriginalDueOn domain.Date `json:"original_due_on"`
	MadeAt        time.Time   `json:"made_at"`     // occurred_at of commitment.made
	ResolvedAt    *time.Time  `json:"resolved_at"` // occurred_at of the resolution
	Overdue       bool        `json:"overdue"`
	OnTime        *bool       `json:"on_time"` // kept on or before the due date in force; nil unless kept
	Renegotiated  int         `json:"renegotiated"`
	History       []Step      `json:"history"`
}

// life is what the keeping counts need of one commitment, its dates as
// days (so the months are counted in integers).
type life struct {
	made     day         // occurred day of commitment.made
	due      day         // original due date
	renegs   []dueChange // the renegotiations, for the months (a brief life has none)
	nRenegs  int         // how many renegotiations
	now      day         // the due date in force after every renegotiation
	status   string
	resolved day // occurred day of the resolution, while status != open
	onTime   bool
}

type dueChange struct {
	on  day // occurred day of the renegotiation
	due day
}

// dueOn returns the due date in force at the end of d.
func (l *life) dueOn(d day) day {
	due := l.due
	for _, r := range l.renegs {
		if r.on <= d {
			due = r.due
		}
	}
	return due
}

// openOn reports whether l was made on or before d and not resolved by
// its end.
func (l *life) openOn(d day) bool {
	return l.made <= d && (l.status == statusOpen || l.resolved > d)
}

// CommitmentKeeping returns personID's commitment keeping with only what
// was recorded (recorded_at) up to asOf: a commitment made later is absent,
// a step recorded later is not in its history and has no effect, so a
// resolution recorded after asOf leaves the commitment open. The zero asOf
// means everything applied (Keeping.AsOf then stays zero, for the caller to
// fill in from its clock). Overdue is measured on today, or on asOf's day
// (UTC) when that is earlier. An unknown person has no commitments.
//
// Kept on time means the resolution's occurred day is on or before the due
// date in force (after every renegotiation).
//
// ByMonth lists every calendar month (UTC) from the first month anything
// happened to a commitment through today's month, with no gaps. In it:
// made counts in the month of made_at; kept, missed, withdrawn and
// kept_on_time in the month of the resolution's occurred_at (so the rates
// are those of the month's resolutions); renegotiated counts each
// commitment once in every month it was renegotiated in; open and overdue
// are a snapshot at the end of the month's last day (today for the current
// month): made by then, not yet resolved, and for overdue past the due date
// in force that day. Open and overdue therefore do not sum over months.
func (s *Set) CommitmentKeeping(personID uuid.UUID, asOf time.Time, today domain.Date) Keeping {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.commitmentKeeping(personID, asOf, today)
}

// commitmentKeeping builds the keeping of personID (CommitmentKeeping).
func (s *Set) commitmentKeeping(personID uuid.UUID, asOf time.Time, today domain.Date) Keeping {
	asOf = asOf.UTC()
	if d := domain.DateOf(asOf); !asOf.IsZero() && d.Before(today) {
		today = d
	}
	out := Keeping{PersonID: personID, AsOf: asOf, Today: today, ByMonth: []MonthKeeping{}, Commitments: []CommitmentLife{}}
	p := s.people[personID]
	if p == nil {
		out.Totals.rates()
		return out
	}
	out.Commitments = make([]CommitmentLife, 0, len(p.commitments))
	lives := make([]life, 0, len(p.commitments))
	for _, c := range p.commitments {
		cl, l, ok := s.commitmentLife(c, asOf, today, true)
		if !ok {
			continue
		}
		out.Commitments = append(out.Commitments, cl)
		lives = append(lives, l)
		out.Totals.count(&l, dayOf(today))
	}
	out.Totals.rates()
	out.ByMonth = byMonth(lives, today)
	return out
}

// LifePart is one commitment of StampedKeepingParts: its id, the stream
// sequence of its last step (which, with the day overdue is measured on,
// decides its whole CommitmentLife), and the life itself unless the
// caller said it holds it.
type LifePart struct {
	ID   uuid.UUID
	Last uint64
	Life *CommitmentLife // nil when the caller holds this life
}

// StampedKeepingParts is StampedCommitmentKeeping as known now (a zero
// asOf), for a caller that keeps each commitment's life encoded: the
// Keeping comes without Commitments, and the parts list the commitments
// in the order CommitmentKeeping gives them. holds(i, id, last) says
// whether the caller already has the life of the i-th commitment, id, as
// of the step at sequence last; that life is then not built, only counted
// (countedLife). A commitment's life changes only with a step
// of its own and with today, so a life encoded for the same id, last
// sequence and today is this one, byte for byte. holds is called under
// the read lock: it must only look.
func (s *Set) StampedKeepingParts(personID uuid.UUID, today domain.Date, holds func(i int, id uuid.UUID, last uint64) bool) (Keeping, []LifePart, Stamp) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Stamp{seq: s.seq, journals: []uuid.UUID{personID}}
	out := Keeping{PersonID: personID, Today: today, ByMonth: []MonthKeeping{}}
	p := s.people[personID]
	if p == nil {
		out.Totals.rates()
		return out, []LifePart{}, st
	}
	parts := make([]LifePart, 0, len(p.commitments))
	lives := make([]life, 0, len(p.commitments))
	for i, c := range p.commitments {
		part := LifePart{ID: c.id, Last: c.last}
		var l life
		if holds(i, c.id, c.last) {
			l = s.countedLife(c)
		} else {
			cl, whole, _ := s.commitmentLife(c, time.Time{}, today, true) // as known now: always ok
			part.Life, l = &cl, whole
		}
		parts = append(parts, part)
		lives = append(lives, l)
		out.Totals.count(&l, dayOf(today))
	}
	out.Totals.rates()
	out.ByMonth = byMonth(lives, today)
	return out, parts, st
}

// countedLife is c's life as known now, as the keeping counts and months
// need it (commitmentLife's with history), from what the fold keeps: no
// step is read but the renegotiations of a commitment renegotiated.
func (s *Set) countedLife(c *commitment) life {
	l := life{made: c.madeOn, due: c.dueFirst, nRenegs: c.renegotiated, now: dayOf(c.due), status: c.status}
	if c.status != statusOpen {
		l.resolved = c.resolvedOn
		l.onTime = l.resolved <= l.now // no renegotiation follows a resolution
	}
	if c.renegotiated > 0 {
		for _, i := range c.history {
			st := s.steps.at(i)
			if d, ok := st.data.(*domain.CommitmentRenegotiated); ok {
				l.renegs = append(l.renegs, dueChange{on: dayAt(st.occurredAt()), due: dayOf(d.NewDueOn)})
			}
		}
	}
	return l
}

// commitmentLife rebuilds c from its steps recorded up to asOf, with its
// History; ok is false when c itself was recorded later. Without history
// it is the brief life as known now (asOf is then zero): the state the
// fold keeps, and the resolution's day; that life has no renegotiations
// listed, so it does not serve byMonth.
func (s *Set) commitmentLife(c *commitment, asOf time.Time, today domain.Date, history bool) (CommitmentLife, life, bool) {
	made := s.steps.at(c.made)
	if !known(made, asOf) {
		return CommitmentLife{}, life{}, false
	}
	d := made.data.(*domain.CommitmentMade)
	l := life{made: dayAt(made.occurredAt()), due: dayOf(d.DueOn), now: dayOf(d.DueOn), status: statusOpen}
	cl := CommitmentLife{ID: c.id, Text: d.Text, OriginalDueOn: d.DueOn, MadeAt: made.occurredAt(), History: []Step{}}
	if !history {
		// Brief and as known now: the fold keeps the commitment's state,
		// so only its resolution is read, not every follow-up.
		l.nRenegs, l.now, l.status = c.renegotiated, dayOf(c.due), c.status
		cl.Renegotiated = c.renegotiated
		if c.resolved > 0 {
			res := s.steps.at(c.resolved - 1)
			at := res.occurredAt()
			l.resolved = dayAt(at)
			l.onTime = l.resolved <= l.now // no renegotiation follows a resolution
			cl.ResolvedAt = &at
		}
	} else {
		for _, i := range c.history {
			st := s.steps.at(i)
			if !known(st, asOf) {
				continue
			}
			cl.History = append(cl.History, s.stepAt(i))
			l.step(st, &cl)
		}
	}
	cl.Status, cl.DueOn = l.status, l.now.date()
	cl.Overdue = l.status == statusOpen && l.now < dayOf(today)
	if l.status == statusKept {
		onTime := l.onTime
		cl.OnTime = &onTime
	}
	return cl, l, true
}

// step folds one history step into l and cl.
func (l *life) step(st *step, cl *CommitmentLife) {
	at := st.occurredAt()
	on := dayAt(at)
	status := ""
	switch d := st.data.(type) {
	case *domain.CommitmentRenegotiated:
		l.renegs = append(l.renegs, dueChange{on: on, due: dayOf(d.NewDueOn)})
		l.nRenegs++
		l.now = dayOf(d.NewDueOn)
		cl.Renegotiated++
		return
	case *domain.CommitmentKept:
		status = statusKept
	case *domain.CommitmentMissed:
		status = statusMissed
	case *domain.CommitmentWithdrawn:
		status = statusWithdrawn
	default:
		return
	}
	l.status, l.resolved, l.onTime = status, on, on <= l.now
	cl.ResolvedAt = &at
}

// count adds one commitment's current state.
func (k *KeepingCounts) count(l *life, today day) {
	k.Made++
	if l.nRenegs > 0 {
		k.Renegotiated++
	}
	k.resolution(l)
	if l.status == statusOpen {
		k.Open++
		if l.now < today {
			k.Overdue++
		}
	}
}

func (k *KeepingCounts) resolution(l *life) {
	switch l.status {
	case statusKept:
		k.Kept++
		if l.onTime {
			k.KeptOnTime++
		}
	case statusMissed:
		k.Missed++
	case statusWithdrawn:
		k.Withdrawn++
	}
}

// rates sets the rates from the counts.
func (k *KeepingCounts) rates() {
	k.KeepRate, k.OnTimeRate = ratio(k.Kept, k.Kept+k.Missed), ratio(k.KeptOnTime, k.Kept)
}

// ratio returns n/d, or nil when d is 0.
func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	r := float64(n) / float64(d)
	return &r
}

// byMonth returns the monthly counts, as CommitmentKeeping documents.
func byMonth(lives []life, today domain.Date) []MonthKeeping {
	if len(lives) == 0 {
		return []MonthKeeping{}
	}
	first, last := dayOf(today), dayOf(today)
	widen := func(d day) {
		first, last = min(first, d), max(last, d)
	}
	for k := range lives {
		l := &lives[k]
		widen(l.made)
		if l.status != statusOpen {
			widen(l.resolved)
		}
		for _, r := range l.renegs {
			widen(r.on)
		}
	}
	// The months from first's to last's, each by its first day.
	var starts []day
	for m := domain.MonthPeriod(first.date()); dayOf(m.Start()) <= last; m = domain.MonthPeriod(m.End().AddDays(1)) {
		starts = append(starts, dayOf(m.Start()))
	}
	index := func(d day) int { // the month d lies in
		i, _ := slices.BinarySearch(starts, d+1)
		return i - 1
	}
	out := make([]MonthKeeping, len(starts))
	end := dayOf(today)
	for i := range starts {
		out[i].Month = domain.MonthPeriod(starts[i].date()).String()
		last := end
		if i+1 < len(starts) && starts[i+1]-1 < end {
			last = starts[i+1] - 1
		}
		for k := range lives {
			out[i].snapshot(&lives[k], last)
		}
	}
	for k := range lives {
		l := &lives[k]
		out[index(l.made)].Made++
		if l.status != statusOpen {
			out[index(l.resolved)].resolution(l)
		}
		seen := -1
		for _, r := range l.renegs {
			if m := index(r.on); m != seen {
				out[m].Renegotiated++
				seen = m
			}
		}
	}
	for k := range out {
		out[k].rates()
	}
	return out
}

// snapshot counts l in open and overdue if it was open at the end of d.
func (k *KeepingCounts) snapshot(l *life, d day) {
	if l.openOn(d) {
		k.Open++
		if l.dueOn(d) < d {
			k.Overdue++
		}
	}
}
