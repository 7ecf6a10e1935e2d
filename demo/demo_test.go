package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/nudges"
	"github.com/coachjournal/coachjournal/projections"
)

// TestDemoArchetypes seeds the demo through the command path and checks
// that the projections show what the README promises: the will, skill and
// targeting reps diagnosed as such last month, the market signal on the
// dip month only, the cadence of the two leaders, and the two PIPs.
func TestDemoArchetypes(t *testing.T) {
	env := apitest.Start(t)
	ctx := context.Background()
	now := clock.Now().UTC()
	began := time.Now()
	if err := Seed(ctx, env.Store, now); err != nil {
		t.Fatal(err)
	}
	if err := env.Views.WaitFor(ctx, env.LastSeq()); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d events in %s", env.LastSeq(), time.Since(began))

	cal := NewCalendar(domain.DateOf(now))
	last := cal.months[len(cal.months)-2]
	for name, want := range map[string]string{"Ana Lima": "activity", "Ben Brook": "conversion", "Cy Chen": "deal_size", "Hana Ito": "conversion"} {
		f := env.Views.Scorecard(ID(name), last, time.Time{}).Funnel
		if f.PrimaryGap == nil || *f.PrimaryGap != want {
			t.Errorf("%s in %s: primary_gap = %v, want %s", name, last, f.PrimaryGap, want)
		}
	}
	for _, name := range []string{"Dee Diaz", "Eli Moreno", "Jo Kim", "Ivan Petrov"} {
		for i, m := range cal.months[:len(cal.months)-1] {
			a := env.Views.Scorecard(ID(name), m, time.Time{}).Funnel.Attainment
			if a == nil || (i != cal.dip && *a < 0.9) || (i == cal.dip && *a >= 0.9) {
				t.Errorf("steady %s in %s: attainment %v", name, m, a)
			}
		}
	}
	for _, leader := range []string{Leo, Priya} {
		for i, m := range cal.months[:len(cal.months)-1] {
			b := env.Views.Board(ID(leader), m, time.Time{})
			if b.MarketSignal != (i == cal.dip) {
				t.Errorf("%s's board for %s: market_signal = %v, want %v (%d of %d below 90%%)", leader, m, b.MarketSignal, i == cal.dip,
					b.Totals.RepsBelow90, b.Totals.RepsWithData)
			}
		}
	}

	k := env.Views.CommitmentKeeping(ID(Rep), time.Time{}, domain.DateOf(now))
	if k.Totals.Overdue != 1 || k.Totals.Kept < 2 {
		t.Errorf("Ana's commitments: %+v, want one overdue and some kept", k.Totals)
	}

	cad := env.Views.Cadence(ID(Owner), cal.weeks[0].monday, domain.DateOf(now))
	compliance := map[string]float64{}
	for _, l := range cad.Leaders {
		if l.Summary.Compliance != nil {
			compliance[l.Name] = *l.Summary.Compliance
		}
	}
	if c := compliance[Priya]; c < 0.5 || c > 0.7 {
		t.Errorf("Priya's compliance = %v, want about 0.6 (%v)", c, compliance)
	}
	if c := compliance[Leo]; c < 0.85 {
		t.Errorf("Leo's compliance = %v, want ≥ 0.85", c)
	}

	pips := map[string]string{}
	for _, p := range env.Views.PIPs("") {
		person, _ := env.Views.Person(p.PersonID)
		pips[person.Name] = p.State
		if person.Name == PIPNow {
			sum := projections.SummarizeCheckIns(p.Schedule(domain.DateOf(now)))
			if len(p.GoalVersions) != 2 || len(p.Acknowledgements) != 2 || p.AwaitingAcknowledgement || len(sum.Late) != 1 || len(sum.Missed) != 0 {
				t.Errorf("Hana's PIP: %d goal versions, %d acks, awaiting %v, schedule %+v", len(p.GoalVersions), len(p.Acknowledgements), p.AwaitingAcknowledgement, sum)
			}
		}
	}
	if pips[PIPWon] != "closed" || pips[PIPNow] != "active" || len(pips) != 2 {
		t.Errorf("PIPs = %v, want Gus closed and Hana active", pips)
	}
	report, err := env.Store.Verify(ctx, nil)
	if err != nil || !report.OK() {
		t.Fatalf("verify: %+v, %v", report, err)
	}
	checkRecordedAlongHistory(t, env, now, cal)

	// A second start finds the organisation and seeds nothing.
	var out bytes.Buffer
	before := env.LastSeq()
	if err := Run(ctx, env.Store, env.Views, env.Tokens, clock.Now, "http://127.0.0.1:1", &out); err != nil {
		t.Fatal(err)
	}
	if env.LastSeq() != before || !strings.Contains(out.String(), "/ui/login?token=") || strings.Contains(out.String(), "seeded") {
		t.Fatalf("second demo start appended %d events; printed %s", env.LastSeq()-before, out.String())
	}
}

