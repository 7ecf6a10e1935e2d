package projections

import "github.com/coachjournal/coachjournal/domain"

// CheckInSummary counts a PIP's expected check-ins and names the late and
// missed ones by their due date.
type CheckInSummary struct {
	Expected int           `json:"expected"` // due dates up to today (see PIP.Schedule)
	Done     int           `json:"done"`     // on time or late
	OnTime   int           `json:"on_time"`
	Late     []domain.Date `json:"late"`   // due dates met by a later check-in
	Missed   []domain.Date `json:"missed"` // due dates never met
}

// SummarizeCheckIns counts a schedule as PIP.Schedule returns it.
func SummarizeCheckIns(schedule []ExpectedCheckIn) CheckInSummary {
	out := CheckInSummary{Expected: len(schedule), Late: []domain.Date{}, Missed: []domain.Date{}}
	for _, e := range schedule {
		switch e.Status {
		case "on_time":
			out.OnTime++
		case "late":
			out.Late = append(out.Late, e.Due)
		default:
			out.Missed = append(out.Missed, e.Due)
		}
	}
	out.Done = out.OnTime + len(out.Late)
	return out
}

// Months returns the calendar months the PIP spans, in order: from the
// month of starts_on to that of its last day so far, which is the earliest
// of ends_on (after any extension), the day it closed and today.
func (p PIP) Months(today domain.Date) []domain.Period {
	out := []domain.Period{}
	if p.StartsOn.IsZero() {
		return out
	}
	last := p.EndsOn
	if today.Before(last) {
		last = today
	}
	if p.ClosedAt != nil {
		if closed := domain.DateOf(p.ClosedAt.UTC()); closed.Before(last) {
			last = closed
		}
	}
	for m := domain.MonthPeriod(p.StartsOn); !m.Start().After(last); m = domain.MonthPeriod(m.End().AddDays(1)) {
		out = append(out, m)
	}
	return out
}
