package projections

import (
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

// life is what the keeping counts need of one commitment.
type life struct {
	made     domain.Date // occurred day of commitment.made
	due      domain.Date // original due date
	renegs   []dueChange // the renegotiations, for the months (a brief life has none)
	nRenegs  int         // how many renegotiations
	now      domain.Date // the due date in force after every renegotiation
	status   string
	resolved domain.Date // occurred day of the resolution, while status != open
	onTime   bool
}

type dueChange struct {
	on  domain.Date // occurred day of the renegotiation
	due domain.Date
}

// current returns the due date in force after every renegotiation.
func (l *life) current() domain.Date { return l.now }

// dueOn returns the due date in force at the end of day.
func (l *life) dueOn(day domain.Date) domain.Date {
	due := l.due
	for _, r := range l.renegs {
		if !r.on.After(day) {
			due = r.due
		}
	}
	return due
}

// openOn reports whether l was made on or before day and not resolved by
// its end.
func (l *life) openOn(day domain.Date) bool {
	return !l.made.After(day) && (l.status == statusOpen || l.resolved.After(day))
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
		cl, l, ok := s.commitmentLife(c, asOf, today, lifeWhole)
		if !ok {
			continue
		}
		out.Commitments = append(out.Commitments, cl)
		lives = append(lives, l)
		out.Totals.count(&l, today)
	}
	out.Totals.rates()
	out.ByMonth = byMonth(lives, today)
	return out
}

// lifeDetail is how much of a commitment's life commitmentLife builds.
type lifeDetail uint8

const (
	lifeBrief  lifeDetail = iota // as known now, from the state the fold keeps and the resolution
	lifeFolded                   // every step folded into the life, no History built
	lifeWhole                    // every step folded, and History
)

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
// Keeping comes without Commitments, and Lives lists the commitments in
// the order CommitmentKeeping gives them. holds(i, id, last) says whether
// the caller already has the life of the i-th commitment, id, as of the
// step at sequence last; that life is then not built (its steps are only
// folded into the counts). A commitment's life changes only with a step
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
		part := LifePart{ID: c.id, Last: s.steps.at(c.history[len(c.history)-1]).seq}
		detail := lifeWhole
		if holds(i, part.ID, part.Last) {
			detail = lifeFolded
		}
		cl, l, _ := s.commitmentLife(c, time.Time{}, today, detail) // as known now: always ok
		if detail == lifeWhole {
			part.Life = &cl
		}
		parts = append(parts, part)
		lives = append(lives, l)
		out.Totals.count(&l, today)
	}
	out.Totals.rates()
	out.ByMonth = byMonth(lives, today)
	return out, parts, st
}

// commitmentLife rebuilds c from its steps recorded up to asOf, with its
// History when detail is lifeWhole; ok is false when c itself was
// recorded later. A brief life is as known now (asOf is then zero): the
// state the fold keeps, and the resolution's day; its life has no
// renegotiations listed, so it does not serve byMonth.
func (s *Set) commitmentLife(c *commitment, asOf time.Time, today domain.Date, detail lifeDetail) (CommitmentLife, life, bool) {
	made := s.steps.at(c.made)
	if !known(made, asOf) {
		return CommitmentLife{}, life{}, false
	}
	d := made.data.(*domain.CommitmentMade)
	l := life{made: domain.DateOf(made.occurredAt()), due: d.DueOn, now: d.DueOn, status: statusOpen}
	cl := CommitmentLife{ID: c.id, Text: d.Text, OriginalDueOn: d.DueOn, MadeAt: made.occurredAt(), History: []Step{}}
	if detail == lifeBrief {
		// Brief and as known now: the fold keeps the commitment's state,
		// so only its resolution is read, not every follow-up.
		l.nRenegs, l.now, l.status = c.renegotiated, c.due, c.status
		cl.Renegotiated = c.renegotiated
		if c.resolved > 0 {
			res := s.steps.at(c.resolved - 1)
			at := res.occurredAt()
			l.resolved = domain.DateOf(at)
			l.onTime = !l.resolved.After(l.now) // no renegotiation follows a resolution
			cl.ResolvedAt = &at
		}
	} else {
		for _, i := range c.history {
			st := s.steps.at(i)
			if !known(st, asOf) {
				continue
			}
			if detail == lifeWhole {
				cl.History = append(cl.History, s.stepAt(i))
			}
			l.step(st, &cl)
		}
	}
	cl.Status, cl.DueOn = l.status, l.current()
	cl.Overdue = l.status == statusOpen && cl.DueOn.Before(today)
	if l.status == statusKept {
		onTime := l.onTime
		cl.OnTime = &onTime
	}
	return cl, l, true
}

// step folds one history step into l and cl.
func (l *life) step(st *step, cl *CommitmentLife) {
	at := st.occurredAt()
	day := domain.DateOf(at)
	status := ""
	switch d := st.data.(type) {
	case *domain.CommitmentRenegotiated:
		l.renegs = append(l.renegs, dueChange{on: day, due: d.NewDueOn})
		l.nRenegs++
		l.now = d.NewDueOn
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
	l.status, l.resolved, l.onTime = status, day, !day.After(l.current())
	cl.ResolvedAt = &at
}

// count adds one commitment's current state.
func (k *KeepingCounts) count(l *life, today domain.Date) {
	k.Made++
	if l.nRenegs > 0 {
		k.Renegotiated++
	}
	k.resolution(l)
	if l.status == statusOpen {
		k.Open++
		if l.current().Before(today) {
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
	out := []MonthKeeping{}
	if len(lives) == 0 {
		return out
	}
	first, last := today, today
	for k := range lives {
		for _, d := range lives[k].days() {
			if d.Before(first) {
				first = d
			}
			if d.After(last) {
				last = d
			}
		}
	}
	index := map[domain.Period]int{}
	for m := domain.MonthPeriod(first); !m.Start().After(last); m = domain.MonthPeriod(m.End().AddDays(1)) {
		index[m] = len(out)
		out = append(out, MonthKeeping{Month: m.String()})
		end := m.End()
		if today.Before(end) {
			end = today
		}
		for k := range lives {
			out[len(out)-1].snapshot(&lives[k], end)
		}
	}
	for k := range lives {
		l := &lives[k]
		out[index[domain.MonthPeriod(l.made)]].Made++
		if l.status != statusOpen {
			out[index[domain.MonthPeriod(l.resolved)]].resolution(l)
		}
		var seen domain.Period
		for _, r := range l.renegs {
			if m := domain.MonthPeriod(r.on); m != seen {
				out[index[m]].Renegotiated++
				seen = m
			}
		}
	}
	for k := range out {
		out[k].rates()
	}
	return out
}

// days returns every day something happened to l.
func (l *life) days() []domain.Date {
	out := []domain.Date{l.made}
	if l.status != statusOpen {
		out = append(out, l.resolved)
	}
	for _, r := range l.renegs {
		out = append(out, r.on)
	}
	return out
}

// snapshot counts l in open and overdue if it was open at the end of day.
func (k *KeepingCounts) snapshot(l *life, day domain.Date) {
	if l.openOn(day) {
		k.Open++
		if l.dueOn(day).Before(day) {
			k.Overdue++
		}
	}
}
