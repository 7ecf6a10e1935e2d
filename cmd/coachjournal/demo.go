package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
)

// demoNS derives the demo people's ids from their names, so a restart with
// --demo finds them again instead of seeding twice.
var demoNS = uuid.MustParse("0b6d1c52-56a4-4a52-8b0c-6a1f7f0d9c3e")

type demoPerson struct {
	name, email, title string
	manager            string // name
	// weekly numbers: activities, opportunities, win rate, deal size
	acts, opps, win, size float64
}

var demoPeople = []demoPerson{
	{name: "Olga Owner", email: "olga@demo.example", title: "Owner"},
	{name: "Leo Leader", email: "leo@demo.example", title: "Sales Leader", manager: "Olga Owner"},
	{name: "Ana Lima", email: "ana@demo.example", title: "Account Executive", manager: "Leo Leader", acts: 22, opps: 1.2, win: 0.4, size: 50000},
	{name: "Ben Brook", email: "ben@demo.example", title: "Account Executive", manager: "Leo Leader", acts: 45, opps: 2.5, win: 0.2, size: 50000},
	{name: "Cy Chen", email: "cy@demo.example", title: "Account Executive", manager: "Leo Leader", acts: 44, opps: 2.5, win: 0.4, size: 26000},
	{name: "Dee Diaz", email: "dee@demo.example", title: "Account Executive", manager: "Leo Leader", acts: 48, opps: 2.6, win: 0.42, size: 52000},
}

func demoID(name string) uuid.UUID { return uuid.NewSHA1(demoNS, []byte(name)) }

