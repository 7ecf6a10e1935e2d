package domain

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Period is a reporting period: an ISO week ("2026-W47") or a month ("2026-11").
type Period struct {
	Year int
	Week int // 1..53 for a week; 0 for a month
	Mon  time.Month
}

// ParsePeriod reads "YYYY-Www" or "YYYY-MM", digits only: the canonical
// spelling (Period.String) is the only one taken.
func ParsePeriod(s string) (Period, error) {
	if p, ok := canonicalPeriod(s); ok {
		return p, nil
	}
	if len(s) == 8 && s[4:6] == "-W" {
		return Period{}, fmt.Errorf("%q is not an ISO week of its year", s)
	}
	return Period{}, fmt.Errorf("%q is not a period (YYYY-Www or YYYY-MM)", s)
}

// canonicalPeriod reads the all-digit spellings "YYYY-Www" and "YYYY-MM",
// the only ones ParsePeriod accepts.
func canonicalPeriod[T string | []byte](s T) (Period, bool) {
	switch {
	case len(s) == 8 && s[4] == '-' && s[5] == 'W':
		y, w := digits(s[:4]), digits(s[6:])
		if y >= 1 && w >= 1 && w <= weeksIn(y) {
			return Period{Year: y, Week: w}, true
		}
	case len(s) == 7 && s[4] == '-':
		y, m := digits(s[:4]), digits(s[5:])
		if y >= 1 && m >= 1 && m <= 12 {
			return Period{Year: y, Mon: time.Month(m)}, true
		}
	}
	return Period{}, false
}

// digits returns the value of a run of decimal digits, or -1.
func digits[T string | []byte](b T) int {
	n := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = 10*n + int(c-'0')
	}
	return n
}

// MonthPeriod returns the month period containing d.
func MonthPeriod(d Date) Period {
	return Period{Year: d.t.Year(), Mon: d.t.Month()}
}

// WeekPeriod returns the ISO week containing d.
func WeekPeriod(d Date) Period {
	y, w := d.t.ISOWeek()
	return Period{Year: y, Week: w}
}

// weeksIn returns 52 or 53: the ISO week of 28 December is always the last.
func weeksIn(year int) int {
	_, w := time.Date(year, 12, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

// IsWeek reports whether p is an ISO week.
func (p Period) IsWeek() bool { return p.Week != 0 }

// IsZero reports whether p is the zero Period.
func (p Period) IsZero() bool { return p.Year == 0 }

// Start returns the first day of p (the Monday of an ISO week).
func (p Period) Start() Date {
	if !p.IsWeek() {
		return NewDate(p.Year, p.Mon, 1)
	}
	return dateOfDay(p.weekStart())
}

// weekStart is the day number (daysFromCivil) of an ISO week's Monday:
// week 1 is the one holding 4 January.
func (p Period) weekStart() int {
	jan4 := daysFromCivil(p.Year, time.January, 4)
	return jan4 - weekday(jan4) + 7*(p.Week-1)
}

// End returns the last day of p.
func (p Period) End() Date {
	if p.IsWeek() {
		return p.Start().AddDays(6)
	}
	return Date{p.Start().t.AddDate(0, 1, -1)}
}

// Month returns the month p rolls up into: itself, or the month holding the week's Thursday.
func (p Period) Month() Period {
	if !p.IsWeek() {
		return p
	}
	y, m, _ := civilFromDays(p.weekStart() + 3)
	return Period{Year: y, Mon: m}
}

func (p Period) String() string {
	if p.IsZero() {
		return ""
	}
	var b [16]byte
	out := pad(b[:0], p.Year, 4)
	if p.IsWeek() {
		return string(pad(append(out, '-', 'W'), p.Week, 2))
	}
	return string(pad(append(out, '-'), int(p.Mon), 2))
}

// pad appends n in decimal with at least width digits, zero-padded (as
// fmt's %0Nd: a negative number's sign comes first).
func pad(b []byte, n, width int) []byte {
	if n < 0 {
		b, n, width = append(b, '-'), -n, width-1
	}
	for d, x := 1, n; d < width; d++ {
		if x /= 10; x == 0 {
			b = append(b, '0')
		}
	}
	return strconv.AppendInt(b, int64(n), 10)
}

// MarshalText writes the period as String does: in JSON a string (see
// Date.MarshalText).
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalJSON reads a period string; "" (how the zero Period is written) reads as zero.
func (p *Period) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*p = Period{}
		return nil
	}
	q, err := ParsePeriod(s)
	if err != nil {
		return err
	}
	*p = q
	return nil
}
