package api

import (
	"time"

	"github.com/coachjournal/coachjournal/projections"
)

// pipAudit completes the audit view of a PIP (SPEC §3): the check-in
// schedule with the late and missed ones named, and the person's scorecard
// for each month the PIP spans so far (as known now; projections.PIP.Months).
func (s *Server) pipAudit(pip projections.PIP) pipView {
	today := s.today()
	v := pipView{PIP: pip, CheckInSchedule: pip.Schedule(today), Scorecards: []projections.Scorecard{}}
	v.CheckInSummary = projections.SummarizeCheckIns(v.CheckInSchedule)
	now := s.now().UTC()
	for _, m := range pip.Months(today) {
		card := s.views.Scorecard(pip.PersonID, m, time.Time{})
		if card.AsOf == nil {
			card.AsOf = &now
		}
		v.Scorecards = append(v.Scorecards, card)
	}
	return v
}
