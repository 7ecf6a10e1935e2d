package domain

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// This file is in package domain: it looks at a Journal's fields to check
// that PartOf names what Evolve changes.

// partsOf copies a journal's state, part by part, as plain values.
func partsOf(j *Journal) map[Part]any {
	commits := map[uuid.UUID]commitState{}
	for id, c := range j.commits {
		commits[id] = *c
	}
	type pip struct {
		state pipState
		goals map[uuid.UUID]bool
	}
	pips := map[uuid.UUID]pip{}
	for id, p := range j.pips {
		goals := map[uuid.UUID]bool{}
		for g, v := range p.goals {
			goals[g] = v
		}
		st := *p
		st.goals = nil
		pips[id] = pip{st, goals}
	}
	periods := map[Period]bool{}
	for p, v := range j.periods {
		periods[p] = v
	}
	meetings := map[uuid.UUID]bool{}
	for m, v := range j.meetings {
		meetings[m] = v
	}
	return map[Part]any{
		PartPerson:      [3]bool{j.registered, j.departed, j.erased},
		PartPeriods:     periods,
		PartMeetings:    meetings,
		PartCommitments: commits,
		PartPIPs: struct {
			pips   map[uuid.UUID]pip
			active uuid.UUID
		}{pips, j.activePIP},
	}
}

// TestPartOfAgreesWithEvolve folds an event of every type into a journal
// that holds something in every part, with data that changes its part
// when it has one, and checks that exactly the part PartOf names changed:
// none for 0. Its id, version and last hash are the journal's own, as
// every event moves them.
func TestPartOfAgreesWithEvolve(t *testing.T) {
	ana := uuid.MustParse("01900000-0000-4000-8000-000000000001")
	meeting := uuid.MustParse("01900000-0000-4000-8000-000000000002")
	commit := uuid.MustParse("01900000-0000-4000-8000-000000000003")
	pipID := uuid.MustParse("01900000-0000-4000-8000-000000000004")
	goal := uuid.MustParse("01900000-0000-4000-8000-000000000005")
	fresh := uuid.MustParse("01900000-0000-4000-8000-000000000006")
	week := Period{Year: 2026, Week: 10}
	start := NewDate(2026, 3, 2)
	base := func() *Journal {
		j := NewJournal(ana)
		for k, d := range []Data{
			&PersonRegistered{Name: "Ana", Email: "ana@example.com"},
			&MetricsSubmitted{Period: week, Values: map[string]float64{"activities": 4}, Source: "self"},
			&MeetingHeld{MeetingID: meeting, Kind: "coaching"},
			&CommitmentMade{CommitmentID: commit, Text: "call", DueOn: start.AddDays(7)},
			&PIPOpened{PIPID: pipID, StartsOn: start, EndsOn: start.AddDays(30), Goals: []PIPGoal{{GoalID: goal, Text: "x"}}},
		} {
			j.Evolve(Event{Version: uint64(k) + 1, Data: d})
		}
		return j
	}
	// One event of each type, each changing the state of its part if it has one.
	byType := map[string]Data{
		TypePersonRegistered:       &PersonRegistered{Name: "Ana", Email: "ana@example.com"},
		TypePersonUpdated:          &PersonUpdated{Name: new("Ana Lima")},
		TypeManagerChanged:         &ManagerChanged{ManagerID: &fresh},
		TypePersonDeparted:         &PersonDeparted{On: start, Reason: "left"},
		TypePersonErased:           &PersonErased{Reason: "asked"},
		TypeStandardSet:            &StandardSet{AppliesTo: "self", EffectiveFrom: start, Period: "month", Targets: []Target{{Metric: "activities", Target: 40, Kind: "leading"}}},
		TypeCadenceSet:             &CadenceSet{EveryDays: 7},
		TypeMetricsSubmitted:       &MetricsSubmitted{Period: Period{Year: 2026, Week: 11}, Values: map[string]float64{"activities": 4}, Source: "self"},
		TypeMeetingHeld:            &MeetingHeld{MeetingID: fresh, Kind: "coaching"},
		TypeMeetingSkipped:         &MeetingSkipped{ScheduledFor: start, Reason: "ill"},
		TypeCommitmentMade:         &CommitmentMade{CommitmentID: fresh, Text: "mail", DueOn: start},
		TypeCommitmentFollowedUp:   &CommitmentFollowedUp{CommitmentID: commit, Note: "half"},
		TypeCommitmentRenegotiated: &CommitmentRenegotiated{CommitmentID: commit, NewDueOn: start.AddDays(20), Reason: "later"},
		TypeCommitmentKept:         &CommitmentKept{CommitmentID: commit},
		TypeCommitmentMissed:       &CommitmentMissed{CommitmentID: commit},
		TypeCommitmentWithdrawn:    &CommitmentWithdrawn{CommitmentID: commit, Reason: "moot"},
		TypePIPOpened:              &PIPOpened{PIPID: fresh, StartsOn: start, EndsOn: start.AddDays(20), Goals: []PIPGoal{{GoalID: fresh, Text: "y"}}},
		TypePIPAcknowledged:        &PIPAcknowledged{PIPID: pipID},
		TypePIPCheckedIn:           &PIPCheckedIn{PIPID: pipID, On: start, Note: "ok", Goals: []GoalStatus{{GoalID: goal, Status: "met"}}},
		TypePIPRevised:             &PIPRevised{PIPID: pipID, Goals: []PIPGoal{{GoalID: fresh, Text: "z"}}, Reason: "r"},
		TypePIPExtended:            &PIPExtended{PIPID: pipID, NewEndsOn: start.AddDays(40), Reason: "r"},
		TypePIPClosed:              &PIPClosed{PIPID: pipID, Outcome: "succeeded", Note: "n"},
	}
	types := EventTypes()
	if len(byType) != len(types) {
		t.Fatalf("the test has data for %d event types, the catalog has %d", len(byType), len(types))
	}
	check := func(name string, j *Journal, d Data) {
		before := partsOf(j)
		j.Evolve(Event{Version: 9, Hash: "h9", Data: d})
		if j.version != 9 || j.lastHash != "h9" || j.personID != ana {
			t.Errorf("%s: version %d, hash %q, person %v after the event", name, j.version, j.lastHash, j.personID)
		}
		var changed Part
		for part, v := range partsOf(j) {
			if !reflect.DeepEqual(before[part], v) {
				changed |= part
			}
		}
		if want := PartOf(d); changed != want {
			t.Errorf("%s: Evolve changed parts %05b, PartOf says %05b", name, changed, want)
		}
	}
	for _, typ := range types {
		d := byType[typ]
		if d == nil {
			t.Fatalf("no data for %s", typ)
		}
		if d.EventType() != typ {
			t.Fatalf("the data for %s is a %s", typ, d.EventType())
		}
		if typ == TypePersonRegistered {
			check(typ, NewJournal(ana), d) // the one event that changes its part only on a new journal
			continue
		}
		check(typ, base(), d)
	}
	check("no data", base(), nil)
}

