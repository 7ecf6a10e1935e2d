// Package nudges derives, from the projections and the day, what the
// journal should remind a person of: a commitment due tomorrow or overdue,
// a performance 1-on-1 missing against the leader's cadence, a PIP check-in
// due or missed, a PIP revision not yet acknowledged, a team's market
// signal. Each nudge names its recipient and the page that resolves it, and
// it is gone once the journal resolves it (the commitment kept, the meeting
// held): nudges are a function of the projections and the day, never
// stored.
//
// A nudge's ID is stable for one occasion and one recipient (a commitment
// overdue since one due date; a cadence missed since one last meeting), so
// that whatever delivers nudges can deliver each once and a recipient's
// inbox can remember what was read. Days are UTC days, like the cadence's.
package nudges

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
)

// The kinds of nudge.
const (
	CommitmentDueTomorrow     = "commitment_due_tomorrow"
	CommitmentOverdue         = "commitment_overdue"
	OneOnOneMissing           = "one_on_one_missing"
	PIPCheckInDue             = "pip_check_in_due"
	PIPCheckInMissed          = "pip_check_in_missed"
	PIPRevisionUnacknowledged = "pip_revision_unacknowledged"
	MarketSignal              = "market_signal"
	WeeklyDigest              = "weekly_digest" // by email, Slack and webhook only (Digest)
)

// Nudge is one reminder for one recipient.
type Nudge struct {
	ID    string      `json:"id"`    // stable for the occasion and the recipient
	Kind  string      `json:"kind"`  // one of the constants above
	About uuid.UUID   `json:"about"` // whose journal (or team) it is about
	Text  string      `json:"text"`  // in words, for people
	Link  string      `json:"link"`  // the page that resolves it
	Since domain.Date `json:"since"` // the day it became due
}

// Recipient is who asks: a person (zero ID for a service) with a role.
type Recipient struct {
	Person uuid.UUID
	Role   domain.Role
}

// Views is what the rules read: the projections' queries.
type Views interface {
	Person(id uuid.UUID) (projections.Person, bool)
	People(managerID *uuid.UUID) []projections.Person
	Commitments(personID uuid.UUID) []projections.Commitment
	PIPs(state string) []projections.PIP
	PIPsOf(personID uuid.UUID) []projections.PIP
	Cadence(managerID uuid.UUID, from, to domain.Date) projections.Cadence
	Board(managerID uuid.UUID, month domain.Period, asOf time.Time) projections.Board
}

// pipDueAhead is how many days before a PIP check-in is due it is nudged.
const pipDueAhead = 2

// cadenceLookback is how far back the cadence is read to find a report's
// last performance 1-on-1 and when they came under their leader.
const cadenceLookback = 366

