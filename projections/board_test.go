package projections

import (
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
)

// TestBoardMarketSignal: on when ≥ 3 reps have data and ≥ 75% of them are
// below 90% of goal. Attainments are per rep; -1 is a rep without data.
func TestBoardMarketSignal(t *testing.T) {
	tests := []struct {
		name  string
		att   []float64
		on    bool
		below int
	}{
		{"three reps all below", []float64{0.5, 0.6, 0.89}, true, 3},
		{"only two reps with data", []float64{0.5, 0.6, -1}, false, 2},
		{"three of four below: 75%", []float64{0.5, 0.6, 0.7, 1.1}, true, 3},
		{"two of four below", []float64{0.5, 0.6, 1.0, 1.1}, false, 2},
		{"exactly 90% is not below", []float64{0.5, 0.6, 0.9}, false, 2},
		{"three of five below: 60%", []float64{0.5, 0.6, 0.7, 1.0, 1.2}, false, 3},
		{"three of four with data, one without", []float64{0.5, 0.6, 0.7, 1.0, -1}, true, 3},
		{"nobody below", []float64{1.0, 1.1, 0.95}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, lead, reps := team(len(tt.att))
			f.add(lead, member(lead), workedStandard("reports", "2026-01-01"))
			for k, a := range tt.att {
				if a >= 0 {
					f.add(reps[k], member(lead), submitted(t, "2026-10", map[string]float64{"new_opportunities": 10, "deals_won": 4, "revenue": 200000 * a}))
				}
			}
			b := f.set().Board(lead, period_(t, "2026-10"), time.Time{})
			if b.MarketSignal != tt.on || b.Totals.RepsBelow90 != tt.below || len(b.Rows) != len(tt.att) {
				t.Fatalf("signal %v below %d rows %d, want %v %d %d", b.MarketSignal, b.Totals.RepsBelow90, len(b.Rows), tt.on, tt.below, len(tt.att))
			}
			for _, r := range b.Rows {
				if fn := r.Scorecard.Funnel; fn.MarketShiftSuspected != tt.on || (fn.MarketNote != "") != tt.on {
					t.Errorf("row %s: market_shift_suspected %v note %q, want %v", r.Name, fn.MarketShiftSuspected, fn.MarketNote, tt.on)
				}
			}
			if (b.RecommendedFocus != nil && *b.RecommendedFocus == "communication") != tt.on {
				t.Errorf("board recommended_focus = %v", fmtp(b.RecommendedFocus))
			}
		})
	}
}

func TestBoardTotals(t *testing.T) {
	f, lead, reps := team(4)
	f.add(lead, member(lead), workedStandard("reports", "2026-01-01"))
	f.add(reps[0], member(lead), submitted(t, "2026-10", map[string]float64{"new_opportunities": 10, "deals_won": 3, "revenue": 150000, "activities": 40}))
	f.add(reps[1], member(lead), submitted(t, "2026-W41", map[string]float64{"new_opportunities": 6, "deals_won": 2, "revenue": 90000}))
	f.add(reps[1], member(lead), submitted(t, "2026-W42", map[string]float64{"new_opportunities": 4, "deals_won": 2, "revenue": 110000}))
	f.add(reps[2], member(lead), &domain.PersonDeparted{On: date(t, "2026-09-15"), Reason: "left"}) // gone before October
	other := ids(1)[0]
	register(f, other, "Otto", nil) // not on this team
	f.add(other, member(other), submitted(t, "2026-10", map[string]float64{"revenue": 1e6}))

	b := f.set().Board(lead, period_(t, "2026-10"), time.Time{})
	if len(b.Rows) != 3 || b.Rows[0].PersonID != reps[0] || b.Rows[0].Name != "Ana" || b.Rows[2].PersonID != reps[3] {
		t.Fatalf("rows = %s", mustJSON(t, b.Rows))
	}
	tot := b.Totals
	want := map[string]float64{"new_opportunities": 20, "deals_won": 7, "revenue": 350000, "activities": 40, "win_rate": 0.35, "avg_deal_size": 50000}
	if mustJSON(t, tot.Metrics) != mustJSON(t, want) {
		t.Errorf("metrics = %v, want %v", tot.Metrics, want)
	}
	if tot.Reps != 3 || tot.RepsWithData != 2 || *tot.Revenue != 350000 || *tot.ModelTarget != 400000 || *tot.Attainment != 0.875 {
		t.Errorf("totals = %s", mustJSON(t, tot))
	}
	if b.MarketSignal {
		t.Error("market signal with two reps with data")
	}
}
