package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// commitmentTexts are what a rep commits to, by the gap the leader diagnosed.
var commitmentTexts = map[string][]string{
	"activity":   {"Book 15 first meetings by Friday", "Block two hours of prospecting every morning", "Add 5 new qualified opportunities this week", "Call 20 dormant accounts"},
	"conversion": {"Role-play the discovery call before Thursday", "Send a mutual action plan on every late-stage deal", "Record two calls for review"},
	"deal_size":  {"Qualify two accounts above 100k", "Propose the premium tier on every new deal", "Bundle onboarding into the next three proposals"},
	"market":     {"Share the 90-day plan with three key accounts", "Re-qualify every deal that slipped this month"},
	"":           {"Update the forecast by Thursday", "Share one win story at the team meeting", "Follow up on every open proposal"},
}

var diagnosisNotes = map[string]string{
	"activity":   "Opportunities well under the standard; win rate and deal size fine. Structure the day.",
	"conversion": "Enough opportunities, too few close. Listen to calls, role-play the stuck stage.",
	"deal_size":  "Deals close but small. Target bigger accounts.",
	"market":     "The whole team missed last month: the market moved. Sharing the 90-day plan.",
}

// leaderSkips are the weeks (indexes) Leo did not hold his 1-on-1s.
func (s *seeder) leaderSkips(w int) (string, bool) {
	switch w {
	case 9:
		return "Leader at the sales kickoff", true
	case len(s.cal.weeks) - 6:
		return "Leader out sick", true
	}
	return "", false
}

// meetingDay is the weekday (days after Monday) of each rep's 1-on-1: Leo
// sees Ana, Ben and Cy on Tuesday, Dee and Eli on Wednesday, Fay on
// Thursday; Priya spreads hers from Monday to Thursday.
var meetingDay = []int{1, 1, 1, 2, 2, 3, 0, 0, 1, 2, 3, 3}

// biweekly is the rep Priya sees only every other week.
const biweekly = "Lou Reyes"

// writeUp is when a leader enters a meeting held at held: Leo right after
// it, Priya the next morning at half past eight.
func writeUp(manager string, held time.Time) time.Time {
	if manager == Priya {
		return domain.DateOf(held).AddDays(1).Time().Add(8*time.Hour + 30*time.Minute)
	}
	return held.Add(50 * time.Minute)
}

// planMeetings holds the 1-on-1s and, after every other performance
// discussion, records a commitment and later its outcome. Leo (the first
// team) holds performance 1-on-1s every week but two, and writes them up
// at once; Priya runs two weeks in five as pipeline reviews, sees Lou only
// every other week, and writes up the next morning. Diagnoses follow last
// month's numbers.
func (s *seeder) planMeetings(plan *journalPlan, i int, p repProfile, months []month, rng *rand.Rand) {
	id, leader := ID(p.name), member(p.manager)
	n, perf := len(s.cal.weeks), 0
	for w, wk := range s.cal.weeks {
		held := wk.monday.Time().Add(time.Duration(meetingDay[i%len(meetingDay)])*24*time.Hour + 9*time.Hour + time.Duration(i%6)*40*time.Minute)
		entered := writeUp(p.manager, held)
		if p.name == biweekly && w%2 == 1 {
			continue
		}
		if reason, skip := s.leaderSkips(w); skip && p.manager == Leo {
			day := domain.DateOf(held).String()
			plan.add(entered, func() { s.doAt(id, leader, held, entered, domain.SkipMeeting{ScheduledFor: day, Reason: reason}) })
			continue
		}
		if p.manager == Priya && (w%5 == 1 || w%5 == 3) {
			note := "Walked through the open deals."
			plan.add(entered, func() {
				s.doAt(id, leader, held, entered, domain.HoldMeeting{Kind: "pipeline", HeldAt: held.Format(time.RFC3339), WithID: leader.ID,
					DurationMinutes: ptr(30), Notes: &note})
			})
			continue
		}
		gap := s.diagnosis(months, wk.month)
		meeting := new(uuid.UUID)
		plan.add(entered, func() {
			*meeting = s.doAt(id, leader, held, entered, s.performanceMeeting(leader.ID, held, gap)).ResourceID()
		})
		perf++
		outcome := ""
		switch {
		case p.name == Rep && w >= n-3:
			outcome = map[int]string{n - 3: "kept", n - 2: "kept", n - 1: "open"}[w]
		case perf%2 == 1 || (p.name == Rep && w >= n-5):
			continue
		}
		texts := commitmentTexts[gap]
		s.planCommitment(plan, p, held, meeting, texts[rng.IntN(len(texts))], outcome, rng)
	}
	s.planThisWeek(plan, i, p, months)
}

