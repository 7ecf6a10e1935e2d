package demo

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// Executor is what the demo needs of the event store: the real command
// path (eventstore.Store.Execute).
type Executor interface {
	Execute(ctx context.Context, w domain.Write) (domain.Written, error)
}

// Seed writes the demo organisation through the command path: every
// event is decided, encrypted and chained like any other. Each journal is
// written in the order things happened, by one goroutine, and the journals
// are written concurrently so that the appends can share their disk
// flushes. now is the seeding time; the story ends just before it.
//
// Each event is recorded along the simulated history, not at the seeding
// minute: its command's Meta.Now (which the store stamps as recorded_at)
// is the moment the story says it was entered, a few minutes or hours
// after it happened, strictly increasing within a journal and never after
// now. So as_of views, the PIP's recorded dates and the cadence page read
// like a real team's. Only in-process callers set Meta.Now; the HTTP API
// always takes it from the server's clock. The numbers are the same on
// every run for the same week (math/rand/v2 seeded).
func Seed(ctx context.Context, store Executor, now time.Time) error {
	s := &seeder{ctx: ctx, store: store, now: now.UTC(), cal: NewCalendar(domain.DateOf(now.UTC())), last: map[uuid.UUID]time.Time{}}
	start := s.cal.weeks[0].monday.Time().Add(-14 * 24 * time.Hour)
	s.registerAll(start) // in order: lists and boards follow registration order
	if s.err != nil {
		return s.err
	}
	s.go_(func() { s.leader(Leo, start) })
	s.go_(func() { s.leader(Priya, start) })
	s.go_(func() {
		s.do(ID(Owner), member(Owner), start.Add(14*time.Hour), domain.SetCadence{EveryDays: 14})
	})
	for i, p := range reps {
		s.go_(func() { s.rep(i, p) })
	}
	return s.wait()
}

// seeder executes commands until the first error.
type seeder struct {
	ctx   context.Context
	store Executor
	now   time.Time
	cal   Calendar
	wg    sync.WaitGroup
	mu    sync.Mutex
	err   error
	last  map[uuid.UUID]time.Time // per journal: the last recorded_at given
}

func (s *seeder) go_(f func()) {
	s.wg.Add(1)
	go func() { defer s.wg.Done(); f() }()
}

func (s *seeder) wait() error {
	s.wg.Wait()
	return s.err
}

// entryLag is how long after the fact an event is usually entered.
const entryLag = 3 * time.Minute

// do executes cmd on person's journal, as actor, as happening at and
// entered entryLag later, and returns the event as stored (the zero event
// after an error).
func (s *seeder) do(person uuid.UUID, actor domain.Actor, at time.Time, cmd domain.Command) domain.Event {
	return s.doAt(person, actor, at, at.Add(entryLag), cmd)
}

// doAt is do with the time the event is entered (its recorded_at): moved
// after the journal's last one, so that a journal's recorded times
// increase, and never after the seeding time.
func (s *seeder) doAt(person uuid.UUID, actor domain.Actor, at, entered time.Time, cmd domain.Command) domain.Event {
	s.mu.Lock()
	failed := s.err != nil
	entered = entered.UTC().Truncate(time.Second)
	if entered.After(s.now) {
		entered = s.now
	}
	if last := s.last[person]; !entered.After(last) {
		entered = last.Add(time.Second)
	}
	s.last[person] = entered
	s.mu.Unlock()
	if failed {
		return domain.Event{}
	}
	w, err := s.store.Execute(s.ctx, domain.Write{PersonID: person, Command: cmd,
		Meta: domain.Meta{Actor: actor, Now: entered, OccurredAt: at}})
	if err != nil {
		s.mu.Lock()
		if s.err == nil {
			s.err = fmt.Errorf("demo %T for %s: %w", cmd, person, err)
		}
		s.mu.Unlock()
	}
	return w.Event
}

var seederActor = domain.Actor{ID: "demo-seeder", Role: domain.RoleAdmin}

func member(name string) domain.Actor {
	return domain.Actor{ID: ID(name).String(), Role: domain.RoleMember}
}

func hrActor() domain.Actor { return domain.Actor{ID: ID(HR).String(), Role: domain.RoleHR} }

// registerAll registers the cast on the first morning, one a minute.
func (s *seeder) registerAll(at time.Time) {
	at = at.Add(9 * time.Hour)
	reg := func(name, email, title, manager string) {
		var mgr *string
		if manager != "" {
			m := ID(manager).String()
			mgr = &m
		}
		s.do(ID(name), seederActor, at, domain.RegisterPerson{Name: name, Email: email, Title: &title, ManagerID: mgr})
		at = at.Add(time.Minute)
	}
	reg(Owner, "olivia@demo.example", "Owner", "")
	reg(HR, "helen@demo.example", "People & Culture", "")
	reg(Leo, "leo@demo.example", "Sales Leader", Owner)
	reg(Priya, "priya@demo.example", "Sales Leader", Owner)
	for _, p := range reps {
		reg(p.name, p.email, "Account Executive", p.manager)
	}
}

func f64(v float64) *float64 { return &v }

func str(v string) *string { return &v }

