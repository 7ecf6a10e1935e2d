package domain_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
)

// FuzzParsePeriod checks that ParsePeriod never panics and that what it
// accepts is canonical and self-consistent. Seeds: testdata/fuzz/FuzzParsePeriod.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026-W47", "2026-11", "2027-W53", "9999-12", "0001-W01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := domain.ParsePeriod(s)
		if ref, rerr := domain.ParsePeriodRef(s); (err == nil) != (rerr == nil) || ref != p {
			t.Fatalf("ParsePeriod(%q) = %+v, %v; the Sscanf definition says %+v, %v", s, p, err, ref, rerr)
		}
		if err != nil {
			return
		}
		if p.String() != s {
			t.Fatalf("ParsePeriod(%q).String() = %q, want the input", s, p.String())
		}
		start, end := p.Start(), p.End()
		if end.Before(start) {
			t.Fatalf("%v: End %v before Start %v", p, end, start)
		}
		m := p.Month()
		if m.IsWeek() || m.Start().Time().Day() != 1 || domain.MonthPeriod(m.Start()) != m {
			t.Fatalf("%v.Month() = %v, want a month", p, m)
		}
		if p.IsWeek() {
			if got := start.DaysUntil(end); got != 6 {
				t.Fatalf("%v spans %d days, want 6", p, got)
			}
			if start.Time().Weekday() != time.Monday {
				t.Fatalf("%v starts on %v, want Monday", p, start.Time().Weekday())
			}
			if y, w := start.Time().ISOWeek(); y != p.Year || w != p.Week {
				t.Fatalf("%v starts in ISO week %d-W%02d", p, y, w)
			}
			if thu := start.AddDays(3); domain.MonthPeriod(thu) != m {
				t.Fatalf("%v.Month() = %v, want the month of Thursday %v", p, m, thu)
			}
		} else if m != p || start.Time().Day() != 1 || end.AddDays(1).Time().Day() != 1 {
			t.Fatalf("month %v: Start %v End %v Month %v", p, start, end, m)
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var q domain.Period
		if err := json.Unmarshal(b, &q); err != nil || q != p {
			t.Fatalf("JSON round trip of %v: got %v, %v", p, q, err)
		}
	})
}
