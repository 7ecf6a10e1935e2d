package domain

import "time"

// Day numbers: the days since 1970-01-01 in the proleptic Gregorian
// calendar, as time.Time counts them in UTC. The conversions are Howard
// Hinnant's days_from_civil and civil_from_days: integer arithmetic on
// 400-year eras, without time.Time's calendar walk, because the
// projections roll every weekly submission into its month (Period.Month)
// and a million of them are folded at every start. TestCivilDays holds
// them to the time package day by day.

// daysFromCivil returns the day number of y-m-d (m and d in range).
func daysFromCivil(y int, m time.Month, d int) int {
	if m <= time.February {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400                       // [0, 399]
	doy := (153*((int(m)+9)%12)+2)/5 + d - 1 // [0, 365], the year starting in March
	doe := yoe*365 + yoe/4 - yoe/100 + doy   // [0, 146096]
	return era*146097 + doe - 719468         // 719468: 0000-03-01 to 1970-01-01
}

// civilFromDays returns the calendar day of day number z.
func civilFromDays(z int) (y int, m time.Month, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], from March
	d = doy - (153*mp+2)/5 + 1
	m = time.Month((mp+2)%12 + 1)
	y = yoe + era*400
	if m <= time.February {
		y++
	}
	return y, m, d
}

// weekday returns day number z's day of the week, Monday 0 to Sunday 6
// (1970-01-01 was a Thursday).
func weekday(z int) int { return floorMod(z+3, 7) }

// dateOfDay returns the Date of day number z.
func dateOfDay(z int) Date { return Date{time.Unix(int64(z)*secondsPerDay, 0).UTC()} }

const secondsPerDay = 24 * 60 * 60

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }
