package projections

import (
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// The scorecard and board goldens are the API's response bodies (the API
// only fills in as_of when none was asked); see matchGolden.

// goldenTeam is a fixed team for October 2026: the worked example (Ana),
// an activity gap (Ben, in weeks, one corrected), a deal-size gap (Cy)
// and a rep without data (Dee); the leader's standard is the worked one,
// with a custom metric.
func goldenTeam(t *testing.T) (*Set, uuid.UUID, uuid.UUID, time.Time) {
	id := func(n byte) uuid.UUID { return uuid.UUID{0x01, 0x93, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, n} }
	lead, ana, ben, cy, dee := id(1), id(2), id(3), id(4), id(5)
	f := newFeed()
	register(f, lead, "Leo Leader", nil)
	register(f, ana, "Ana Lima", &lead)
	register(f, ben, "Ben Brook", &lead)
	register(f, cy, "Cy Chen", &lead)
	register(f, dee, "Dee Diaz", &lead)
	std := workedStandard("reports", "2026-01-01")
	unit := "USD"
	std.Targets[0].Unit, std.Targets[3].Unit = &unit, &unit
	std.Targets = append(std.Targets, tg("demos", 12, "leading"))
	f.add(lead, member(lead), std)
	f.add(ana, member(ana), submitted(t, "2026-10", map[string]float64{"new_opportunities": 10, "deals_won": 3, "revenue": 150000, "demos": 9, "referrals": 2}))
	f.add(ben, member(lead), submitted(t, "2026-W40", map[string]float64{"new_opportunities": 2, "deals_won": 1, "revenue": 50000}))
	f.add(ben, member(lead), submitted(t, "2026-W41", map[string]float64{"new_opportunities": 1, "deals_won": 1, "revenue": 50000}))
	fix := submitted(t, "2026-W41", map[string]float64{"new_opportunities": 3, "deals_won": 1, "revenue": 50000})
	fix.CorrectionReason = str("one opportunity was missed")
	f.add(ben, member(lead), fix)
	f.add(cy, member(lead), submitted(t, "2026-10", map[string]float64{"new_opportunities": 10, "deals_won": 4, "revenue": 120000}))
	return f.set(), lead, ana, f.at.Add(time.Hour)
}

func TestScorecardGolden(t *testing.T) {
	s, _, ana, asOf := goldenTeam(t)
	matchGolden(t, "scorecard.json", s.Scorecard(ana, period_(t, "2026-10"), asOf))
}

func TestBoardGolden(t *testing.T) {
	s, lead, _, asOf := goldenTeam(t)
	b := s.Board(lead, period_(t, "2026-10"), asOf)
	if !b.MarketSignal {
		t.Error("market signal off: three of three reps with data are below 90%")
	}
	matchGolden(t, "board.json", b)
	std, ok := s.Standard(b.Rows[0].PersonID, domain.NewDate(2026, 10, 1), asOf)
	if !ok {
		t.Fatal("no standard")
	}
	matchGolden(t, "standard.json", std)
}
