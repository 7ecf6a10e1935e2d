package domain_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
)

func TestParsePeriod(t *testing.T) {
	// The tests rest on these week counts, so check them with the standard
	// library first. 2026 starts on a Thursday, so it has 53 ISO weeks
	// (W53 is Mon 28 Dec 2026 – Sun 3 Jan 2027); 2025 and 2027 have 52.
	for y, want := range map[int]int{2020: 53, 2025: 52, 2026: 53, 2027: 52} {
		if _, w := time.Date(y, 12, 28, 0, 0, 0, 0, time.UTC).ISOWeek(); w != want {
			t.Fatalf("ISO weeks in %d: got %d, want %d", y, w, want)
		}
	}
	tests := []struct {
		name string
		in   string
		want domain.Period // zero: must be rejected
	}{
		{"first week", "2026-W01", domain.Period{Year: 2026, Week: 1}},
		{"week 47", "2026-W47", domain.Period{Year: 2026, Week: 47}},
		{"last week of a 52-week year", "2027-W52", domain.Period{Year: 2027, Week: 52}},
		{"week 53 of 52-week 2025", "2025-W53", domain.Period{}},
		{"week 53 of 52-week 2027", "2027-W53", domain.Period{}},
		{"week 53 of 53-week 2026", "2026-W53", domain.Period{Year: 2026, Week: 53}},
		{"week 53 of 53-week 2020", "2020-W53", domain.Period{Year: 2020, Week: 53}},
		{"week 53 of 2015", "2015-W53", domain.Period{Year: 2015, Week: 53}},
		{"week 00", "2026-W00", domain.Period{}},
		{"week 54", "2020-W54", domain.Period{}},
		{"one-digit week", "2026-W1", domain.Period{}},
		{"lower-case w", "2026-w01", domain.Period{}},
		{"month", "2026-11", domain.Period{Year: 2026, Mon: time.November}},
		{"january", "2026-01", domain.Period{Year: 2026, Mon: time.January}},
		{"december", "2026-12", domain.Period{Year: 2026, Mon: time.December}},
		{"month 13", "2026-13", domain.Period{}},
		{"month 00", "2026-00", domain.Period{}},
		{"one-digit month", "2026-1", domain.Period{}},
		{"year 0000", "0000-01", domain.Period{}},
		{"empty", "", domain.Period{}},
		{"garbage", "garbage", domain.Period{}},
		{"date", "2026-11-20", domain.Period{}},
		{"letters", "abcd-ef", domain.Period{}},
		{"trailing letter in month", "2026-1a", domain.Period{}},
		{"trailing letter in week", "2026-W1x", domain.Period{}},
		{"signed month", "2026-+1", domain.Period{}},
		{"signed week", "2026-W+1", domain.Period{}},
		{"signed year", "+202-11", domain.Period{}},
		{"space in week", "2026-W 1", domain.Period{}},
		{"leading space", " 202-11", domain.Period{}},
		{"slash", "2026/11", domain.Period{}},
		{"quarter", "2026-Q4", domain.Period{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.ParsePeriod(tt.in)
			if tt.want.IsZero() {
				if err == nil {
					t.Fatalf("ParsePeriod(%q) = %v, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePeriod(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParsePeriod(%q): got %+v, want %+v", tt.in, got, tt.want)
			}
			if got.String() != tt.in {
				t.Errorf("String: got %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestPeriodStartEnd(t *testing.T) {
	tests := []struct {
		period     string
		start, end string
	}{
		{"2026-W01", "2025-12-29", "2026-01-04"},
		{"2026-W44", "2026-10-26", "2026-11-01"},
		{"2026-W47", "2026-11-16", "2026-11-22"},
		{"2026-W52", "2026-12-21", "2026-12-27"},
		{"2026-W53", "2026-12-28", "2027-01-03"},
		{"2020-W53", "2020-12-28", "2021-01-03"},
		{"2027-W01", "2027-01-04", "2027-01-10"},
		{"2021-W01", "2021-01-04", "2021-01-10"},
		{"2026-11", "2026-11-01", "2026-11-30"},
		{"2026-12", "2026-12-01", "2026-12-31"},
		{"2026-02", "2026-02-01", "2026-02-28"},
		{"2024-02", "2024-02-01", "2024-02-29"},
	}
	for _, tt := range tests {
		t.Run(tt.period, func(t *testing.T) {
			p := mustPeriod(t, tt.period)
			if got := p.Start().String(); got != tt.start {
				t.Errorf("Start: got %v, want %v", got, tt.start)
			}
			if got := p.End().String(); got != tt.end {
				t.Errorf("End: got %v, want %v", got, tt.end)
			}
			if p.IsWeek() {
				if got := p.Start().Time().Weekday(); got != time.Monday {
					t.Errorf("Start weekday: got %v, want Monday", got)
				}
				y, w := p.Start().Time().ISOWeek()
				if y != p.Year || w != p.Week {
					t.Errorf("ISOWeek of Start: got %d-W%02d, want %v", y, w, p)
				}
				if got := domain.WeekPeriod(p.End()); got != p {
					t.Errorf("WeekPeriod(End): got %v, want %v", got, p)
				}
			} else if got := domain.MonthPeriod(p.End()); got != p {
				t.Errorf("MonthPeriod(End): got %v, want %v", got, p)
			}
		})
	}
}

// TestPeriodMonth checks SPEC §3: a week rolls up into the month that
// contains its Thursday.
func TestPeriodMonth(t *testing.T) {
	tests := []struct {
		name   string
		period string
		want   string
	}{
		{"W44 ends in November, Thursday 29 Oct", "2026-W44", "2026-10"},
		{"2015-W49 Mon 30 Nov, Thursday 3 Dec", "2015-W49", "2015-12"},
		{"W40 Mon 28 Sep, Thursday 1 Oct", "2026-W40", "2026-10"},
		{"W05 Mon 26 Jan, Thursday 29 Jan", "2026-W05", "2026-01"},
		{"W09 Mon 23 Feb, Thursday 26 Feb, Sunday 1 Mar", "2026-W09", "2026-02"},
		{"2027-W01 Thursday 7 Jan", "2027-W01", "2027-01"},
		{"2020-W53 Thursday 31 Dec", "2020-W53", "2020-12"},
		{"2026-W53 Thursday 31 Dec, Sunday 3 Jan", "2026-W53", "2026-12"},
		{"2026-W01 starts 29 Dec 2025, Thursday 1 Jan", "2026-W01", "2026-01"},
		{"2025-W01 starts 30 Dec 2024, Thursday 2 Jan", "2025-W01", "2025-01"},
		{"a month is its own month", "2026-10", "2026-10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustPeriod(t, tt.period)
			if got := p.Month().String(); got != tt.want {
				t.Errorf("%v.Month(): got %v, want %v", p, got, tt.want)
			}
			thursday := p.Start().AddDays(3)
			if p.IsWeek() && domain.MonthPeriod(thursday) != p.Month() {
				t.Errorf("Month is not the month of Thursday %v", thursday)
			}
		})
	}
}

// TestPeriodMonthStraddle walks every week of a few years: the Thursday
// decides, including weeks whose Thursday lies in the next month.
func TestPeriodMonthStraddle(t *testing.T) {
	straddlingNext := 0
	for y := 2019; y <= 2028; y++ {
		_, last := time.Date(y, 12, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
		for w := 1; w <= last; w++ {
			p := domain.Period{Year: y, Week: w}
			start, thu := p.Start().Time(), p.Start().AddDays(3).Time()
			want := domain.Period{Year: thu.Year(), Mon: thu.Month()}
			if got := p.Month(); got != want {
				t.Errorf("%v.Month(): got %v, want %v", p, got, want)
			}
			if start.Month() != thu.Month() {
				straddlingNext++
			}
		}
	}
	if straddlingNext == 0 {
		t.Error("no week with its Thursday in the month after its Monday was checked")
	}
}

func TestPeriodJSON(t *testing.T) {
	for _, s := range []string{"2026-W01", "2020-W53", "2026-11", "2026-01"} {
		t.Run(s, func(t *testing.T) {
			p := mustPeriod(t, s)
			b, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if want := `"` + s + `"`; string(b) != want {
				t.Errorf("Marshal: got %s, want %s", b, want)
			}
			var q domain.Period
			if err := json.Unmarshal(b, &q); err != nil {
				t.Fatal(err)
			}
			if q != p {
				t.Errorf("round trip: got %+v, want %+v", q, p)
			}
		})
	}
	t.Run("zero", func(t *testing.T) {
		b, err := json.Marshal(domain.Period{})
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != `""` {
			t.Errorf("Marshal of zero: got %s, want \"\"", b)
		}
		var q domain.Period
		if err := json.Unmarshal(b, &q); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if !q.IsZero() {
			t.Errorf("round trip of zero: got %+v, want zero", q)
		}
	})
	for _, bad := range []string{`"2027-W53"`, `"2026-13"`, `47`, `"garbage"`, `{}`} {
		t.Run("rejects "+bad, func(t *testing.T) {
			var q domain.Period
			if err := json.Unmarshal([]byte(bad), &q); err == nil {
				t.Errorf("Unmarshal(%s) = %+v, want an error", bad, q)
			}
		})
	}
}

func mustPeriod(tb testing.TB, s string) domain.Period {
	tb.Helper()
	p, err := domain.ParsePeriod(s)
	if err != nil {
		tb.Fatalf("ParsePeriod(%q): %v", s, err)
	}
	return p
}

// TestPeriodStringAsFmt: String writes what fmt's zero-padded verbs
// wrote before it was made cheaper, for every year a period can hold and
// beyond.
func TestPeriodStringAsFmt(t *testing.T) {
	for y := -12; y <= 12000; y++ {
		for _, p := range []domain.Period{{Year: y, Mon: time.Month(1 + (y+12)%12)}, {Year: y, Week: 1 + (y+12)%53}} {
			want := fmt.Sprintf("%04d-%02d", p.Year, int(p.Mon))
			switch {
			case p.IsZero():
				want = "" // year 0 is the zero period
			case p.IsWeek():
				want = fmt.Sprintf("%04d-W%02d", p.Year, p.Week)
			}
			if got := p.String(); got != want {
				t.Fatalf("%#v: %q, want %q", p, got, want)
			}
		}
	}
}