// foldParts folds the events of parts into a new journal of person, then
// the last event's version and hash, as Reads' contract says.
func foldParts(person uuid.UUID, events []Event, parts Part) *Journal {
	j := NewJournal(person)
	for _, e := range events {
		if PartOf(e.Data)&parts != 0 {
			j.Evolve(e)
		}
	}
	if n := len(events); n > 0 {
		j.Evolve(Event{Version: events[n-1].Version, Hash: events[n-1].Hash})
	}
	return j
}

// commandKinds are the kinds of command the property test generates.
var commandKinds = []string{
	"RegisterPerson", "UpdatePerson", "ChangeManager", "DepartPerson", "ErasePerson",
	"SetStandard", "SetCadence", "HoldMeeting", "SkipMeeting", "SubmitMetrics",
	"MakeCommitment", "FollowUpCommitment", "RenegotiateCommitment", "ResolveCommitment",
	"OpenPIP", "AcknowledgePIP", "CheckInPIP", "RevisePIP", "ExtendPIP", "ClosePIP", "WithID",
}

// history is what the generator knows of a journal, in the order things
// were recorded, so that a seed picks the same things every run.
type history struct {
	r        *rand.Rand
	person   uuid.UUID
	now      time.Time
	events   []Event
	meetings []uuid.UUID
	commits  []uuid.UUID
	due      map[uuid.UUID]Date
	pips     []uuid.UUID
	pipDates map[uuid.UUID][2]Date
	goals    map[uuid.UUID][]uuid.UUID
	periods  []Period
}

func (h *history) record(d Data) {
	switch d := d.(type) {
	case *MeetingHeld:
		h.meetings = append(h.meetings, d.MeetingID)
	case *CommitmentMade:
		h.commits = append(h.commits, d.CommitmentID)
		h.due[d.CommitmentID] = d.DueOn
	case *CommitmentRenegotiated:
		h.due[d.CommitmentID] = d.NewDueOn
	case *PIPOpened:
		h.pips = append(h.pips, d.PIPID)
		h.pipDates[d.PIPID] = [2]Date{d.StartsOn, d.EndsOn}
		h.goals[d.PIPID] = goalIDs(d.Goals)
	case *PIPRevised:
		h.goals[d.PIPID] = goalIDs(d.Goals)
	case *PIPExtended:
		h.pipDates[d.PIPID] = [2]Date{h.pipDates[d.PIPID][0], d.NewEndsOn}
	case *MetricsSubmitted:
		h.periods = append(h.periods, d.Period)
	}
}