// planThisWeek holds this week's 1-on-1s that are already written up, the
// usual kind for the week, so that the cadence's "days since the last
// 1-on-1" reads as a team's on any day of the week. Ana's is left for the
// reviewer to record from Leo's board.
func (s *seeder) planThisWeek(plan *journalPlan, i int, p repProfile, months []month) {
	n := len(s.cal.weeks)
	if n == 0 || p.name == Rep || (p.name == biweekly && n%2 == 1) {
		return
	}
	id, leader := ID(p.name), member(p.manager)
	held := s.cal.weeks[n-1].monday.AddDays(7).Time().Add(time.Duration(meetingDay[i%len(meetingDay)])*24*time.Hour + 9*time.Hour + time.Duration(i%6)*40*time.Minute)
	entered := writeUp(p.manager, held)
	if entered.After(s.now) {
		return
	}
	cmd := s.performanceMeeting(leader.ID, held, s.diagnosis(months, len(months)-1))
	if p.manager == Priya && (n%5 == 1 || n%5 == 3) {
		cmd = domain.HoldMeeting{Kind: "pipeline", HeldAt: held.Format(time.RFC3339), WithID: leader.ID, DurationMinutes: ptr(30), Notes: str("Walked through the open deals.")}
	}
	plan.add(entered, func() { s.doAt(id, leader, held, entered, cmd) })
}

// diagnosis is the gap a leader names in month m: last month's, or
// "market" after the month the whole team dipped.
func (s *seeder) diagnosis(months []month, m int) string {
	if m > 0 {
		m--
	}
	if m == s.cal.dip {
		return "market"
	}
	return months[m].gap()
}

func (s *seeder) performanceMeeting(with string, held time.Time, gap string) domain.HoldMeeting {
	h := domain.HoldMeeting{Kind: "performance", HeldAt: held.Format(time.RFC3339), WithID: with, DurationMinutes: ptr(45),
		Notes: str("Numbers against the standard, then the why.")}
	if gap != "" {
		h.Diagnosis = &domain.DiagnosisInput{Primary: gap, Note: str(diagnosisNotes[gap])}
	}
	return h
}

// planCommitment records a commitment made in a meeting (entered with the
// meeting), due that Friday (Thursday for the forced ones), and what
// became of it: kept or missed on the due day by the rep's keep rate
// (outcome "" draws it), sometimes renegotiated a week later first or
// followed up midway; a commitment due after today stays open, and outcome
// "open" leaves it open (overdue).
func (s *seeder) planCommitment(plan *journalPlan, p repProfile, held time.Time, meeting *uuid.UUID, text, outcome string, rng *rand.Rand) {
	id, leader := ID(p.name), member(p.manager)
	made := held.Add(50 * time.Minute)
	due := domain.DateOf(held).AddDays((12 - int(held.Weekday())) % 7) // that Friday
	if outcome != "" {
		due = due.AddDays(-1)
	}
	cid, dueOn := new(uuid.UUID), due.String()
	// The commitment is entered with the meeting's write-up, and what
	// becomes of it after that.
	recorded := writeUp(p.manager, held).Add(2 * time.Minute)
	after := func(at time.Time) time.Time {
		if !at.After(recorded) {
			return recorded.Add(2 * time.Hour)
		}
		return at
	}
	plan.add(recorded, func() {
		mid := meeting.String()
		*cid = s.doAt(id, leader, made, recorded, domain.MakeCommitment{Text: text, DueOn: dueOn, MeetingID: &mid}).ResourceID()
	})
	today := s.cal.today
	if rng.Float64() < 0.3 {
		at := after(due.Time().Add(9 * time.Hour)) // the morning it is due
		progress := float64(rng.IntN(9)+1) / 10
		plan.add(at, func() {
			s.do(id, leader, at, domain.FollowUpCommitment{CommitmentID: *cid, Note: fmt.Sprintf("About %.0f%% done", progress*100), Progress: &progress})
		})
	}
	if outcome == "" && rng.Float64() < 0.15 && due.AddDays(7).Before(today) {
		at, newDue := after(due.Time().Add(9*time.Hour)), due.AddDays(7)
		plan.add(at, func() {
			s.do(id, leader, at, domain.RenegotiateCommitment{CommitmentID: *cid, NewDueOn: newDue.String(), Reason: "A customer moved the meeting a week"})
		})
		due = newDue
	}
	if outcome == "" {
		outcome = "missed"
		if rng.Float64() < p.keep {
			outcome = "kept"
		}
	}
	if outcome == "open" || !due.Before(today) {
		return
	}
	at := after(due.Time().Add(17 * time.Hour))
	plan.add(at, func() { s.do(id, leader, at, domain.ResolveCommitment{CommitmentID: *cid, Status: outcome}) })
}

