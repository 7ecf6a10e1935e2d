package demo

import (
	"math"
	"math/rand/v2"

	"github.com/coachjournal/coachjournal/domain"
)

// Calendar is the span the demo covers: the six complete months before
// the current one (the board's heat-map) and the current month so far, as
// ISO weeks that have ended, the last of them last week.
type Calendar struct {
	today  domain.Date
	months []domain.Period // oldest first; the last is the current month
	weeks  []week
	dip    int // index in months of the month the whole team dips (market)
}

type week struct {
	period domain.Period
	monday domain.Date
	month  int // index in months: the month of the week's Thursday
}

// NewCalendar is the demo's calendar as seen on today.
func NewCalendar(today domain.Date) Calendar {
	c := Calendar{today: today}
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
		c.weeks = append(c.weeks, week{period: domain.WeekPeriod(mon), monday: mon, month: c.monthOf(mon.AddDays(3))})
	}
	return c
}

func time1st(d domain.Date) domain.Date {
	t := d.Time()
	return domain.NewDate(t.Year(), t.Month(), 1)
}

func (c Calendar) monthOf(d domain.Date) int {
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
func (c Calendar) weeksIn(i int) int {
	n := 0
	for d := c.months[i].Start(); !d.After(c.months[i].End()); d = d.AddDays(1) {
		if d.Time().Weekday() == 4 {
			n++
		}
	}
	return n
}

// month is a rep's month: its totals and how they fall into weeks.
type month struct {
	opps, won int
	size      float64
	weekOpps  []int // per week of the month, in order, including future weeks
	weekWon   []int
}

// attainment is the month's funnel against the standard: the three ratios.
func (m month) ratios() (opp, win, size float64) {
	opp = float64(m.opps) / stdOpps
	if m.opps > 0 {
		win = float64(m.won) / float64(m.opps) / stdWinRate
	}
	return opp, win, m.size / stdSize
}

// gap is the diagnosis a leader reaches for this month's numbers: the
// weakest factor, or "" at goal.
func (m month) gap() string {
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
func (c Calendar) repMonths(p repProfile, rng *rand.Rand) []month {
	out := make([]month, len(c.months))
	for i := range c.months {
		opps, win, size := p.opps, p.win, p.size
		switch {
		case i == c.dip:
			opps, win, size = opps*0.65, win*0.85, size*0.9
		case p.name == PIPWon && i <= 1:
			win = 0.22
		case p.name == PIPWon && i == 2:
			win = 0.32
		case p.name == PIPNow && i >= len(c.months)-2:
			win = 0.28
		}
		m := month{
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
func (m *month) spread(weeks int, rng *rand.Rand) {
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

// Months are the demo's months, oldest first; the last is the current one.
func (c Calendar) Months() []domain.Period { return c.months }

// Dip is the month the whole team dips (the board's market banner).
func (c Calendar) Dip() domain.Period { return c.months[c.dip] }