func goalIDs(goals []PIPGoal) []uuid.UUID {
	out := make([]uuid.UUID, len(goals))
	for i, g := range goals {
		out[i] = g.GoalID
	}
	return out
}

func (h *history) chance(p float64) bool { return h.r.Float64() < p }

// freshID is a random version-4 id from the seed.
func (h *history) freshID() uuid.UUID {
	var id uuid.UUID
	for i := range id {
		id[i] = byte(h.r.UintN(256))
	}
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	return id
}

// pick returns one of ids mostly, else a fresh id or, rarely, the nil one.
func (h *history) pick(ids []uuid.UUID) uuid.UUID {
	switch {
	case len(ids) > 0 && h.chance(0.8):
		if h.chance(0.6) {
			return ids[len(ids)-1] // the latest is the one most often still open
		}
		return ids[h.r.IntN(len(ids))]
	case h.chance(0.1):
		return uuid.Nil
	}
	return h.freshID()
}

func (h *history) today() Date { return DateOf(h.now) }

// day is a date around today, or rarely not a date at all.
func (h *history) day(from Date, lo, hi int) string {
	switch {
	case h.chance(0.03):
		return ""
	case h.chance(0.03):
		return "someday"
	}
	return from.AddDays(lo + h.r.IntN(hi-lo+1)).String()
}

func (h *history) text() string {
	if h.chance(0.1) {
		return []string{"", "  "}[h.r.IntN(2)]
	}
	return []string{"call the ten biggest accounts", "ok", "a note"}[h.r.IntN(3)]
}

func (h *history) optText() *string {
	if h.chance(0.5) {
		return nil
	}
	s := h.text()
	return &s
}

func (h *history) actor() Actor {
	switch n := h.r.IntN(10); {
	case n < 4:
		return Actor{ID: h.person.String(), Role: RoleMember}
	case n < 5:
		return Actor{ID: strings.ToUpper(h.person.String()), Role: RoleMember}
	case n < 8:
		return Actor{ID: "01900000-0000-4000-8000-0000000000aa", Role: RoleMember}
	case n < 9:
		return Actor{ID: "01900000-0000-4000-8000-0000000000bb", Role: RoleAdmin}
	}
	return Actor{ID: "01900000-0000-4000-8000-0000000000cc", Role: RoleHR}
}

func (h *history) goalInputs(existing []uuid.UUID) []GoalInput {
	n := 1 + h.r.IntN(3)
	if h.chance(0.05) {
		n = 0
	} else if h.chance(0.02) {
		n = 21
	}
	var out []GoalInput
	for i := range n {
		g := GoalInput{Text: h.text()}
		if i < len(existing) && h.chance(0.7) {
			id := existing[i].String()
			if h.chance(0.1) {
				id = h.freshID().String()
			}
			g.GoalID = &id
		}
		if h.chance(0.3) {
			m := []string{"activities", "Bad Key"}[h.r.IntN(2)]
			g.Metric = &m
		}
		out = append(out, g)
	}
	return out
}

