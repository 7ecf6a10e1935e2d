package projections

import (
	"fmt"
	"slices"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// Board is a manager's team for a month: each direct report's scorecard,
// team totals and the market signal (SPEC §3).
type Board struct {
	ManagerID        uuid.UUID     `json:"manager_id"`
	Period           domain.Period `json:"period"`
	AsOf             *time.Time    `json:"as_of"`
	MarketSignal     bool          `json:"market_signal"`
	RecommendedFocus *string       `json:"recommended_focus"` // communication with the market signal
	Totals           BoardTotals   `json:"totals"`
	Rows             []BoardRow    `json:"rows"`
}

// BoardTotals sums the team. Metrics is the sum of each metric's actuals
// over the reps with data (win_rate and avg_deal_size derived from the
// sums). Revenue, ModelTarget and Attainment cover the reps whose funnel
// has an attainment (data and a model target): a rep without data adds
// neither revenue nor target.
type BoardTotals struct {
	Reps         int                `json:"reps"`
	RepsWithData int                `json:"reps_with_data"` // with a funnel attainment
	RepsBelow90  int                `json:"reps_below_90"`
	Metrics      map[string]float64 `json:"metrics"`
	Revenue      *float64           `json:"revenue"`
	ModelTarget  *float64           `json:"model_target"`
	Attainment   *float64           `json:"attainment"`
}

// BoardRow is one direct report.
type BoardRow struct {
	PersonID  uuid.UUID `json:"person_id"`
	Name      string    `json:"name"`
	Scorecard Scorecard `json:"scorecard"`
}

// BoardBrief is a month of a manager's team as the team board's heat-map
// shows it (StampedBoardBriefs): Board without what the heat-map does not
// show. Each row is a report's attainment and primary gap, not their
// scorecard; the totals have no metrics; no row carries the market note.
type BoardBrief struct {
	Period       domain.Period
	MarketSignal bool
	Totals       BoardTotals // Metrics nil
	Rows         []BriefRow
}

// BriefRow is one direct report's cell of a month: their funnel's
// attainment and primary gap (nil where the funnel has none).
type BriefRow struct {
	PersonID   uuid.UUID
	Name       string
	Attainment *float64
	PrimaryGap *string
}

// The market signal: at least marketMinReps reps with data, and at least
// three quarters of them below marketBelow of their revenue goal.
const (
	marketMinReps = 3
	marketBelow   = 0.9
)

// Board returns managerID's board for month as known at asOf (zero:
// everything). The rows are the manager's direct reports in today's tree,
// in registration order, less those who departed before the month began.
// With the market signal on, every row's funnel says
// market_shift_suspected and carries a market note; each rep's own
// primary_gap and recommended_focus stay (the board's recommended_focus is
// communication), because a rep can be short for their own reason too.
func (s *Set) Board(managerID uuid.UUID, month domain.Period, asOf time.Time) Board {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.board(managerID, month, asOf, s.scorecard)
}

// StampedBoardBriefs returns managerID's brief board for each of months,
// as known now, under one read lock and one Stamp (StampedBoard's): what
// the team board's heat-map shows, with the rows, totals and market signal
// the full Board has. Its funnels come from the month sums the fold keeps,
// so six months of a team cost a lookup per rep and month, not a roll-up.
func (s *Set) StampedBoardBriefs(managerID uuid.UUID, months []domain.Period) ([]BoardBrief, Stamp) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	reports := s.reportsOf(managerID)
	st := Stamp{seq: s.seq, journals: s.chain(managerID, time.Time{}), team: &managerID}
	for _, p := range reports {
		st.journals = append(st.journals, p.ID)
	}
	// A direct report's standard is their own "self" one, else the
	// "reports" one of the nearest manager up from this manager: one
	// resolution per month for the team, not per rep.
	chain := append([]uuid.UUID{managerID}, s.managersOf(managerID, time.Time{})...)
	out := make([]BoardBrief, len(months))
	rows := make([]BriefRow, 0, len(months)*len(reports)) // one allocation for every month's rows
	nums := make([]briefNum, 0, cap(rows))                // and one for the numbers they point to
	for k, m := range months {
		m = m.Month()
		team := funnelBase(nil)
		for _, id := range chain {
			if i, ok := s.inForce(id, "reports", m.Start(), time.Time{}); ok {
				std := s.standardAt(i)
				team = funnelBase(&std)
				break
			}
		}
		b := BoardBrief{Period: m}
		var sums teamSums
		first := len(rows)
		for _, p := range reports {
			if p.ID == managerID || (p.DepartedOn != nil && p.DepartedOn.Before(m.Start())) {
				continue
			}
			var ms funnelSums
			if j := s.scoreOf(p.ID); j != nil {
				ms = j.monthNow(m)
			}
			base := team
			switch i, own := s.inForce(p.ID, "self", m.Start(), time.Time{}); {
			case own:
				std := s.standardAt(i)
				base = funnelBase(&std)
			case slices.Contains(chain, p.ID): // a cycle: the team's walk is not theirs
				std, ok := s.standard(p.ID, m.Start(), time.Time{})
				base = funnelBase(cond(ok, &std))
			}
			row := BriefRow{PersonID: p.ID, Name: p.Name}
			if att, gap, hasAtt, hasGap := briefNumbers(base, ms); hasAtt {
				nums = append(nums, briefNum{att: att, gap: gap})
				n := &nums[len(nums)-1]
				row.Attainment = &n.att
				if hasGap {
					row.PrimaryGap = &n.gap
				}
				sums.add(att, ms.rev, *base.ModelTarget)
			}
			rows = append(rows, row)
		}
		b.Rows = rows[first:len(rows):len(rows)]
		b.Totals.Reps = len(b.Rows)
		b.MarketSignal = sums.fill(&b.Totals)
		out[k] = b
	}
	return out, st
}