// For returns r's nudges on day today (UTC), the newest first. The rules:
//
//   - A commitment still open and due tomorrow: its owner (the person whose
//     journal holds it). Overdue (due before today): its owner and their
//     manager.
//   - A direct report with no performance 1-on-1 with their leader for
//     more days than the leader's cadence (counted from the last one the
//     leader recorded, or from the day the report came under them): the
//     leader; past twice the cadence, the leader's manager too.
//   - An active PIP's check-in due within two days, or one missed: HR and
//     the person's manager. A revision not acknowledged yet: the person.
//   - The market signal on a team's board for last month (the last
//     complete one: early in a month nearly every rep is below 90% of a
//     monthly goal, so the current month would raise it every month): its
//     leader and the leader's manager.
//
// Departed and erased people get no nudges and cause none.
func For(v Views, r Recipient, today domain.Date) []Nudge {
	var out []Nudge
	me, isPerson := v.Person(r.Person)
	if isPerson && (me.DepartedOn != nil || me.Erased) {
		return nil
	}
	if isPerson {
		out = append(out, ownCommitments(v, me, today)...)
		out = append(out, ownPIPs(v, me, today)...)
		reports := active(v.People(&me.ID))
		for _, p := range reports {
			out = append(out, reportCommitments(v, me, p, today)...)
		}
		if len(reports) > 0 {
			out = append(out, cadence(v, me, today)...)
			out = append(out, markets(v, me, reports, today)...)
		}
		for _, p := range reports {
			out = append(out, pipCheckIns(v, me, p, today)...)
		}
	}
	if r.Role == domain.RoleHR {
		for _, x := range v.PIPs("active") {
			if p, ok := v.Person(x.PersonID); ok && p.DepartedOn == nil && !p.Erased {
				out = append(out, checkIns(hrKey, x, p, today)...)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Nudge) int {
		if c := a.Since.DaysUntil(b.Since); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return slices.CompactFunc(out, func(a, b Nudge) bool { return a.ID == b.ID })
}

// hrKey stands for every HR reader in a nudge's ID: HR's nudges are
// shared, one inbox per HR person.
const hrKey = "hr"

func active(ps []projections.Person) []projections.Person {
	out := ps[:0:0]
	for _, p := range ps {
		if p.DepartedOn == nil && !p.Erased {
			out = append(out, p)
		}
	}
	return out
}

func ownCommitments(v Views, me projections.Person, today domain.Date) []Nudge {
	var out []Nudge
	for _, c := range v.Commitments(me.ID) {
		switch {
		case c.Status != "open":
		case c.DueOn == today.AddDays(1):
			out = append(out, Nudge{Kind: CommitmentDueTomorrow, About: me.ID, Since: today,
				ID:   id(CommitmentDueTomorrow, me.ID.String(), c.ID.String(), c.DueOn.String()),
				Text: fmt.Sprintf("Your commitment “%s” is due tomorrow.", c.Text), Link: "/ui/people/" + me.ID.String()})
		case c.DueOn.Before(today):
			out = append(out, Nudge{Kind: CommitmentOverdue, About: me.ID, Since: c.DueOn.AddDays(1),
				ID:   id(CommitmentOverdue, me.ID.String(), c.ID.String(), c.DueOn.String()),
				Text: fmt.Sprintf("Your commitment “%s” was due on %s and is still open.", c.Text, c.DueOn.Time().Format("2 January")), Link: "/ui/people/" + me.ID.String()})
		}
	}
	return out
}

func reportCommitments(v Views, me, p projections.Person, today domain.Date) []Nudge {
	var out []Nudge
	for _, c := range v.Commitments(p.ID) {
		if c.Status == "open" && c.DueOn.Before(today) {
			out = append(out, Nudge{Kind: CommitmentOverdue, About: p.ID, Since: c.DueOn.AddDays(1),
				ID:   id(CommitmentOverdue, me.ID.String(), c.ID.String(), c.DueOn.String()),
				Text: fmt.Sprintf("%s's commitment “%s” was due on %s and is still open.", p.Name, c.Text, c.DueOn.Time().Format("2 January")),
				Link: "/ui/people/" + p.ID.String() + "/one-on-one"})
		}
	}
	return out
}

// cadence: me's own reports past the cadence, and the reports of the
// leaders reporting to me past twice theirs.
func cadence(v Views, me projections.Person, today domain.Date) []Nudge {
	c := v.Cadence(me.ID, today.AddDays(-cadenceLookback), today)
	out := missing(me, c.LeaderCadence, today, 1)
	for _, l := range c.Leaders {
		if l.ReportsTo != nil && *l.ReportsTo == me.ID {
			out = append(out, missing(me, l, today, 2)...)
		}
	}
	return out
}

// missing returns to's nudges for l's reports who have had no performance
// 1-on-1 with l for more than times × the cadence.
func missing(to projections.Person, l projections.LeaderCadence, today domain.Date, times int) []Nudge {
	var out []Nudge
	every := l.EveryDays
	for _, row := range l.Rows {
		if row.To.Before(today) {
			continue // departed
		}
		since := row.From // no 1-on-1 yet: counted from the day they came under l
		if row.LastMeeting != nil && row.LastMeeting.After(since) {
			since = *row.LastMeeting
		}
		days := since.DaysUntil(today)
		if days <= times*every {
			continue
		}
		text := fmt.Sprintf("No performance 1-on-1 with %s for %d days; your cadence is every %d days.", row.Name, days, every)
		link := "/ui/people/" + row.PersonID.String() + "/one-on-one"
		if times > 1 {
			text = fmt.Sprintf("%s has had no performance 1-on-1 with %s for %d days, more than twice their cadence of %d days.", l.Name, row.Name, days, every)
			link = "/ui/cadence/" + l.ManagerID.String()
		}
		out = append(out, Nudge{Kind: OneOnOneMissing, About: row.PersonID, Since: since.AddDays(times*every + 1),
			ID:   id(OneOnOneMissing, to.ID.String(), l.ManagerID.String(), row.PersonID.String(), since.String(), fmt.Sprint(times)),
			Text: text, Link: link})
	}
	return out
}

func ownPIPs(v Views, me projections.Person, today domain.Date) []Nudge {
	var out []Nudge
	for _, x := range v.PIPsOf(me.ID) {
		if x.State != "active" || !x.AwaitingAcknowledgement {
			continue
		}
		since := domain.DateOf(x.OpenedAt.UTC())
		if n := len(x.Steps); n > 0 {
			since = domain.DateOf(x.Steps[n-1].OccurredAt.UTC())
		}
		out = append(out, Nudge{Kind: PIPRevisionUnacknowledged, About: me.ID, Since: since,
			ID:   id(PIPRevisionUnacknowledged, me.ID.String(), x.ID.String(), fmt.Sprint(len(x.GoalVersions))),
			Text: "Your improvement plan has changed; please acknowledge that you received it.",
			Link: "/ui/people/" + me.ID.String() + "/pips/" + x.ID.String()})
	}
	return out
}

func pipCheckIns(v Views, me, p projections.Person, today domain.Date) []Nudge {
	var out []Nudge
	for _, x := range v.PIPsOf(p.ID) {
		if x.State == "active" {
			out = append(out, checkIns(me.ID.String(), x, p, today)...)
		}
	}
	return out
}

// checkIns are the nudges of x's schedule (projections.PIP.Schedule and
// NextDue, the rules the PIP pages show) for the recipient named key: the
// next check-in when it is due within pipDueAhead days, and the missed ones.
// Each links to the page that records a check-in.
func checkIns(key string, x projections.PIP, p projections.Person, today domain.Date) []Nudge {
	var out []Nudge
	link := "/ui/people/" + p.ID.String() + "/pips/" + x.ID.String() + "/check-ins"
	for _, e := range x.Schedule(today) {
		if e.Status == "missed" {
			out = append(out, Nudge{Kind: PIPCheckInMissed, About: p.ID, Since: e.Due.AddDays(1),
				ID:   id(PIPCheckInMissed, key, x.ID.String(), e.Due.String()),
				Text: fmt.Sprintf("%s's improvement plan check-in due on %s was missed.", p.Name, e.Due.Time().Format("2 January")), Link: link})
		}
	}
	if next := x.NextDue(today); next != nil && today.DaysUntil(*next) <= pipDueAhead {
		out = append(out, Nudge{Kind: PIPCheckInDue, About: p.ID, Since: next.AddDays(-pipDueAhead),
			ID:   id(PIPCheckInDue, key, x.ID.String(), next.String()),
			Text: fmt.Sprintf("%s's improvement plan has a check-in due on %s.", p.Name, next.Time().Format("Monday 2 January")), Link: link})
	}
	return out
}

// markets: the market signal on me's board, and on the boards of the
// leaders among me's reports.
func markets(v Views, me projections.Person, reports []projections.Person, today domain.Date) []Nudge {
	lastDay := today.AddDays(-today.Time().Day())
	month, name := domain.MonthPeriod(lastDay), lastDay.Time().Format("January")
	var out []Nudge
	if v.Board(me.ID, month, time.Time{}).MarketSignal {
		out = append(out, market(me.ID.String(), me, month, today, fmt.Sprintf("Most of your team was below 90%% in %s: the market may have shifted.", name)))
	}
	for _, l := range reports {
		if len(active(v.People(&l.ID))) > 0 && v.Board(l.ID, month, time.Time{}).MarketSignal {
			out = append(out, market(me.ID.String(), l, month, today, fmt.Sprintf("Most of %s's team was below 90%% in %s: the market may have shifted.", l.Name, name)))
		}
	}
	return out
}

func market(key string, leader projections.Person, month domain.Period, today domain.Date, text string) Nudge {
	return Nudge{Kind: MarketSignal, About: leader.ID, Since: today, ID: id(MarketSignal, key, leader.ID.String(), month.String()),
		Text: text, Link: "/ui/teams/" + leader.ID.String() + "?period=" + month.String()}
}

// id is a short stable digest of a nudge's kind, recipient and occasion.
func id(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:12])
}
