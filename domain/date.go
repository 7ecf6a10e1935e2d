package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar day, without time or zone. It is written as "2026-11-20".
type Date struct{ t time.Time }

const dateLayout = "2006-01-02"

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// NewDate returns the given day; out-of-range values are normalised as time.Date does.
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate reads "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return Date{t}, nil
}

// MinYear and MaxYear bound every date, period and time a command takes
// (SPEC §4: dates and periods lie between 1970 and 2100, both years
// included). Reading stored events does not apply them, so a journal
// written before the bound still reads.
const (
	MinYear = 1970
	MaxYear = 2100
)

// InYears reports whether t's year (UTC) lies in MinYear..MaxYear.
func InYears(t time.Time) bool {
	y := t.UTC().Year()
	return y >= MinYear && y <= MaxYear
}

// yearsMessage is how a value outside MinYear..MaxYear is refused.
var yearsMessage = fmt.Sprintf("must lie between the years %d and %d", MinYear, MaxYear)

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return d.t }

// AddDays returns d plus n days.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.t.After(o.t) }

// DaysUntil returns the whole days from d to o (negative if o is earlier).
func (d Date) DaysUntil(o Date) int { return int(o.t.Sub(d.t).Hours() / 24) }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(dateLayout)
}

// MarshalText writes the date as "YYYY-MM-DD", the zero Date as "": in JSON
// a string. (A text marshaller, not a JSON one: encoding/json re-reads and
// compacts what a MarshalJSON returns, which for a commitment history's
// dates was a tenth of its encoding.)
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return d.t.AppendFormat(make([]byte, 0, len(dateLayout)), dateLayout), nil
}

// UnmarshalJSON reads a "YYYY-MM-DD" string; "" (how the zero Date is written) reads as zero.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}
