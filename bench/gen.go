package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

// benchGen generates a realistic history through the domain rules: an
// owner, leaders with a standard and a cadence, reps in teams of eight; then,
// week by week from a start far enough back, every rep's weekly numbers,
// a performance (or pipeline) meeting every other week, a commitment at
// half of those, and the previous commitment's resolution. Every write is
// decided by domain.Decide in the store's ImportBatch: nothing goes around
// the rules.
type benchGen struct {
	store   *eventstore.Store
	rng     *rand.Rand
	admin   domain.Actor
	owner   uuid.UUID
	today   domain.Date // the day the history leads up to (the bench runs on the real clock, as its service does)
	leaders []uuid.UUID
	reps    []benchRep
	start   domain.Date // the Monday of the first generated week
	week    int         // the next week to generate
	events  int         // events stored by the generator
	pending []domain.Write
}

type benchRep struct {
	id, leader uuid.UUID
	open       uuid.UUID // the open commitment, or uuid.Nil
	skill      float64   // scales the rep's numbers
}

// repsPerLeader is the team size of the generated org.
const repsPerLeader = 8

// newBenchGen plans an org of about people people; weeks is how far back
// the weekly history may start (it must cover what will be generated).
func newBenchGen(store *eventstore.Store, people, weeks int, seed uint64) *benchGen {
	g := &benchGen{store: store, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		admin: domain.Actor{ID: "bench", Role: domain.RoleAdmin}, owner: uuid.New()}
	g.today = domain.DateOf(time.Now().UTC())
	today := g.today
	monday := today.AddDays(-int((today.Time().Weekday() + 6) % 7))
	g.start = monday.AddDays(-7 * (weeks + 1))
	nLeaders := max(1, people/(repsPerLeader+1))
	for range nLeaders {
		g.leaders = append(g.leaders, uuid.New())
	}
	for i := range max(1, people-1-nLeaders) {
		g.reps = append(g.reps, benchRep{id: uuid.New(), leader: g.leaders[i%nLeaders], skill: 0.6 + 0.8*g.rng.Float64()})
	}
	return g
}

// People returns how many people the org has.
func (g *benchGen) People() int { return 1 + len(g.leaders) + len(g.reps) }

// setUp registers the org and sets the leaders' standards and cadences.
func (g *benchGen) setUp(ctx context.Context) error {
	from := g.start.Time().Format("2006-01") + "-01"
	g.add(g.owner, domain.RegisterPerson{Name: "Olive Owner", Email: "owner@example.com"}, g.start.Time())
	for i, l := range g.leaders {
		mgr := g.owner.String()
		g.add(l, domain.RegisterPerson{Name: fmt.Sprintf("Leader %d", i), Email: fmt.Sprintf("leader%d@example.com", i), ManagerID: &mgr}, g.start.Time())
	}
	if err := g.flush(ctx); err != nil { // reps name their leaders as managers
		return err
	}
	for i, r := range g.reps {
		mgr := r.leader.String()
		g.add(r.id, domain.RegisterPerson{Name: fmt.Sprintf("Rep %d", i), Email: fmt.Sprintf("rep%d@example.com", i), ManagerID: &mgr}, g.start.Time())
	}
	for _, l := range g.leaders {
		g.add(l, domain.SetStandard{AppliesTo: "reports", EffectiveFrom: from, Period: "month", Targets: benchTargets()}, g.start.Time())
		g.add(l, domain.SetCadence{EveryDays: 14}, g.start.Time())
	}
	return g.flush(ctx)
}

func benchTargets() []domain.TargetInput {
	f := func(v float64) *float64 { return &v }
	return []domain.TargetInput{
		{Metric: "revenue", Target: f(200000), Kind: "lagging"},
		{Metric: "new_opportunities", Target: f(10), Kind: "leading"},
		{Metric: "win_rate", Target: f(0.4), Kind: "lagging"},
		{Metric: "avg_deal_size", Target: f(50000), Kind: "lagging"},
		{Metric: "activities", Target: f(160), Kind: "leading"},
	}
}

// until generates whole weeks until at least n events are stored.
func (g *benchGen) until(ctx context.Context, n int) error {
	for g.events+len(g.pending) < n {
		if g.start.AddDays(7 * (g.week + 1)).After(domain.DateOf(time.Now().UTC())) {
			return fmt.Errorf("bench: the generated history reached today at %d events; plan more weeks", g.events)
		}
		g.genWeek()
		g.week++
		if err := g.flushFull(ctx); err != nil {
			return err
		}
	}
	return g.flush(ctx)
}

// genWeek queues one week of every rep's journal.
func (g *benchGen) genWeek() {
	monday := g.start.AddDays(7 * g.week)
	friday := monday.Time().Add(4*24*time.Hour + 17*time.Hour)
	period := domain.WeekPeriod(monday).String()
	for i := range g.reps {
		r := &g.reps[i]
		opps := g.rng.IntN(int(6*r.skill)+1) + 1
		won := g.rng.IntN(opps + 1)
		if g.rng.Float64() < 0.5 {
			won /= 2
		}
		g.add(r.id, domain.SubmitMetrics{Period: period, Source: "import", Values: map[string]float64{
			"activities": float64(20 + g.rng.IntN(int(40*r.skill)+1)), "new_opportunities": float64(opps),
			"deals_won": float64(won), "revenue": float64(won) * (30000 + 40000*g.rng.Float64()),
		}}, friday)
		if (g.week+i)%2 == 0 {
			g.meeting(r, monday)
		}
	}
}

