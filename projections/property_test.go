package projections

import (
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// world tracks what a random stream has done so far, so that it only
// draws events the domain would accept.
type world struct {
	f       *feed
	people  []uuid.UUID
	manager map[uuid.UUID]*uuid.UUID
	erased  map[uuid.UUID]bool
	open    map[uuid.UUID][]uuid.UUID // person → open commitments
	pip     map[uuid.UUID]*struct {
		id    uuid.UUID
		goals []uuid.UUID
		ends  domain.Date
		acked bool
	}
}

var words = rapid.SampledFrom([]string{"alpha", "bravo call", "charlie", "delta ✓", "echo\nnote", "fox"})

// newWorld returns an empty world on a new feed.
func newWorld() *world {
	return &world{f: newFeed(), manager: map[uuid.UUID]*uuid.UUID{}, erased: map[uuid.UUID]bool{}, open: map[uuid.UUID][]uuid.UUID{},
		pip: map[uuid.UUID]*struct {
			id    uuid.UUID
			goals []uuid.UUID
			ends  domain.Date
			acked bool
		}{}}
}

func (w *world) chain(id uuid.UUID) []uuid.UUID {
	out := []uuid.UUID{id}
	for m := w.manager[id]; m != nil; m = w.manager[*m] {
		out = append(out, *m)
	}
	return out
}

func (w *world) step(t *rapid.T) {
	day := domain.NewDate(2026, 11, 1).AddDays(rapid.IntRange(0, 90).Draw(t, "day"))
	text := words.Draw(t, "text")
	if len(w.people) == 0 || rapid.IntRange(0, 9).Draw(t, "register") == 0 {
		id := uuid.New()
		var m *uuid.UUID
		if len(w.people) > 0 && rapid.Bool().Draw(t, "managed") {
			mm := rapid.SampledFrom(w.people).Draw(t, "manager")
			m = &mm
		}
		w.f.add(id, hrActor, &domain.PersonRegistered{Name: text, Email: "x@example.com", Title: rapid.SampledFrom([]*string{nil, str("AE")}).Draw(t, "title"), ManagerID: m})
		w.people = append(w.people, id)
		w.manager[id] = m
		return
	}
	p := rapid.SampledFrom(w.people).Draw(t, "person")
	if w.erased[p] {
		return
	}
	actor := member(uuid.New())
	pip := w.pip[p]
	switch rapid.IntRange(0, 13).Draw(t, "kind") {
	case 0:
		m := rapid.SampledFrom(w.people).Draw(t, "new manager")
		for _, c := range w.chain(m) {
			if c == p {
				return // would be a cycle
			}
		}
		w.f.add(p, hrActor, &domain.ManagerChanged{ManagerID: &m})
		w.manager[p] = &m
	case 1:
		w.f.add(p, actor, &domain.PersonUpdated{Name: &text})
	case 2:
		w.f.add(p, actor, &domain.MetricsSubmitted{Period: domain.WeekPeriod(day), Values: map[string]float64{"revenue": float64(day.DaysUntil(domain.NewDate(2027, 1, 1))), text[:1]: 1}, Source: "self"})
	case 3:
		w.f.add(p, actor, &domain.MeetingHeld{MeetingID: uuid.New(), Kind: "performance", HeldAt: day.Time(), WithID: uuid.New(), Notes: &text})
	case 4, 5:
		c := uuid.New()
		w.f.add(p, actor, &domain.CommitmentMade{CommitmentID: c, Text: text, DueOn: day})
		w.open[p] = append(w.open[p], c)
	case 6:
		if cs := w.open[p]; len(cs) > 0 {
			prog := rapid.Float64Range(0, 1).Draw(t, "progress")
			w.f.add(p, actor, &domain.CommitmentFollowedUp{CommitmentID: rapid.SampledFrom(cs).Draw(t, "c"), Note: text, Progress: &prog})
		}
	case 7:
		if cs := w.open[p]; len(cs) > 0 {
			w.f.add(p, actor, &domain.CommitmentRenegotiated{CommitmentID: rapid.SampledFrom(cs).Draw(t, "c"), NewDueOn: day.AddDays(200), Reason: text})
		}
	case 8:
		if cs := w.open[p]; len(cs) > 0 {
			k := rapid.IntRange(0, len(cs)-1).Draw(t, "c")
			var d domain.Data
			switch rapid.IntRange(0, 2).Draw(t, "resolution") {
			case 0:
				d = &domain.CommitmentKept{CommitmentID: cs[k]}
			case 1:
				d = &domain.CommitmentMissed{CommitmentID: cs[k], Note: &text}
			default:
				d = &domain.CommitmentWithdrawn{CommitmentID: cs[k], Reason: text}
			}
			w.f.add(p, actor, d)
			w.open[p] = append(cs[:k:k], cs[k+1:]...)
		}
	case 9:
		if pip == nil {
			x := &struct {
				id    uuid.UUID
				goals []uuid.UUID
				ends  domain.Date
				acked bool
			}{id: uuid.New(), goals: ids(rapid.IntRange(1, 3).Draw(t, "goals")), ends: day.AddDays(60)}
			var goals []domain.PIPGoal
			for _, g := range x.goals {
				goals = append(goals, domain.PIPGoal{GoalID: g, Text: text})
			}
			w.f.add(p, hrActor, &domain.PIPOpened{PIPID: x.id, Reason: text, StartsOn: day, EndsOn: x.ends, CheckInEveryDays: rapid.IntRange(1, 14).Draw(t, "every"), Goals: goals})
			w.pip[p] = x
		} else if !pip.acked {
			w.f.add(p, member(p), &domain.PIPAcknowledged{PIPID: pip.id, Comment: &text})
			pip.acked = true
		}
	case 10:
		if pip != nil {
			var st []domain.GoalStatus
			for _, g := range pip.goals {
				st = append(st, domain.GoalStatus{GoalID: g, Status: rapid.SampledFrom([]string{"on_track", "at_risk", "met", "not_met"}).Draw(t, "status"), Note: &text})
			}
			w.f.add(p, actor, &domain.PIPCheckedIn{PIPID: pip.id, On: day, Note: text, Goals: st})
		}
	case 11:
		if pip != nil {
			pip.goals = append(pip.goals[:1:1], uuid.New())
			w.f.add(p, hrActor, &domain.PIPRevised{PIPID: pip.id, Reason: text, Goals: []domain.PIPGoal{{GoalID: pip.goals[0], Text: text}, {GoalID: pip.goals[1], Text: "new " + text}}})
			pip.acked = false
		}
	case 12:
		if pip != nil {
			if rapid.Bool().Draw(t, "close") {
				w.f.add(p, hrActor, &domain.PIPClosed{PIPID: pip.id, Outcome: "not_met", Note: text})
				w.pip[p] = nil
			} else {
				pip.ends = pip.ends.AddDays(7)
				w.f.add(p, hrActor, &domain.PIPExtended{PIPID: pip.id, NewEndsOn: pip.ends, Reason: text})
			}
		}
	case 13:
		if rapid.Bool().Draw(t, "erase") {
			w.f.add(p, hrActor, &domain.PersonErased{Reason: text})
			w.erased[p] = true
		} else {
			w.f.add(p, hrActor, &domain.PersonDeparted{On: day, Reason: text})
		}
	}
}

// TestIncrementalEqualsRebuild checks that applying a stream in two halves,
// with every model read in between, gives the same models as one rebuild,
// and that what was read in between is not changed by the second half.
func TestIncrementalEqualsRebuild(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := newWorld()
		n := rapid.IntRange(1, 120).Draw(t, "events")
		for len(w.f.events) < n {
			w.step(t)
		}
		today := domain.NewDate(2026, 11, 1).AddDays(rapid.IntRange(0, 150).Draw(t, "today"))
		half := rapid.IntRange(0, len(w.f.events)).Draw(t, "half")

		full := w.f.set()
		inc := NewSet()
		w.f.applyTo(inc, 0, half)
		mid := snapshot(inc, today)
		midJSON := mustJSON(t, mid)
		w.f.applyTo(inc, half, len(w.f.events))

		if a, b := mustJSON(t, snapshot(full, today)), mustJSON(t, snapshot(inc, today)); a != b {
			t.Fatalf("incremental differs from rebuild:\n%s\n%s", a, b)
		}
		if got := mustJSON(t, mid); got != midJSON {
			t.Fatalf("results read at %d changed when more events were applied", half)
		}
	})
}

// snapshot reads every model of s (the results themselves, not their JSON).
func snapshot(s *Set, today domain.Date) []any {
	out := []any{s.Sequence(), s.People(nil), s.PIPs(""), s.PIPs("active"), s.PIPs("closed")}
	for _, p := range s.People(nil) {
		person, _ := s.Person(p.ID)
		steps, _ := s.Timeline(p.ID, TimelineQuery{Limit: 1 << 20})
		page, next := s.Timeline(p.ID, TimelineQuery{TypePrefix: "commitment.", Limit: 2})
		out = append(out, person, s.People(&p.ID), s.ManagerChain(p.ID), s.Commitments(p.ID), s.PIPsOf(p.ID), steps, page, next)
		for _, q := range s.People(nil) {
			out = append(out, s.InView(p.ID, q.ID))
		}
	}
	for _, x := range s.PIPs("") {
		out = append(out, x.Schedule(today))
	}
	return out
}