// checkRecordedAlongHistory: the demo's events are recorded as the story
// goes, not at the seeding minute. Every journal's recorded times increase,
// follow what they record by at most two days and never pass the seeding
// time; the history spans the calendar; as_of a day in the middle shows
// that day's state (part of the month's numbers, the commitments made by
// then); a PIP step is recorded the day it happened.
func checkRecordedAlongHistory(t *testing.T, env *apitest.Env, now time.Time, cal Calendar) {
	t.Helper()
	names := []string{Owner, HR, Leo, Priya}
	for _, p := range reps {
		names = append(names, p.name)
	}
	var first time.Time
	for _, name := range names {
		var prev time.Time
		for after := uint64(0); ; {
			page, next := env.Views.Timeline(ID(name), projections.TimelineQuery{After: after, Limit: 500})
			for _, st := range page {
				if !st.RecordedAt.After(prev) || st.RecordedAt.Before(st.OccurredAt) || st.RecordedAt.After(now) ||
					st.RecordedAt.Sub(st.OccurredAt) > 48*time.Hour {
					t.Fatalf("%s's %s #%d occurred %s, recorded %s (previous %s, seeded %s)", name, st.Type, st.Sequence,
						st.OccurredAt, st.RecordedAt, prev, now)
				}
				prev = st.RecordedAt
				if first.IsZero() || st.RecordedAt.Before(first) {
					first = st.RecordedAt
				}
			}
			if next == 0 {
				break
			}
			after = next
		}
	}
	if !first.Before(cal.months[0].Start().Time()) {
		t.Errorf("the first event was recorded %s, want before the history's first month %s", first, cal.months[0])
	}

	month := cal.months[2]
	mid := month.Start().AddDays(14).Time().Add(12 * time.Hour)
	ana := ID(Rep)
	then, later := env.Views.Scorecard(ana, month, mid), env.Views.Scorecard(ana, month, time.Time{})
	if len(then.Submissions) == 0 || len(then.Submissions) >= len(later.Submissions) {
		t.Errorf("Ana's %s as of %s counts %d submissions, %d in all: want some, not all", month, mid, len(then.Submissions), len(later.Submissions))
	}
	for _, sub := range then.Submissions {
		if sub.RecordedAt.After(mid) {
			t.Errorf("as of %s the scorecard counts %s recorded %s", mid, sub.Period, sub.RecordedAt)
		}
	}
	kThen := env.Views.CommitmentKeeping(ana, mid, domain.DateOf(now))
	kNow := env.Views.CommitmentKeeping(ana, time.Time{}, domain.DateOf(now))
	if kThen.Totals.Made == 0 || kThen.Totals.Made >= kNow.Totals.Made {
		t.Errorf("Ana's commitments made as of %s: %d, now %d: want some, fewer", mid, kThen.Totals.Made, kNow.Totals.Made)
	}
	if b := env.Views.Board(ID(Leo), month, mid); len(b.Rows) != 6 || b.Totals.RepsWithData != 6 {
		t.Errorf("Leo's board for %s as of %s: %d rows, %d with data", month, mid, len(b.Rows), b.Totals.RepsWithData)
	}

	for _, p := range env.Views.PIPs("") {
		for _, st := range p.Steps {
			if domain.DateOf(st.RecordedAt) != domain.DateOf(st.OccurredAt) {
				t.Errorf("PIP step %s occurred %s, recorded %s: want the same day", st.Type, st.OccurredAt, st.RecordedAt)
			}
		}
	}
}

// TestDemoInbox: the demo's leader and rep open an inbox with real
// reminders: Ana's overdue commitment reaches her and Leo.
func TestDemoInbox(t *testing.T) {
	env := apitest.Start(t)
	ctx := context.Background()
	now := clock.Now().UTC()
	if err := Seed(ctx, env.Store, now); err != nil {
		t.Fatal(err)
	}
	if err := env.Views.WaitFor(ctx, env.LastSeq()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Ana Lima", Leo} {
		got := nudges.For(env.Views, nudges.Recipient{Person: ID(name), Role: domain.RoleMember}, domain.DateOf(now))
		kinds := map[string]int{}
		for _, n := range got {
			kinds[n.Kind]++
		}
		t.Logf("%s: %v", name, kinds)
		if kinds[nudges.CommitmentOverdue] == 0 {
			t.Errorf("%s's inbox in the demo has no overdue commitment: %v", name, kinds)
		}
	}
}