// planSucceededPIP: Gus's PIP on conversion, opened early in the second
// month, checked in every two weeks on time, closed as succeeded.
func (s *seeder) planSucceededPIP(plan *journalPlan, p repProfile) {
	id, hr, leader, self := ID(p.name), hrActor(), member(p.manager), member(p.name)
	start := s.cal.months[1].Start().AddDays(2)
	at := func(days, hour int) time.Time { return start.AddDays(days).Time().Add(time.Duration(hour) * time.Hour) }
	var pip uuid.UUID
	var goals []domain.PIPGoal
	plan.add(at(0, 11), func() {
		e := s.do(id, hr, at(0, 11), domain.OpenPIP{Reason: "Win rate under 25% for two months in a row",
			StartsOn: start.String(), EndsOn: start.AddDays(60).String(), CheckInEveryDays: ptr(14),
			Goals: []domain.GoalInput{
				{Text: "Win 35% of new opportunities", Metric: str("win_rate"), Target: f64(0.35)},
				{Text: "Role-play the discovery call with Priya every week"},
			}})
		if d, ok := e.Data.(*domain.PIPOpened); ok {
			pip, goals = d.PIPID, d.Goals
		}
	})
	plan.add(at(1, 10), func() {
		s.do(id, self, at(1, 10), domain.AcknowledgePIP{PIPID: pip, Comment: str("Understood. I want this to work.")})
	})
	for k, st := range [][2]string{{"at_risk", "on_track"}, {"on_track", "on_track"}, {"met", "met"}, {"met", "met"}} {
		day := 14 * (k + 1)
		plan.add(at(day, 16), func() {
			if len(goals) < 2 {
				return // the opening failed: s.err says why
			}
			s.do(id, leader, at(day, 16), domain.CheckInPIP{PIPID: pip, On: start.AddDays(day).String(), Note: "Reviewed the win rate and the role-plays.",
				Goals: []domain.GoalStatusInput{{GoalID: goals[0].GoalID.String(), Status: st[0]}, {GoalID: goals[1].GoalID.String(), Status: st[1]}}})
		})
	}
	plan.add(at(60, 12), func() {
		s.do(id, hr, at(60, 12), domain.ClosePIP{PIPID: pip, Outcome: "succeeded", Note: "Win rate at 44% for the last month; both goals met."})
	})
}

// planActivePIP: Hana's PIP, six weeks old: weekly check-ins, one of them
// three days late, goals revised once and acknowledged again.
func (s *seeder) planActivePIP(plan *journalPlan, p repProfile) {
	id, hr, leader, self := ID(p.name), hrActor(), member(p.manager), member(p.name)
	start := s.cal.today.AddDays(-42)
	at := func(days, hour int) time.Time { return start.AddDays(days).Time().Add(time.Duration(hour) * time.Hour) }
	var pip uuid.UUID
	var goals []domain.PIPGoal
	plan.add(at(0, 11), func() {
		e := s.do(id, hr, at(0, 11), domain.OpenPIP{Reason: "Win rate under 25% for four months; coaching has not moved it",
			StartsOn: start.String(), EndsOn: start.AddDays(84).String(),
			Goals: []domain.GoalInput{
				{Text: "Win 35% of new opportunities", Metric: str("win_rate"), Target: f64(0.35)},
				{Text: "Record two discovery calls a week for review"},
			}})
		if d, ok := e.Data.(*domain.PIPOpened); ok {
			pip, goals = d.PIPID, d.Goals
		}
	})
	plan.add(at(1, 9), func() {
		s.do(id, self, at(1, 9), domain.AcknowledgePIP{PIPID: pip, Comment: str("I see the numbers.")})
	})
	checkIn := func(day int, st0, st1, note string) {
		plan.add(at(day, 16), func() {
			if len(goals) < 2 {
				return // the opening failed: s.err says why
			}
			s.do(id, leader, at(day, 16), domain.CheckInPIP{PIPID: pip, On: start.AddDays(day).String(), Note: note,
				Goals: []domain.GoalStatusInput{{GoalID: goals[0].GoalID.String(), Status: st0}, {GoalID: goals[1].GoalID.String(), Status: st1}}})
		})
	}
	checkIn(7, "at_risk", "on_track", "Two calls recorded; one deal won of six.")
	checkIn(14, "at_risk", "at_risk", "Calls recorded late; the stuck stage is the proposal.")
	plan.add(at(17, 11), func() {
		if len(goals) < 2 {
			return
		}
		e := s.do(id, hr, at(17, 11), domain.RevisePIP{PIPID: pip, Reason: "The proposal stage is where deals stall: the goal now names it",
			Goals: []domain.GoalInput{
				{GoalID: str(goals[0].GoalID.String()), Text: goals[0].Text, Metric: str("win_rate"), Target: f64(0.35)},
				{Text: "Agree a mutual action plan on every deal past the demo"},
			}})
		if d, ok := e.Data.(*domain.PIPRevised); ok {
			goals = d.Goals
		}
	})
	plan.add(at(19, 10), func() {
		s.do(id, self, at(19, 10), domain.AcknowledgePIP{PIPID: pip, Comment: str("Agreed, the new goal is clearer.")})
	})
	checkIn(24, "at_risk", "on_track", "Three days late: Priya was travelling. Two action plans agreed.")
	checkIn(28, "on_track", "on_track", "Win rate 30% this month so far.")
	checkIn(35, "on_track", "on_track", "Two wins from action-plan deals.")
}
