package domain

import (
	"testing"
	"time"
)

// TestCivilDays holds the day-number arithmetic to the time package for
// every day of the years 1 to 3000, on both sides of 1970 and of every
// century's leap-year rule.
func TestCivilDays(t *testing.T) {
	first := time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(3000, time.December, 31, 0, 0, 0, 0, time.UTC)
	z := int(first.Unix() / secondsPerDay)
	for day := first; !day.After(last); day, z = day.AddDate(0, 0, 1), z+1 {
		y, m, d := day.Date()
		if got := daysFromCivil(y, m, d); got != z {
			t.Fatalf("daysFromCivil(%d, %d, %d) = %d, want %d", y, m, d, got, z)
		}
		if gy, gm, gd := civilFromDays(z); gy != y || gm != m || gd != d {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %s", z, gy, gm, gd, day.Format(time.DateOnly))
		}
		if got, want := weekday(z), (int(day.Weekday())+6)%7; got != want {
			t.Fatalf("weekday(%s) = %d, want %d", day.Format(time.DateOnly), got, want)
		}
		if got := dateOfDay(z); got != (Date{day}) {
			t.Fatalf("dateOfDay(%d) = %v, want %v", z, got, day)
		}
	}
}

// TestWeekStartAndMonth holds Period.Start and Period.Month of every ISO
// week of the years 1 to 3000 to their definitions through time.Time: the
// Monday of the week holding 4 January, weeks on; the month of the
// week's Thursday. The Date values must be equal as values (==), as the
// time package's own would be.
func TestWeekStartAndMonth(t *testing.T) {
	for y := 1; y <= 3000; y++ {
		jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, time.UTC)
		offset := (int(jan4.Weekday()) + 6) % 7
		for w := 1; w <= weeksIn(y); w++ {
			p := Period{Year: y, Week: w}
			start := Date{jan4.AddDate(0, 0, -offset+7*(w-1))}
			if got := p.Start(); got != start {
				t.Fatalf("%s: Start %v, want %v", p, got, start)
			}
			if got, want := p.Month(), MonthPeriod(start.AddDays(3)); got != want {
				t.Fatalf("%s: Month %s, want %s", p, got, want)
			}
			if wy, ww := start.t.ISOWeek(); wy != y || ww != w {
				t.Fatalf("%s starts on %v, in ISO week %d-W%02d", p, start, wy, ww)
			}
		}
	}
}
