package main

import (
	"math"
	"math/rand/v2"

	"github.com/coachjournal/coachjournal/domain"
)

// demoCalendar is the span the demo covers: the six complete months before
// the current one (the board's heat-map) and the current month so far, as
// ISO weeks that have ended, the last of them last week.
type demoCalendar struct {
	today  domain.Date
	months []domain.Period // oldest first; the last is the current month
	weeks  []demoWeek
	dip    int // index in months of the month the whole team dips (market)
}

type demoWeek struct {
	period domain.Period
	monday domain.Date
	month  int // index in months: the month of the week's Thursday
}

func newDemoCalendar(today domain.Date) demoCalendar {
	c := demoCalendar{today: today}
	first := time1st(today)
	for range 6 {
		first = time1st(first.AddDays(-1))
	}
	for m := first; !m.After(today); m = time1st(m.AddDays(32)) {
		c.months = append(c.months, domain.MonthPeriod(m))
	}
	c.dip = len(c.months) - 4 // three months before last month
	// The first week is the ISO week holding the first month's first Thursday.
	thu := first
	for thu.Time().Weekday() != 4 {
		thu = thu.AddDays(1)
	}
	for mon := thu.AddDays(-3); !mon.AddDays(7).After(today); mon = mon.AddDays(7) {
		c.weeks = append(c.weeks, demoWeek{period: domain.WeekPeriod(mon), monday: mon, month: c.monthOf(mon.AddDays(3))})
	}
	return c
}

func time1st(d domain.Date) domain.Date {
	t := d.Time()
	return domain.NewDate(t.Year(), t.Month(), 1)
}

func (c demoCalendar) monthOf(d domain.Date) int {
	p := domain.MonthPeriod(d)
	for i, m := range c.months {
		if m == p {
			return i
		}
	}
	return -1
}

// weeksIn counts the ISO weeks whose Thursday falls in month i, including
// those that have not ended yet.
func (c demoCalendar) weeksIn(i int) int {
	n := 0
	for d := c.months[i].Start(); !d.After(c.months[i].End()); d = d.AddDays(1) {
		if d.Time().Weekday() == 4 {
			n++
		}
	}
	return n
}

// demoMonth is a rep's month: its totals and how they fall into weeks.
type demoMonth struct {
	opps, won int
	size      float64
	weekOpps  []int // per week of the month, in order, including future weeks
	weekWon   []int
}

// attainment is the month's funnel against the standard: the three ratios.
func (m demoMonth) ratios() (opp, win, size float64) {
	opp = float64(m.opps) / stdOpps
	if m.opps > 0 {
		win = float64(m.won) / float64(m.opps) / stdWinRate
	}
	return opp, win, m.size / stdSize
}

// gap is the diagnosis a leader reaches for this month's numbers: the
// weakest factor, or "" at goal.
func (m demoMonth) gap() string {
	o, w, s := m.ratios()
	if o*w*s >= 1 {
		return ""
	}
	switch math.Min(o, math.Min(w, s)) {
	case o:
		return "activity"
	case w:
		return "conversion"
	}
	return "deal_size"
}

// months draws a rep's months: the archetype with a little noise, the
// whole team's dip in the market month, and Gus's recovery on his PIP.
func (c demoCalendar) repMonths(p demoRepProfile, rng *rand.Rand) []demoMonth {
	out := make([]demoMonth, len(c.months))
	for i := range c.months {
		opps, win, size := p.opps, p.win, p.size
		switch {
		case i == c.dip:
			opps, win, size = opps*0.65, win*0.85, size*0.9
		case p.name == demoPIPWon && i <= 1:
			win = 0.22
		case p.name == demoPIPWon && i == 2:
			win = 0.32
		case p.name == demoPIPNow && i >= len(c.months)-2:
			win = 0.28
		}
		m := demoMonth{
			opps: int(math.Round(opps * (0.92 + 0.16*rng.Float64()))),
			size: math.Round(size*(0.95+0.1*rng.Float64())/100) * 100,
		}
		m.won = min(m.opps, int(math.Round(float64(m.opps)*win*(0.95+0.1*rng.Float64()))))
		m.spread(c.weeksIn(i), rng)
		out[i] = m
	}
	return out
}

// spread puts each opportunity in a random week and each won deal in a
// random week that still has an opportunity not yet won.
func (m *demoMonth) spread(weeks int, rng *rand.Rand) {
	m.weekOpps, m.weekWon = make([]int, weeks), make([]int, weeks)
	for range m.opps {
		m.weekOpps[rng.IntN(weeks)]++
	}
	for range m.won {
		var open []int
		for w := range weeks {
			if m.weekWon[w] < m.weekOpps[w] {
				open = append(open, w)
			}
		}
		m.weekWon[open[rng.IntN(len(open))]]++
	}
}