// demo seeds a small organisation through the real command path (every
// event decided, chained and encrypted like any other) into an empty store,
// then prints ready-to-use tokens.
func demo(ctx context.Context, store *eventstore.Store, views *projections.Set, tokens *api.Tokens, base string, out io.Writer) error {
	if _, seeded := views.Person(demoID("Olga Owner")); !seeded {
		last, err := store.LastSequence(ctx)
		if err != nil {
			return err
		}
		if last > 0 {
			return fmt.Errorf("the store is not empty and holds no demo organisation; use an empty --data-dir")
		}
		if err := seedDemo(ctx, store, time.Now().UTC()); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\ncoachjournal demo at %s\n\n", base)
	for _, r := range []struct {
		label string
		sub   string
		role  domain.Role
	}{
		{"owner (Olga)", demoID("Olga Owner").String(), domain.RoleMember},
		{"sales leader (Leo)", demoID("Leo Leader").String(), domain.RoleMember},
		{"rep (Ana)", demoID("Ana Lima").String(), domain.RoleMember},
		{"HR", "demo-hr", domain.RoleHR},
		{"analyst", "demo-analyst", domain.RoleAnalyst},
	} {
		t, err := tokens.Mint(r.sub, r.role, 7*24*time.Hour)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-20s export TOKEN=%s\n", r.label, t)
	}
	fmt.Fprintf(out, "\ntry: curl -H \"Authorization: Bearer $TOKEN\" %s/v1/people/%s/timeline\n\n", base, demoID("Ana Lima"))
	return nil
}

// seedDemo writes twelve weeks of a small team's coaching loop, ending last week.
func seedDemo(ctx context.Context, store *eventstore.Store, now time.Time) error {
	rng := rand.New(rand.NewPCG(42, 7))
	s := seeder{ctx: ctx, store: store, now: now}
	start := now.AddDate(0, 0, -7*12)
	for _, p := range demoPeople {
		var mgr *string
		if p.manager != "" {
			m := demoID(p.manager).String()
			mgr = &m
		}
		title := p.title
		s.do(demoID(p.name), domain.Actor{ID: "demo-seeder", Role: domain.RoleAdmin}, start,
			domain.RegisterPerson{Name: p.name, Email: p.email, Title: &title, ManagerID: mgr})
	}
	leader := domain.Actor{ID: demoID("Leo Leader").String(), Role: domain.RoleMember}
	target := func(v float64) *float64 { return &v }
	s.do(demoID("Leo Leader"), leader, start, domain.SetStandard{AppliesTo: "reports", EffectiveFrom: domain.DateOf(start).String(),
		Targets: []domain.TargetInput{
			{Metric: "revenue", Target: target(200000), Kind: "lagging"},
			{Metric: "new_opportunities", Target: target(10), Kind: "leading"},
			{Metric: "activities", Target: target(200), Kind: "leading"},
		}})
	s.do(demoID("Leo Leader"), leader, start, domain.SetCadence{EveryDays: 7})
	for w := 0; w < 12; w++ {
		friday := start.AddDate(0, 0, 7*w+4)
		for _, p := range demoPeople[2:] {
			id := demoID(p.name)
			rep := domain.Actor{ID: id.String(), Role: domain.RoleMember}
			opps := float64(int(p.opps + rng.Float64()*1.5))
			won := float64(int(opps*p.win + rng.Float64()))
			s.do(id, rep, friday, domain.SubmitMetrics{Period: domain.WeekPeriod(domain.DateOf(friday)).String(), Source: "self",
				Values: map[string]float64{"activities": float64(int(p.acts + rng.Float64()*8)), "new_opportunities": opps,
					"deals_won": won, "revenue": won * p.size}})
			if w%3 == 2 && p.name == "Cy Chen" {
				s.do(id, leader, friday, domain.SkipMeeting{ScheduledFor: domain.DateOf(friday).String(), Reason: "Leader travelling"})
				continue
			}
			kind, diag := "performance", &domain.DiagnosisInput{Primary: diagnosisOf(p)}
			if w%4 == 3 {
				kind, diag = "pipeline", nil
			}
			s.do(id, leader, friday, domain.HoldMeeting{Kind: kind, HeldAt: friday.Format(time.RFC3339), WithID: leader.ID, Diagnosis: diag})
		}
	}
	ana := demoID("Ana Lima")
	anaActor := domain.Actor{ID: ana.String(), Role: domain.RoleMember}
	last := now.AddDate(0, 0, -3)
	s.do(ana, anaActor, last, domain.MakeCommitment{Text: "Book 15 first meetings by Friday", DueOn: domain.DateOf(now).AddDays(4).String()})
	s.do(ana, anaActor, last.AddDate(0, 0, -21), domain.MakeCommitment{Text: "Prospect two hours every morning", DueOn: domain.DateOf(now).AddDays(-2).String()})
	ben := demoID("Ben Brook")
	hr := domain.Actor{ID: "demo-hr", Role: domain.RoleHR}
	opened := domain.DateOf(now).AddDays(-28)
	pip := s.do(ben, hr, opened.Time(), domain.OpenPIP{Reason: "Win rate under 25% for three months", StartsOn: opened.String(),
		EndsOn: opened.AddDays(60).String(), Goals: []domain.GoalInput{{Text: "Win rate of 35% on new opportunities"}}})
	s.do(ben, domain.Actor{ID: ben.String(), Role: domain.RoleMember}, opened.Time().Add(24*time.Hour), domain.AcknowledgePIP{PIPID: pip})
	return s.err
}

func diagnosisOf(p demoPerson) string {
	switch {
	case p.opps < 2:
		return "activity"
	case p.win < 0.3:
		return "conversion"
	case p.size < 40000:
		return "deal_size"
	}
	return "other"
}

// seeder executes commands until the first error.
type seeder struct {
	ctx   context.Context
	store *eventstore.Store
	now   time.Time
	err   error
}

// do executes cmd and returns the id of what it created.
func (s *seeder) do(person uuid.UUID, actor domain.Actor, at time.Time, cmd domain.Command) uuid.UUID {
	if s.err != nil {
		return uuid.Nil
	}
	w, err := s.store.Execute(s.ctx, domain.Write{PersonID: person, Command: cmd,
		Meta: domain.Meta{Actor: actor, Now: s.now, OccurredAt: at}})
	if err != nil {
		s.err = fmt.Errorf("demo %T for %s: %w", cmd, person, err)
		return uuid.Nil
	}
	return w.Event.ResourceID()
}