// command returns a random command of kind, with arguments that are
// often valid for the journal so far.
func (h *history) command(kind string) Command {
	today := h.today()
	switch kind {
	case "RegisterPerson":
		c := RegisterPerson{Name: []string{"Ana Lima", ""}[h.r.IntN(2)], Email: []string{"ana@example.com", "ana"}[h.r.IntN(2)]}
		if h.chance(0.3) {
			id := []string{h.person.String(), h.freshID().String()}[h.r.IntN(2)]
			c.ManagerID = &id
		}
		return c
	case "UpdatePerson":
		c := UpdatePerson{}
		if h.chance(0.7) {
			c.Name = new([]string{"Ana L.", ""}[h.r.IntN(2)])
		}
		if h.chance(0.3) {
			c.Email = new([]string{"al@example.com", "x"}[h.r.IntN(2)])
		}
		return c
	case "ChangeManager":
		id := []string{h.person.String(), h.freshID().String(), "nope"}[h.r.IntN(3)]
		return ChangeManager{ManagerID: &id}
	case "DepartPerson":
		return DepartPerson{On: h.day(today, -5, 0), Reason: h.text()}
	case "ErasePerson":
		return ErasePerson{Reason: h.text()}
	case "SetStandard":
		c := SetStandard{AppliesTo: []string{"self", "reports", "all"}[h.r.IntN(3)], EffectiveFrom: h.day(today, -30, 30)}
		for range h.r.IntN(3) {
			c.Targets = append(c.Targets, TargetInput{Metric: "activities", Target: new(float64(h.r.IntN(50))), Kind: "leading"})
		}
		return c
	case "SetCadence":
		return SetCadence{EveryDays: []int{7, 14, 10}[h.r.IntN(3)]}
	case "HoldMeeting":
		held := h.now.Add(-time.Duration(h.r.IntN(72)) * time.Hour)
		if h.chance(0.1) {
			held = h.now.Add(time.Hour)
		}
		return HoldMeeting{Kind: []string{"coaching", "performance", "lunch"}[h.r.IntN(3)], HeldAt: held.Format(time.RFC3339), WithID: "01900000-0000-4000-8000-0000000000aa"}
	case "SkipMeeting":
		return SkipMeeting{ScheduledFor: h.day(today, -7, 0), Reason: h.text()}
	case "SubmitMetrics":
		per := WeekPeriod(today.AddDays(-7 * h.r.IntN(30))).String()
		if len(h.periods) > 0 && h.chance(0.4) {
			per = h.periods[h.r.IntN(len(h.periods))].String()
		} else if h.chance(0.05) {
			per = WeekPeriod(today.AddDays(14)).String()
		}
		c := SubmitMetrics{Period: per, Values: map[string]float64{"activities": float64(h.r.IntN(60))},
			Source: []string{"self", "manager", "import"}[h.r.IntN(3)], CorrectionReason: h.optText()}
		if h.chance(0.05) {
			c.Values = nil
		}
		return c
	case "MakeCommitment":
		c := MakeCommitment{Text: h.text(), DueOn: h.day(today, 0, 21)}
		if h.chance(0.5) {
			id := h.pick(h.meetings).String()
			c.MeetingID = &id
		}
		return c
	case "FollowUpCommitment":
		return FollowUpCommitment{CommitmentID: h.pick(h.commits), Note: h.text()}
	case "RenegotiateCommitment":
		id := h.pick(h.commits)
		due, ok := h.due[id]
		if !ok {
			due = today
		}
		return RenegotiateCommitment{CommitmentID: id, NewDueOn: h.day(due, -3, 14), Reason: h.text()}
	case "ResolveCommitment":
		return ResolveCommitment{CommitmentID: h.pick(h.commits), Status: []string{"kept", "missed", "withdrawn", "done"}[h.r.IntN(4)], Note: h.optText()}
	case "OpenPIP":
		start := today.AddDays(-h.r.IntN(5))
		return OpenPIP{Reason: h.text(), StartsOn: h.day(start, 0, 0), EndsOn: h.day(start, 10, 190), Goals: h.goalInputs(nil)}
	case "AcknowledgePIP":
		return AcknowledgePIP{PIPID: h.pick(h.pips), Comment: h.optText()}
	case "CheckInPIP":
		id := h.pick(h.pips)
		start := h.pipDates[id][0]
		if start.IsZero() {
			start = today
		}
		c := CheckInPIP{PIPID: id, On: h.day(start, -2, max(start.DaysUntil(today), 0)+2), Note: h.text()}
		for _, g := range h.goals[id] {
			if h.chance(0.6) {
				c.Goals = append(c.Goals, GoalStatusInput{GoalID: g.String(), Status: []string{"on_track", "met", "fine"}[h.r.IntN(3)]})
			}
		}
		if h.chance(0.1) {
			c.Goals = append(c.Goals, GoalStatusInput{GoalID: h.freshID().String(), Status: "met"})
		}
		return c
	case "RevisePIP":
		id := h.pick(h.pips)
		return RevisePIP{PIPID: id, Goals: h.goalInputs(h.goals[id]), Reason: h.text()}
	case "ExtendPIP":
		id := h.pick(h.pips)
		d := h.pipDates[id]
		if d[1].IsZero() {
			d[1] = today
		}
		return ExtendPIP{PIPID: id, NewEndsOn: h.day(d[1], -5, 60), Reason: h.text()}
	case "ClosePIP":
		return ClosePIP{PIPID: h.pick(h.pips), Outcome: []string{"succeeded", "not_met", "withdrawn", "won"}[h.r.IntN(4)], Note: h.text()}
	case "WithID":
		inner := h.command([]string{"HoldMeeting", "MakeCommitment", "OpenPIP", "SkipMeeting"}[h.r.IntN(4)])
		if h.chance(0.05) {
			inner = WithID{Command: inner, ID: h.freshID()}
		}
		var taken []uuid.UUID
		taken = append(append(append(taken, h.meetings...), h.commits...), h.pips...)
		return WithID{Command: inner, ID: h.pick(taken)}
	}
	panic("no command kind " + kind)
}

