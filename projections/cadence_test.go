package projections

import (
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// cadenceOrg is a fixed organisation, everyone registered on 2026-08-01:
//
//	Olga (owner, no cadence set: 7 days by default)
//	├── Leo (cadence 7 from 08-01): Ana, Ben, and Dee since 09-25
//	└── Otto (cadence 14 from 08-01, 7 from 10-05): Cy, Eve (departed 09-20); Dee until 09-25
//
// The range is 2026-09-07 (a Monday) to 2026-10-20 (a Tuesday), 44 days.
type cadenceOrg struct {
	f                                 *feed
	olga, leo, otto, ana, ben, cy, de uuid.UUID
	eve                               uuid.UUID
}

func newCadenceOrg(t *testing.T) *cadenceOrg {
	o := &cadenceOrg{f: newFeed(), olga: fixedID("olga"), leo: fixedID("leo"), otto: fixedID("otto"),
		ana: fixedID("ana"), ben: fixedID("ben"), cy: fixedID("cy"), de: fixedID("dee"), eve: fixedID("eve")}
	f := o.f
	f.at = time.Date(2026, 8, 1, 8, 0, 0, 0, time.UTC)
	register(f, o.olga, "Olga", nil)
	register(f, o.leo, "Leo", &o.olga)
	register(f, o.otto, "Otto", &o.olga)
	register(f, o.ana, "Ana", &o.leo)
	register(f, o.ben, "Ben", &o.leo)
	register(f, o.cy, "Cy", &o.otto)
	register(f, o.de, "Dee", &o.otto)
	register(f, o.eve, "Eve", &o.otto)
	f.add(o.leo, member(o.leo), &domain.CadenceSet{EveryDays: 7})
	f.add(o.otto, member(o.otto), &domain.CadenceSet{EveryDays: 14})
	at := func(day string) time.Time { return date(t, day).Time().Add(10 * time.Hour) }
	held := func(rep, with uuid.UUID, kind, day string) {
		f.addAt(rep, member(with), at(day), &domain.MeetingHeld{MeetingID: fixedID(rep.String() + kind + day), Kind: kind, HeldAt: at(day), WithID: with})
	}
	perf := func(rep, with uuid.UUID, days ...string) {
		for _, d := range days {
			held(rep, with, "performance", d)
		}
	}
	// Ana: weekly cadence, a skipped week, a two-week gap, a pipeline review
	// and a skip-level meeting with Olga that do not count for Leo.
	perf(o.ana, o.leo, "2026-08-25", "2026-09-08")
	f.addAt(o.ana, member(o.leo), at("2026-09-15"), &domain.MeetingSkipped{ScheduledFor: date(t, "2026-09-15"), Reason: "travel"})
	perf(o.ana, o.leo, "2026-09-22")
	held(o.ana, o.leo, "pipeline", "2026-10-01")
	perf(o.ana, o.olga, "2026-10-06")
	perf(o.ana, o.leo, "2026-10-13")
	// Ben: every Monday.
	perf(o.ben, o.leo, "2026-09-07", "2026-09-14", "2026-09-21", "2026-09-28", "2026-10-05", "2026-10-12", "2026-10-19")
	// Dee: one meeting with Otto, moved to Leo on 09-25, two with Leo.
	perf(o.de, o.otto, "2026-09-10")
	f.addAt(o.de, hrActor, at("2026-09-25"), &domain.ManagerChanged{ManagerID: &o.leo})
	perf(o.de, o.leo, "2026-09-29", "2026-10-06")
	// Otto goes weekly from 10-05.
	f.addAt(o.otto, member(o.otto), at("2026-10-05"), &domain.CadenceSet{EveryDays: 7})
	perf(o.cy, o.otto, "2026-09-08", "2026-09-30", "2026-10-14")
	perf(o.eve, o.otto, "2026-09-08")
	f.addAt(o.eve, hrActor, at("2026-09-21"), &domain.PersonDeparted{On: date(t, "2026-09-20"), Reason: "left"})
	// Olga's 1-on-1s with her leaders.
	perf(o.leo, o.olga, "2026-09-10", "2026-10-08")
	fixIDs(f)
	return o
}

// rowWant is what a test checks of a row; gaps and dates as hand-computed.
type rowWant struct {
	from, to                         string
	windows, met                     int
	perf, pipeline, skipped, longest int
	last                             string // "" for none
	missed                           []string
}

func checkRow(t *testing.T, name string, got CadenceRow, want rowWant) {
	t.Helper()
	last := ""
	if got.LastMeeting != nil {
		last = got.LastMeeting.String()
	}
	var missed []string
	for _, w := range got.MissedWindows {
		missed = append(missed, w.From.String())
	}
	longest := -1
	if got.LongestGapDays != nil {
		longest = *got.LongestGapDays
	}
	if got.From.String() != want.from || got.To.String() != want.to || got.Windows != want.windows || got.WindowsMet != want.met ||
		got.PerformanceMeetings != want.perf || got.PipelineReviews != want.pipeline || got.Skipped != want.skipped ||
		longest != want.longest || last != want.last || mustJSON(t, missed) != mustJSON(t, want.missed) {
		t.Errorf("%s: from %s to %s windows %d/%d perf %d pipeline %d skipped %d longest %d last %q missed %v\nwant %+v",
			name, got.From, got.To, got.WindowsMet, got.Windows, got.PerformanceMeetings, got.PipelineReviews, got.Skipped,
			longest, last, missed, want)
	}
	if want.windows > 0 && (got.Compliance == nil || *got.Compliance != float64(want.met)/float64(want.windows)) {
		t.Errorf("%s: compliance %v, want %d/%d", name, got.Compliance, want.met, want.windows)
	}
}

func TestCadenceScenario(t *testing.T) {
	o := newCadenceOrg(t)
	s := o.f.set()
	from, to := date(t, "2026-09-07"), date(t, "2026-10-20")
	got := s.Cadence(o.leo, from, to)

	// Leo's windows are the weeks starting 09-07: W1 09-07, W2 09-14,
	// W3 09-21, W4 09-28, W5 10-05, W6 10-12; 10-19..10-20 is partial.
	if len(got.Rows) != 3 || got.EveryDays != 7 || got.Name != "Leo" || *got.ReportsTo != o.olga {
		t.Fatalf("Leo: %d rows, every %d, name %q", len(got.Rows), got.EveryDays, got.Name)
	}
	// Ana: met W1 (09-08), W3 (09-22), W6 (10-13); W2 skipped, W4 only a
	// pipeline review (10-01), W5 only a skip-level with Olga (10-06).
	// 3/6 = 0.5. Gaps 09-07→09-08 1, →09-22 14, →10-13 21, →10-20 7: 21.
	// The 08-25 meeting is before the range: not counted, not the last.
	checkRow(t, "Ana", got.Rows[0], rowWant{"2026-09-07", "2026-10-20", 6, 3, 3, 1, 1, 21, "2026-10-13",
		[]string{"2026-09-14", "2026-09-28", "2026-10-05"}})
	// Ben: every Monday, 7 meetings (10-19 is in the partial window: held,
	// no window). 6/6. Gaps 0, 7×6, 10-19→10-20 1: 7.
	checkRow(t, "Ben", got.Rows[1], rowWant{"2026-09-07", "2026-10-20", 6, 6, 7, 0, 0, 7, "2026-10-19", nil})
	// Dee: under Leo from 09-25; windows 09-25 (met 09-29), 10-02 (met
	// 10-06), 10-09 missed; 10-16..10-22 is not complete. 2/3. The 09-10
	// meeting was with Otto. Gaps 09-25→09-29 4, →10-06 7, →10-20 14: 14.
	checkRow(t, "Dee", got.Rows[2], rowWant{"2026-09-25", "2026-10-20", 3, 2, 2, 0, 0, 14, "2026-10-06",
		[]string{"2026-10-09"}})
	// Leo in sum: 11 of 15 windows; 12 performance meetings and 1 pipeline
	// review: pipeline share 1/13; longest gap 21 (Ana).
	sum := got.Summary
	if sum.Reports != 3 || sum.Windows != 15 || sum.WindowsMet != 11 || *sum.Compliance != 11.0/15 || sum.PerformanceMeetings != 12 ||
		sum.PipelineReviews != 1 || *sum.PipelineShare != 1.0/13 || sum.Skipped != 1 || *sum.LongestGapDays != 21 {
		t.Errorf("Leo's summary = %s", mustJSON(t, sum))
	}
	if len(got.Leaders) != 0 {
		t.Errorf("Leo has leaders below: %s", mustJSON(t, got.Leaders))
	}

	// Olga: no cadence set, 7 days. Leo met W1 (09-10) and W5 (10-08): 2/6;
	// gaps 3, 28, 12: 28. Otto never: 0/6, gap 09-07→10-20 = 43.
	owner := s.Cadence(o.olga, from, to)
	if mustJSON(t, owner.Cadences) != `[{"every_days":7,"from":"2026-09-07","set":false}]` {
		t.Errorf("Olga's cadences = %s", mustJSON(t, owner.Cadences))
	}
	checkRow(t, "Olga/Leo", owner.Rows[0], rowWant{"2026-09-07", "2026-10-20", 6, 2, 2, 0, 0, 28, "2026-10-08",
		[]string{"2026-09-14", "2026-09-21", "2026-09-28", "2026-10-12"}})
	checkRow(t, "Olga/Otto", owner.Rows[1], rowWant{"2026-09-07", "2026-10-20", 6, 0, 0, 0, 0, 43, "",
		[]string{"2026-09-07", "2026-09-14", "2026-09-21", "2026-09-28", "2026-10-05", "2026-10-12"}})
	if len(owner.Leaders) != 2 || owner.Leaders[0].ManagerID != o.leo || owner.Leaders[1].ManagerID != o.otto {
		t.Fatalf("Olga's leaders = %s", mustJSON(t, owner.Leaders))
	}
	if a, b := mustJSON(t, owner.Leaders[0]), mustJSON(t, got.LeaderCadence); a != b {
		t.Errorf("Leo under Olga = %s\nwant %s", a, b)
	}

	// Otto: 14 days until 10-04, then 7. Windows 09-07..09-20, 09-21..10-04,
	// then 10-05, 10-12; 10-19..10-20 partial.
	otto := owner.Leaders[1]
	if otto.EveryDays != 7 || mustJSON(t, otto.Cadences) != `[{"every_days":14,"from":"2026-09-07","set":true},{"every_days":7,"from":"2026-10-05","set":true}]` {
		t.Errorf("Otto's cadence %d, %s", otto.EveryDays, mustJSON(t, otto.Cadences))
	}
	// Cy: met 09-08, 09-30, 10-14; 10-05..10-11 missed: 3/4. Gaps 1, 22, 14, 6: 22.
	checkRow(t, "Otto/Cy", otto.Rows[0], rowWant{"2026-09-07", "2026-10-20", 4, 3, 3, 0, 0, 22, "2026-10-14",
		[]string{"2026-10-05"}})
	// Eve departed 09-20: one complete 14-day window, met on 09-08. Gaps 1, 12.
	checkRow(t, "Otto/Eve", otto.Rows[1], rowWant{"2026-09-07", "2026-09-20", 1, 1, 1, 0, 0, 12, "2026-09-08", nil})
	if otto.Summary.Reports != 2 || otto.Summary.Windows != 5 || otto.Summary.WindowsMet != 4 || *otto.Summary.LongestGapDays != 22 {
		t.Errorf("Otto's summary = %s", mustJSON(t, otto.Summary))
	}
	matchGolden(t, "cadence.json", owner)
}

func TestCadenceEdges(t *testing.T) {
	o := newCadenceOrg(t)
	s := o.f.set()
	// A range shorter than one window: no windows, no compliance; the
	// meeting still counts as held.
	short := s.Cadence(o.leo, date(t, "2026-09-07"), date(t, "2026-09-09"))
	checkRow(t, "short", short.Rows[0], rowWant{"2026-09-07", "2026-09-09", 0, 0, 1, 0, 0, 1, "2026-09-08", nil})
	if short.Rows[0].Compliance != nil || short.Summary.Compliance != nil {
		t.Errorf("compliance without windows = %v", short.Rows[0].Compliance)
	}
	// Before Dee joined Leo: her row is empty.
	early := s.Cadence(o.leo, date(t, "2026-09-07"), date(t, "2026-09-20"))
	if r := early.Rows[2]; r.Windows != 0 || r.LongestGapDays != nil || r.PerformanceMeetings != 0 || r.Compliance != nil {
		t.Errorf("Dee before joining = %s", mustJSON(t, r))
	}
	// Someone with no reports and an unknown id have no rows.
	for _, id := range []uuid.UUID{o.ana, uuid.New()} {
		if c := s.Cadence(id, date(t, "2026-09-07"), date(t, "2026-10-20")); len(c.Rows) != 0 || len(c.Leaders) != 0 || c.Summary.Compliance != nil {
			t.Errorf("Cadence(%s) = %s", id, mustJSON(t, c))
		}
	}
	// Erasure keeps every number.
	before := mustJSON(t, s.Cadence(o.leo, date(t, "2026-09-07"), date(t, "2026-10-20")).Summary)
	o.f.add(o.ana, hrActor, &domain.PersonErased{Reason: "request"})
	s = o.f.set()
	after := s.Cadence(o.leo, date(t, "2026-09-07"), date(t, "2026-10-20"))
	if a := mustJSON(t, after.Summary); a != before || after.Rows[0].Name != domain.Erased {
		t.Errorf("after erasure: %s, name %q; before %s", a, after.Rows[0].Name, before)
	}
}

// TestCadenceCountsWhatLeadersDid (issue 15, SPEC §4): a performance
// meeting counts toward a leader's cadence only when that leader, HR or an
// admin recorded it. One recorded by the rep herself (with_id = her
// manager), a skip-level or a peer is counted as unconfirmed and in nothing
// else: not a met window, not a held meeting, not the last meeting, and it
// does not move the start of the row back.
func TestCadenceCountsWhatLeadersDid(t *testing.T) {
	admin := domain.Actor{ID: "ops", Role: domain.RoleAdmin}
	cases := []struct {
		name        string
		actor       func(o *cadenceOrg) domain.Actor
		counts      bool
		unconfirmed int
	}{
		{"the leader", func(o *cadenceOrg) domain.Actor { return member(o.leo) }, true, 0},
		{"HR", func(*cadenceOrg) domain.Actor { return hrActor }, true, 0},
		{"an admin", func(*cadenceOrg) domain.Actor { return admin }, true, 0},
		{"the rep herself", func(o *cadenceOrg) domain.Actor { return member(o.ana) }, false, 1},
		{"the skip-level", func(o *cadenceOrg) domain.Actor { return member(o.olga) }, false, 1},
		{"a peer", func(o *cadenceOrg) domain.Actor { return member(o.ben) }, false, 1},
		{"a service that is not HR or admin", func(*cadenceOrg) domain.Actor { return domain.Actor{ID: "sync", Role: domain.RoleMember} }, false, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := newCadenceOrg(t)
			actor := tc.actor(o)
			// Ana's week of 09-14 had no performance meeting; one on 09-16,
			// and one on 07-01, before Ana's registration (08-01).
			for _, day := range []string{"2026-09-16", "2026-07-01"} {
				at := date(t, day).Time().Add(10 * time.Hour)
				o.f.addAt(o.ana, actor, at, &domain.MeetingHeld{MeetingID: fixedID("extra" + day), Kind: "performance", HeldAt: at, WithID: o.leo})
			}
			fixIDs(o.f)
			s := o.f.set()
			ana := s.Cadence(o.leo, date(t, "2026-09-07"), date(t, "2026-10-20")).Rows[0]
			want := rowWant{"2026-09-07", "2026-10-20", 6, 3, 3, 1, 1, 21, "2026-10-13", []string{"2026-09-14", "2026-09-28", "2026-10-05"}}
			if tc.counts {
				want = rowWant{"2026-09-07", "2026-10-20", 6, 4, 4, 1, 1, 21, "2026-10-13", []string{"2026-09-28", "2026-10-05"}}
			}
			checkRow(t, "Ana", ana, want)
			if ana.Unconfirmed != tc.unconfirmed {
				t.Errorf("unconfirmed = %d, want %d", ana.Unconfirmed, tc.unconfirmed)
			}
			early := s.Cadence(o.leo, date(t, "2026-06-29"), date(t, "2026-10-20"))
			wantFrom := "2026-08-01" // registration: the earliest meeting only counts when the leader's
			if tc.counts {
				wantFrom = "2026-07-01"
			}
			// The 07-01 meeting the rep recorded lies before her row: not counted at all.
			if got := early.Rows[0].From.String(); got != wantFrom || early.Summary.Unconfirmed != tc.unconfirmed {
				t.Errorf("from 06-29: Ana's row from %s, summary unconfirmed %d; want %s, %d", got, early.Summary.Unconfirmed, wantFrom, tc.unconfirmed)
			}
		})
	}
}
