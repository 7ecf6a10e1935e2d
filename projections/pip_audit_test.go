package projections

import (
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
)

func TestPIPMonths(t *testing.T) {
	closed := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		pip    PIP
		today  string
		months []string
	}{
		{"active, cut at today", PIP{StartsOn: date(t, "2026-10-20"), EndsOn: date(t, "2027-01-20")}, "2026-11-05", []string{"2026-10", "2026-11"}},
		{"ended", PIP{StartsOn: date(t, "2026-10-20"), EndsOn: date(t, "2026-12-01")}, "2027-03-01", []string{"2026-10", "2026-11", "2026-12"}},
		{"closed early", PIP{StartsOn: date(t, "2026-10-20"), EndsOn: date(t, "2027-01-20"), ClosedAt: &closed}, "2027-03-01", []string{"2026-10", "2026-11", "2026-12"}},
		{"one month", PIP{StartsOn: date(t, "2026-11-02"), EndsOn: date(t, "2026-11-30")}, "2026-12-10", []string{"2026-11"}},
		{"not started", PIP{}, "2026-12-10", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []string{}
			for _, m := range tt.pip.Months(date(t, tt.today)) {
				got = append(got, m.String())
			}
			if mustJSON(t, got) != mustJSON(t, tt.months) {
				t.Errorf("Months = %v, want %v", got, tt.months)
			}
		})
	}
}

func TestSummarizeCheckIns(t *testing.T) {
	// Every 7 days from 11-02: due 11-09 met 11-09 (on time), 11-16 met
	// 11-18 (late), 11-23 and 11-30 never met (missed).
	p := PIP{StartsOn: date(t, "2026-11-02"), EndsOn: date(t, "2026-12-31"), CheckInEveryDays: 7,
		CheckIns: []CheckIn{{On: date(t, "2026-11-09")}, {On: date(t, "2026-11-18")}}}
	got := SummarizeCheckIns(p.Schedule(date(t, "2026-12-01")))
	want := CheckInSummary{Expected: 4, Done: 2, OnTime: 1,
		Late: []domain.Date{date(t, "2026-11-16")}, Missed: []domain.Date{date(t, "2026-11-23"), date(t, "2026-11-30")}}
	if mustJSON(t, got) != mustJSON(t, want) {
		t.Errorf("summary = %s, want %s", mustJSON(t, got), mustJSON(t, want))
	}
	if s := mustJSON(t, SummarizeCheckIns(nil)); s != `{"expected":0,"done":0,"on_time":0,"late":[],"missed":[]}` {
		t.Errorf("empty summary = %s", s)
	}
}