// decide decides cmd on j at the history's clock.
func (h *history) meta() Meta { return Meta{Actor: h.actor(), Now: h.now} }

var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// outcome writes what Decide answered: the error's kind and text, or the
// event (its id aside) with the ids it generated masked: version-7 ids
// that no earlier event holds.
func outcome(e Event, err error, known string) string {
	if err != nil {
		return fmt.Sprintf("refused %v: %s", KindOf(err), err)
	}
	e.ID = uuid.Nil
	b, jerr := json.Marshal(e)
	if jerr != nil {
		return "unmarshallable: " + jerr.Error()
	}
	return "accepted " + uuidPattern.ReplaceAllStringFunc(string(b), func(s string) string {
		if id := uuid.MustParse(s); id.Version() == 7 && !strings.Contains(known, s) {
			return "<new id>"
		}
		return s
	})
}

// TestReadsDecidesAsTheWholeJournal is the contract of Reads: random
// histories, made of random commands of every kind that Decide accepted,
// then random probe commands of every kind decided on the whole journal
// and on the journal folded from only the events of the parts the probe
// reads. The outcomes must be the same, and every kind of probe must be
// both accepted and refused somewhere.
func TestReadsDecidesAsTheWholeJournal(t *testing.T) {
	const histories, probes = 400, 30
	accepted, refused := map[string]int{}, map[string]int{}
	narrower := 0 // probes whose folded journal left events out
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for seed := range uint64(histories) {
		r := rand.New(rand.NewPCG(seed, 0x5eed))
		h := &history{r: r, now: base, due: map[uuid.UUID]Date{}, pipDates: map[uuid.UUID][2]Date{}, goals: map[uuid.UUID][]uuid.UUID{}}
		h.person = h.freshID()
		j := NewJournal(h.person)
		apply := func(cmd Command) {
			e, err := Decide(j, cmd, h.meta())
			if err != nil {
				return
			}
			e.Hash = fmt.Sprintf("hash-%d-%d", seed, e.Version)
			j.Evolve(e)
			h.events = append(h.events, e)
			h.record(e.Data)
		}
		if !h.chance(0.08) {
			apply(RegisterPerson{Name: "Ana Lima", Email: "ana@example.com"})
		}
		for range r.IntN(120) {
			h.now = h.now.Add(time.Duration(1+r.IntN(30)) * time.Hour)
			kind := commandKinds[r.IntN(len(commandKinds))]
			if (kind == "DepartPerson" || kind == "ErasePerson") && !h.chance(0.03) {
				continue // rare, or few journals would take more
			}
			apply(h.command(kind))
		}
		var known strings.Builder
		for _, e := range h.events {
			b, _ := json.Marshal(e.Data)
			known.Write(b)
		}
		for range probes {
			kind := commandKinds[r.IntN(len(commandKinds))]
			cmd, m := h.command(kind), h.meta()
			parts := Reads(cmd)
			folded := foldParts(h.person, h.events, parts)
			whole, werr := Decide(j, cmd, m)
			part, perr := Decide(folded, cmd, m)
			want, got := outcome(whole, werr, known.String()), outcome(part, perr, known.String())
			if got != want {
				t.Fatalf("seed %d, %d events, probe %T %+v reading parts %05b:\nwhole journal: %s\nits parts:     %s", seed, len(h.events), cmd, cmd, parts, want, got)
			}
			if werr == nil {
				accepted[kind]++
			} else {
				refused[kind]++
			}
			for _, e := range h.events {
				if PartOf(e.Data)&parts == 0 {
					narrower++
					break
				}
			}
		}
	}
	for _, kind := range commandKinds {
		if accepted[kind] == 0 || refused[kind] == 0 {
			t.Errorf("%s: %d probes accepted, %d refused; want some of each", kind, accepted[kind], refused[kind])
		}
	}
	if narrower < histories*probes/2 {
		t.Errorf("only %d of %d probes decided on a journal that left events out", narrower, histories*probes)
	}
	t.Logf("accepted %v\nrefused %v", accepted, refused)
}
