package projections

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// TestJournalParts folds a person's journal for every set of parts and
// checks it against the domain's own fold of the events of those parts,
// then that a PIP command decides on the journal of the parts it reads as
// on the whole journal.
func TestJournalParts(t *testing.T) {
	p := ids(2)
	lead, ana := p[0], p[1]
	first, second, goal, meeting, commit := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	f := newFeed()
	register(f, lead, "Leo", nil)
	register(f, ana, "Ana Lima", &lead)
	start := domain.DateOf(f.at)
	for k := range 20 {
		f.add(ana, member(ana), &domain.MetricsSubmitted{Period: domain.WeekPeriod(start.AddDays(-7 * k)), Values: map[string]float64{"activities": 40}, Source: "self"})
		if k%5 == 0 {
			f.add(ana, member(lead), &domain.MeetingHeld{MeetingID: uuid.New(), Kind: "coaching", HeldAt: f.at, WithID: lead})
			f.add(ana, member(lead), &domain.CommitmentMade{CommitmentID: uuid.New(), Text: "call", DueOn: start.AddDays(7)})
		}
	}
	f.add(ana, member(lead), &domain.MeetingHeld{MeetingID: meeting, Kind: "coaching", HeldAt: f.at, WithID: lead})
	f.add(ana, member(lead), &domain.CommitmentMade{CommitmentID: commit, Text: "call", DueOn: start.AddDays(7), MeetingID: &meeting})
	f.add(ana, member(lead), &domain.PIPOpened{PIPID: first, StartsOn: start, EndsOn: start.AddDays(30), CheckInEveryDays: 7, Goals: []domain.PIPGoal{{GoalID: uuid.New(), Text: "x"}}})
	f.add(ana, member(lead), &domain.PIPClosed{PIPID: first, Outcome: "withdrawn", Note: "wrong plan"})
	f.add(ana, member(lead), &domain.CommitmentKept{CommitmentID: commit})
	beforeSecond := f.versions[ana]
	f.add(ana, member(lead), &domain.PIPOpened{PIPID: second, StartsOn: start, EndsOn: start.AddDays(30), CheckInEveryDays: 7, Goals: []domain.PIPGoal{{GoalID: uuid.New(), Text: "x"}}})
	f.add(ana, member(ana), &domain.PIPAcknowledged{PIPID: second})
	f.add(ana, member(lead), &domain.PIPRevised{PIPID: second, Goals: []domain.PIPGoal{{GoalID: goal, Text: "y"}}, Reason: "clearer"})
	f.add(ana, member(lead), &domain.MetricsSubmitted{Period: domain.WeekPeriod(start), Values: map[string]float64{"activities": 41}, Source: "manager", CorrectionReason: str("typo")})
	all := f.versions[ana]
	s := f.set()

	var events []domain.Event
	for _, e := range f.events {
		if e.PersonID == ana {
			events = append(events, e)
		}
	}
	for parts := range domain.PartsAll + 1 {
		for _, n := range []uint64{0, 1, 5, beforeSecond, all, all + 3} {
			want := domain.NewJournal(ana)
			for _, e := range events[:min(n, all)] {
				if domain.PartOf(e.Data)&parts != 0 {
					want.Evolve(domain.Event{Version: e.Version, Data: e.Data})
				}
			}
			if n > 0 {
				want.Evolve(domain.Event{Version: min(n, all)})
			}
			if got := s.Journal(ana, n, parts); !reflect.DeepEqual(got, want) {
				t.Errorf("Journal(%d, parts %05b) = %+v, want %+v", n, parts, got, want)
			}
		}
	}

	now := f.at.Add(time.Hour)
	cases := []struct {
		n        uint64
		actor    uuid.UUID
		cmd      domain.Command
		accepted bool
	}{
		{all, ana, domain.AcknowledgePIP{PIPID: second}, true},
		{all, ana, domain.AcknowledgePIP{PIPID: first}, false},
		{all, lead, domain.CheckInPIP{PIPID: second, On: start.String(), Note: "on track", Goals: []domain.GoalStatusInput{{GoalID: goal.String(), Status: "on_track"}}}, true},
		{all, lead, domain.ExtendPIP{PIPID: second, NewEndsOn: start.AddDays(40).String(), Reason: "more time"}, true},
		{all, lead, domain.ClosePIP{PIPID: first, Outcome: "succeeded", Note: "n"}, false},
		{all, lead, domain.OpenPIP{Reason: "r", StartsOn: start.String(), EndsOn: start.AddDays(30).String(), Goals: []domain.GoalInput{{Text: "x"}}}, false},
		{beforeSecond, lead, domain.OpenPIP{Reason: "r", StartsOn: start.String(), EndsOn: start.AddDays(30).String(), Goals: []domain.GoalInput{{Text: "x"}}}, true},
		{beforeSecond, lead, domain.CheckInPIP{PIPID: second, On: start.String(), Note: "n"}, false},
	}
	for _, c := range cases {
		m := domain.Meta{Actor: member(c.actor), Now: now}
		whole, werr := domain.Decide(s.Journal(ana, c.n, domain.PartsAll), c.cmd, m)
		part, perr := domain.Decide(s.Journal(ana, c.n, domain.Reads(c.cmd)), c.cmd, m)
		if (werr == nil) != c.accepted {
			t.Fatalf("%T at %d on the whole journal: %v; the case wants accepted %v", c.cmd, c.n, werr, c.accepted)
		}
		if got, want := decided(t, part, perr), decided(t, whole, werr); got != want {
			t.Errorf("%T at %d: on the parts it reads %s; on the whole journal %s", c.cmd, c.n, got, want)
		}
	}
}

// decided writes Decide's outcome: the error, or the event's version and
// data, with the ids of a new PIP left out.
func decided(t *testing.T, e domain.Event, err error) string {
	t.Helper()
	if err != nil {
		return "refused: " + err.Error()
	}
	if d, ok := e.Data.(*domain.PIPOpened); ok {
		c := *d
		c.PIPID, c.Goals = uuid.Nil, nil
		e.Data = &c
	}
	b, jerr := json.Marshal(struct {
		Version  uint64
		PrevHash string
		Data     domain.Data
	}{e.Version, e.PrevHash, e.Data})
	if jerr != nil {
		t.Fatal(jerr)
	}
	return string(b)
}