// StampedAttainments returns personID's revenue attainment (the funnel's,
// as the scorecard has it) in each of months as known now, nil where
// there is none, with the Stamp of their scorecards: the rep page's
// trend. It reads the month sums the fold keeps and computes only the
// attainment, as a brief board does.
func (s *Set) StampedAttainments(personID uuid.UUID, months []domain.Period) ([]*float64, Stamp) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	chain := s.chain(personID, time.Time{}) // the person, then their managers up the tree
	out := make([]*float64, len(months))
	atts := make([]float64, len(months))
	j := s.scoreOf(personID)
	for k, m := range months {
		if j == nil {
			break
		}
		m = m.Month()
		sums := j.monthNow(m)
		if !sums.has {
			continue
		}
		base := funnelBase(nil)
		for n, id := range chain { // their own "self" standard, else the nearest "reports" one above
			appliesTo := "reports"
			if n == 0 {
				appliesTo = "self"
			}
			if i, ok := s.inForce(id, appliesTo, m.Start(), time.Time{}); ok {
				std := s.standardAt(i)
				base = funnelBase(&std)
				break
			}
		}
		if att, _, has, _ := briefNumbers(base, sums); has {
			atts[k] = att
			out[k] = &atts[k]
		}
	}
	return out, Stamp{seq: s.seq, journals: chain}
}

// standardAt is the standard.set of stored step i, for its targets only
// (they are shared with the step, not copied: read, never write).
func (s *Set) standardAt(i uint32) ResolvedStandard {
	return ResolvedStandard{Targets: s.steps.at(i).data.(*domain.StandardSet).Targets}
}

// cond returns p when ok, else nil.
func cond[T any](ok bool, p *T) *T {
	if ok {
		return p
	}
	return nil
}

// board is the board with each row's scorecard from card.
func (s *Set) board(managerID uuid.UUID, month domain.Period, asOf time.Time, card func(uuid.UUID, domain.Period, time.Time) Scorecard) Board {
	month = month.Month()
	reports := s.reportsOf(managerID)
	b := Board{ManagerID: managerID, Period: month, Rows: make([]BoardRow, 0, len(reports)), Totals: BoardTotals{Metrics: map[string]float64{}}}
	if !asOf.IsZero() {
		t := asOf.UTC()
		b.AsOf = &t
	}
	for _, p := range reports {
		if p.ID == managerID || (p.DepartedOn != nil && p.DepartedOn.Before(month.Start())) {
			continue
		}
		b.Rows = append(b.Rows, BoardRow{PersonID: p.ID, Name: p.Name, Scorecard: card(p.ID, month, asOf)})
	}
	b.total()
	if b.MarketSignal {
		note := fmt.Sprintf("%d of %d reps with data are below %.0f%% of goal: the market may have shifted; agree a 90-day plan with leadership and tell the team (communication)",
			b.Totals.RepsBelow90, b.Totals.RepsWithData, marketBelow*100)
		for k := range b.Rows {
			b.Rows[k].Scorecard.Funnel.MarketShiftSuspected = true
			b.Rows[k].Scorecard.Funnel.MarketNote = note
		}
		c := focus["market"]
		b.RecommendedFocus = &c
	}
	return b
}

// total fills in the totals and the market signal.
func (b *Board) total() {
	t := &b.Totals
	t.Reps = len(b.Rows)
	var sums teamSums
	for _, r := range b.Rows {
		for _, m := range r.Scorecard.Metrics {
			if m.Actual != nil && !m.Derived {
				t.Metrics[m.Metric] = clean(t.Metrics[m.Metric] + *m.Actual)
			}
		}
		if f := r.Scorecard.Funnel; f.Attainment != nil {
			sums.add(*f.Attainment, *f.Revenue, *f.ModelTarget)
		}
	}
	for k, v := range derivedActuals(t.Metrics) {
		t.Metrics[k] = *v
	}
	b.MarketSignal = sums.fill(t)
}

// teamSums adds up a team's funnels: the revenue and model target of the
// reps whose funnel has an attainment, and how many of them are below 90%.
type teamSums struct {
	rev, model      float64
	withData, below int
}

// add counts a rep whose funnel has an attainment.
func (t *teamSums) add(attainment, revenue, modelTarget float64) {
	t.withData++
	t.rev += revenue
	t.model += modelTarget
	if attainment < marketBelow {
		t.below++
	}
}

// briefNum is what a brief row points to.
type briefNum struct {
	att float64
	gap string
}

// fill writes the sums into tot and returns the market signal.
func (t teamSums) fill(tot *BoardTotals) (market bool) {
	tot.RepsWithData, tot.RepsBelow90 = t.withData, t.below
	if t.withData > 0 {
		rev, model := clean(t.rev), clean(t.model)
		a := clean(rev / model)
		tot.Revenue, tot.ModelTarget, tot.Attainment = &rev, &model, &a
	}
	return t.withData >= marketMinReps && 4*t.below >= 3*t.withData
}