// leader writes a leader's journal: the team standard and a weekly
// cadence on the first afternoon, then the owner's 1-on-1s with them.
func (s *seeder) leader(name string, start time.Time) {
	id, actor := ID(name), member(name)
	start = start.Add(14 * time.Hour)
	s.do(id, actor, start, domain.SetStandard{AppliesTo: "reports", EffectiveFrom: s.cal.months[0].Start().String(), Period: "month",
		Targets: []domain.TargetInput{
			{Metric: "revenue", Target: f64(200000), Kind: "lagging", Unit: str("USD")},
			{Metric: "new_opportunities", Target: f64(stdOpps), Kind: "leading"},
			{Metric: "win_rate", Target: f64(stdWinRate), Kind: "leading"},
			{Metric: "avg_deal_size", Target: f64(stdSize), Kind: "lagging", Unit: str("USD")},
			{Metric: "activities", Target: f64(120), Kind: "leading"},
		}})
	s.do(id, actor, start.Add(10*time.Minute), domain.SetCadence{EveryDays: 7})
	s.ownerMeetings(name)
}

// ownerMeetings: the owner holds a performance 1-on-1 with a leader every
// two weeks, on Thursday afternoon, and writes it up an hour later; this
// week's too when it is written up already.
func (s *seeder) ownerMeetings(l string) {
	for w := 0; w <= len(s.cal.weeks); w += 2 {
		if w == len(s.cal.weeks) && (w == 0 || !s.cal.weeks[w-1].monday.AddDays(7).Time().Add(3*24*time.Hour+16*time.Hour).Before(s.now)) {
			break
		}
		at := s.cal.weeks[0].monday.AddDays(7 * w).Time().Add(3*24*time.Hour + 15*time.Hour)
		note := "Reviewed the team board and the 1-on-1 cadence."
		if l == Priya && w >= len(s.cal.weeks)-4 {
			note = "Raised that 4 in 10 of Priya's 1-on-1s were pipeline reviews, not performance discussions."
		}
		s.doAt(ID(l), member(Owner), at, at.Add(time.Hour), domain.HoldMeeting{Kind: "performance", HeldAt: at.Format(time.RFC3339),
			WithID: ID(Owner).String(), DurationMinutes: ptr(45), Notes: &note})
	}
}

func ptr[T any](v T) *T { return &v }

// op is one step of a journal, at the time it happened; a journal's ops
// run in time order (stable), so a later op may use what an earlier set.
type op struct {
	at  time.Time
	run func()
}

type journalPlan []op

// add plans run at the time its event is entered (recorded): a journal's
// events are appended in the order they are entered, as they would be by
// hand. (Planned by when they happened, a 1-on-1 written up the next
// morning held back everything after it that day: a PIP opened that
// afternoon was recorded the next morning.)
func (p *journalPlan) add(entered time.Time, run func()) { *p = append(*p, op{entered, run}) }

func (p journalPlan) run() {
	slices.SortStableFunc(p, func(a, b op) int { return a.at.Compare(b.at) })
	for _, o := range p {
		o.run()
	}
}

// rep writes one rep's journal: weekly numbers, 1-on-1s, commitments and,
// for two of them, a PIP.
func (s *seeder) rep(i int, p repProfile) {
	rng := rand.New(rand.NewPCG(42, uint64(i)+1))
	months := s.cal.repMonths(p, rng)
	var plan journalPlan
	s.planNumbers(&plan, i, p, months, rng)
	s.planMeetings(&plan, i, p, months, rng)
	switch p.name {
	case PIPWon:
		s.planSucceededPIP(&plan, p)
	case PIPNow:
		s.planActivePIP(&plan, p)
	}
	plan.run()
}

// submitAfter is when in its week a rep enters the week's numbers, by
// habit: Friday at lunch, Friday evening, or Sunday evening.
var submitAfter = []time.Duration{4*24*time.Hour + 12*time.Hour + 30*time.Minute, 4*24*time.Hour + 17*time.Hour, 6*24*time.Hour + 20*time.Hour}

// planNumbers submits each ended week's numbers, as the rep (source self),
// when the rep's habit says (submitAfter); a few weeks the leader enters
// them on Saturday morning (source manager), and Dee once corrects a week.
func (s *seeder) planNumbers(plan *journalPlan, i int, p repProfile, months []month, rng *rand.Rand) {
	id := ID(p.name)
	pos := map[int]int{}
	for w, wk := range s.cal.weeks {
		m := months[wk.month]
		k := pos[wk.month]
		pos[wk.month]++
		opps, won := m.weekOpps[k], m.weekWon[k]
		values := map[string]float64{
			"activities":        float64(opps*9 + 8 + rng.IntN(10)),
			"new_opportunities": float64(opps),
			"deals_won":         float64(won),
			"deals_lost":        float64(rng.IntN(opps/2 + 1)),
			"revenue":           float64(won) * m.size,
		}
		at := wk.monday.Time().Add(submitAfter[i%len(submitAfter)])
		actor, source := member(p.name), "self"
		if w%7 == 3 {
			actor, source = member(p.manager), "manager"
			at = wk.monday.Time().Add(5*24*time.Hour + 10*time.Hour)
		}
		period := wk.period.String()
		plan.add(at, func() { s.do(id, actor, at, domain.SubmitMetrics{Period: period, Values: values, Source: source}) })
		if p.name == "Dee Diaz" && w == len(s.cal.weeks)-3 {
			fixed := maps.Clone(values)
			fixed["activities"] += 6
			later := at.Add(3 * 24 * time.Hour)
			plan.add(later, func() {
				s.do(id, member(p.name), later, domain.SubmitMetrics{Period: period, Values: fixed, Source: "self",
					CorrectionReason: str("Six calls were logged in the wrong week")})
			})
		}
	}
}