// meeting queues a 1-on-1 and, at half of them, a commitment and the
// resolution of the previous one.
func (g *benchGen) meeting(r *benchRep, monday domain.Date) {
	held := monday.Time().Add(24*time.Hour + 10*time.Hour)
	kind, diag := "performance", []string{"activity", "conversion", "deal_size"}[g.rng.IntN(3)]
	if g.rng.Float64() < 0.2 {
		kind = "pipeline"
	}
	cmd := domain.HoldMeeting{Kind: kind, HeldAt: held.Format(time.RFC3339), WithID: r.leader.String()}
	if kind == "performance" {
		cmd.Diagnosis = &domain.DiagnosisInput{Primary: diag}
	}
	g.add(r.id, cmd, held)
	if g.rng.Float64() >= 0.5 {
		return
	}
	if r.open != uuid.Nil {
		status, note := "kept", "done"
		switch x := g.rng.Float64(); {
		case x < 0.3:
			status = "missed"
		case x < 0.35:
			status, note = "withdrawn", "priorities changed"
		}
		g.add(r.id, domain.ResolveCommitment{CommitmentID: r.open, Status: status, Note: &note}, held)
	}
	r.open = uuid.New()
	due := monday.AddDays(11).String()
	g.add(r.id, domain.WithID{ID: r.open, Command: domain.MakeCommitment{Text: "book 15 first meetings by Friday", DueOn: due}}, held)
}

func (g *benchGen) add(id uuid.UUID, cmd domain.Command, at time.Time) {
	g.pending = append(g.pending, domain.Write{PersonID: id, Command: cmd,
		Meta: domain.Meta{Actor: g.admin, Now: time.Now(), OccurredAt: at}})
}

// flushFull stores the whole batches queued; flush stores everything.
func (g *benchGen) flushFull(ctx context.Context) error {
	n := len(g.pending) / eventstore.MaxImportBatch * eventstore.MaxImportBatch
	if n == 0 {
		return nil
	}
	if err := g.store1(ctx, g.pending[:n]); err != nil {
		return err
	}
	g.pending = append(g.pending[:0], g.pending[n:]...)
	return nil
}

func (g *benchGen) flush(ctx context.Context) error {
	if err := g.flushFull(ctx); err != nil {
		return err
	}
	if len(g.pending) > 0 {
		if err := g.store1(ctx, g.pending); err != nil {
			return err
		}
	}
	g.pending = g.pending[:0]
	return nil
}

// store1 imports ws (pipelined atomic batches of a thousand).
func (g *benchGen) store1(ctx context.Context, ws []domain.Write) error {
	events, failed, err := g.store.Import(ctx, ws)
	g.events += len(events)
	if err != nil {
		if failed >= 0 {
			return fmt.Errorf("bench generator: %T refused: %w", ws[failed].Command, err)
		}
		return fmt.Errorf("bench generator: %w", err)
	}
	return nil
}

// benchPIP is a rep's active PIP.
type benchPIP struct{ person, id uuid.UUID }

// pipEvery is the share of reps the generated org puts on a PIP: one in
// pipEvery.
const pipEvery = 20

// openPIPs puts one rep in pipEvery on an active PIP through the same
// commands as HR and the rep would send: HR opens it three weeks before
// today with three goals, the rep acknowledges it, HR checks in after one
// week and, for half of them, after two. It returns the PIPs.
func (g *benchGen) openPIPs(ctx context.Context) ([]benchPIP, error) {
	hr := domain.Actor{ID: "bench-hr", Role: domain.RoleHR}
	now := time.Now()
	today := domain.DateOf(now.UTC())
	starts := today.AddDays(-21)
	f := func(v float64) *float64 { return &v }
	metric := func(s string) *string { return &s }
	var pips []benchPIP
	for i := 0; i < len(g.reps); i += pipEvery {
		r := g.reps[i]
		id := uuid.New()
		pips = append(pips, benchPIP{person: r.id, id: id})
		at := func(d domain.Date, a domain.Actor) domain.Meta {
			return domain.Meta{Actor: a, Now: now, OccurredAt: d.Time().Add(10 * time.Hour)}
		}
		g.pending = append(g.pending, domain.Write{PersonID: r.id, Meta: at(starts, hr), Command: domain.WithID{ID: id, Command: domain.OpenPIP{
			Reason: "numbers below the standard for three months", StartsOn: starts.String(), EndsOn: starts.AddDays(90).String(),
			Goals: []domain.GoalInput{
				{Text: "reach 160 activities a month", Metric: metric("activities"), Target: f(160)},
				{Text: "open 10 new opportunities a month", Metric: metric("new_opportunities"), Target: f(10)},
				{Text: "run every deal through the qualification checklist"},
			}}}})
		ack := "read and understood"
		g.pending = append(g.pending, domain.Write{PersonID: r.id, Meta: at(starts.AddDays(1), domain.Actor{ID: r.id.String(), Role: domain.RoleMember}),
			Command: domain.AcknowledgePIP{PIPID: id, Comment: &ack}})
		checkIns := 1 + (i/pipEvery)%2
		for k := 1; k <= checkIns; k++ {
			on := starts.AddDays(7 * k)
			var goals []domain.GoalStatusInput
			for gi, st := range []string{"on_track", "at_risk", "on_track"} {
				goals = append(goals, domain.GoalStatusInput{GoalID: domain.GoalIDOf(id, gi).String(), Status: st})
			}
			g.pending = append(g.pending, domain.Write{PersonID: r.id, Meta: at(on, hr),
				Command: domain.CheckInPIP{PIPID: id, On: on.String(), Note: "weekly check-in", Goals: goals}})
		}
	}
	return pips, g.flush(ctx)
}
