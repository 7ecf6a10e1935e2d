package projections

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/google/uuid"
)

// keepingFeed is Ana's commitments from September to November 2026; every
// step happens at 10:00 UTC on its day and is recorded a minute later.
//
//	c1 made 09-03 due 09-10, kept 09-09                          on time
//	c2 made 09-05 due 09-12, renegotiated 09-11 to 09-19, kept 09-18: on time (the due date in force)
//	c3 made 09-20 due 09-25, missed 10-02
//	c4 made 09-28 due 10-01, kept 10-05                          late
//	c5 made 10-06 due 10-10, withdrawn 10-08
//	c6 made 10-15 due 10-20, open                                overdue from 10-21
//	c7 made 11-02 due 11-30, renegotiated 11-03 to 12-05, open
func keepingFeed(t *testing.T) (*feed, uuid.UUID, []uuid.UUID) {
	lead, ana := fixedID("lead"), fixedID("ana")
	c := make([]uuid.UUID, 7)
	for k := range c {
		c[k] = fixedID("commitment-" + string(rune('1'+k)))
	}
	f := newFeed()
	f.at = time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)
	register(f, lead, "Leo", nil)
	register(f, ana, "Ana", &lead)
	at := func(day string) time.Time {
		return date(t, day).Time().Add(10 * time.Hour)
	}
	by := member(lead)
	made := func(k int, on, due, text string) {
		f.addAt(ana, by, at(on), &domain.CommitmentMade{CommitmentID: c[k], Text: text, DueOn: date(t, due)})
	}
	made(0, "2026-09-03", "2026-09-10", "book 15 first meetings")
	made(1, "2026-09-05", "2026-09-12", "call 3 lapsed customers")
	f.addAt(ana, by, at("2026-09-09"), &domain.CommitmentKept{CommitmentID: c[0]})
	f.addAt(ana, by, at("2026-09-11"), &domain.CommitmentRenegotiated{CommitmentID: c[1], NewDueOn: date(t, "2026-09-19"), Reason: "customer away"})
	f.addAt(ana, by, at("2026-09-18"), &domain.CommitmentKept{CommitmentID: c[1], Note: str("all three called")})
	made(2, "2026-09-20", "2026-09-25", "role-play the demo")
	made(3, "2026-09-28", "2026-10-01", "update the CRM")
	f.addAt(ana, by, at("2026-10-02"), &domain.CommitmentMissed{CommitmentID: c[2]})
	f.addAt(ana, by, at("2026-10-05"), &domain.CommitmentKept{CommitmentID: c[3]})
	made(4, "2026-10-06", "2026-10-10", "shadow a demo")
	f.addAt(ana, by, at("2026-10-08"), &domain.CommitmentWithdrawn{CommitmentID: c[4], Reason: "demo cancelled"})
	made(5, "2026-10-15", "2026-10-20", "send 10 proposals")
	made(6, "2026-11-02", "2026-11-30", "ask 5 customers for referrals")
	f.addAt(ana, by, at("2026-11-03"), &domain.CommitmentRenegotiated{CommitmentID: c[6], NewDueOn: date(t, "2026-12-05"), Reason: "holidays"})
	fixIDs(f)
	return f, ana, c
}

func fp(v float64) *float64 { return &v }

func TestCommitmentKeeping(t *testing.T) {
	f, ana, c := keepingFeed(t)
	s := f.set()
	today := date(t, "2026-11-05")
	now := time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC)
	k := func(made, kept, missed, withdrawn, reneg, open, overdue, onTime int, keep, onTimeRate *float64) KeepingCounts {
		return KeepingCounts{Made: made, Kept: kept, Missed: missed, Withdrawn: withdrawn, Renegotiated: reneg,
			Open: open, Overdue: overdue, KeptOnTime: onTime, KeepRate: keep, OnTimeRate: onTimeRate}
	}
	tests := []struct {
		name    string
		asOf    time.Time
		today   string // the day overdue is measured on
		totals  KeepingCounts
		months  []string
		status  map[uuid.UUID]string // "" = absent
		history map[uuid.UUID]int
	}{{
		// kept c1 c2 c4, missed c3: keep 3/4; on time c1 c2 (c4 late): 2/3.
		name: "now", asOf: now, today: "2026-11-05",
		totals:  k(7, 3, 1, 1, 2, 2, 1, 2, fp(0.75), fp(2.0/3)),
		months:  []string{"2026-09", "2026-10", "2026-11"},
		status:  map[uuid.UUID]string{c[3]: "kept", c[5]: "open", c[6]: "open"},
		history: map[uuid.UUID]int{c[1]: 3, c[3]: 2, c[6]: 2},
	}, {
		// Before c4's resolution was recorded: c4 open and overdue on as_of's
		// day (due 10-01); c5 not made yet. Kept c1 c2, missed c3.
		name: "before a resolution", asOf: time.Date(2026, 10, 5, 10, 0, 30, 0, time.UTC), today: "2026-10-05",
		totals:  k(4, 2, 1, 0, 1, 1, 1, 2, fp(2.0/3), fp(1)),
		months:  []string{"2026-09", "2026-10"},
		status:  map[uuid.UUID]string{c[3]: "open", c[4]: ""},
		history: map[uuid.UUID]int{c[3]: 1},
	}, {
		// The resolution is recorded at 10:01:00: as_of that instant knows it.
		name: "at the resolution", asOf: time.Date(2026, 10, 5, 10, 1, 0, 0, time.UTC), today: "2026-10-05",
		totals:  k(4, 3, 1, 0, 1, 0, 0, 2, fp(0.75), fp(2.0/3)),
		months:  []string{"2026-09", "2026-10"},
		status:  map[uuid.UUID]string{c[3]: "kept"},
		history: map[uuid.UUID]int{c[3]: 2},
	}, {
		// Only c1 made and still open, due 09-10: not overdue on 09-04.
		name: "one open", asOf: time.Date(2026, 9, 4, 0, 0, 0, 0, time.UTC), today: "2026-09-04",
		totals: k(1, 0, 0, 0, 0, 1, 0, 0, nil, nil),
		months: []string{"2026-09"},
		status: map[uuid.UUID]string{c[0]: "open", c[1]: ""},
	}, {
		name: "nothing yet", asOf: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), today: "2026-09-01",
		totals: k(0, 0, 0, 0, 0, 0, 0, 0, nil, nil),
		status: map[uuid.UUID]string{c[0]: ""},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.CommitmentKeeping(ana, tt.asOf, today)
			if got.Today.String() != tt.today || !got.AsOf.Equal(tt.asOf) || got.PersonID != ana {
				t.Errorf("today %s as_of %s, want %s %s", got.Today, got.AsOf, tt.today, tt.asOf)
			}
			if a, b := mustJSON(t, got.Totals), mustJSON(t, tt.totals); a != b {
				t.Errorf("totals = %s\nwant     %s", a, b)
			}
			var months []string
			for _, m := range got.ByMonth {
				months = append(months, m.Month)
			}
			if mustJSON(t, months) != mustJSON(t, tt.months) && !(len(months) == 0 && len(tt.months) == 0) {
				t.Errorf("months = %v, want %v", months, tt.months)
			}
			byID := map[uuid.UUID]CommitmentLife{}
			for _, kc := range got.Commitments {
				byID[kc.ID] = kc
			}
			for id, want := range tt.status {
				if kc, ok := byID[id]; kc.Status != want || ok != (want != "") {
					t.Errorf("commitment %s status %q (present %v), want %q", id, kc.Status, ok, want)
				}
			}
			for id, want := range tt.history {
				if n := len(byID[id].History); n != want {
					t.Errorf("commitment %s history has %d steps, want %d", id, n, want)
				}
			}
		})
	}
}

// TestKeepingByMonth checks each month against the rules of
// CommitmentKeeping, computed by hand from keepingFeed, today 2026-11-05.
func TestKeepingByMonth(t *testing.T) {
	f, ana, _ := keepingFeed(t)
	got := f.set().CommitmentKeeping(ana, time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC), date(t, "2026-11-05"))
	want := []MonthKeeping{
		// September: made c1-c4; kept c1 (09-09) c2 (09-18), both on time;
		// c2 renegotiated; open on 09-30: c3 (due 09-25, overdue), c4 (due 10-01).
		{"2026-09", KeepingCounts{Made: 4, Kept: 2, KeptOnTime: 2, Renegotiated: 1, Open: 2, Overdue: 1, KeepRate: fp(1), OnTimeRate: fp(1)}},
		// October: made c5 c6; c4 kept late, c3 missed, c5 withdrawn; open on
		// 10-31: c6 (due 10-20, overdue).
		{"2026-10", KeepingCounts{Made: 2, Kept: 1, Missed: 1, Withdrawn: 1, Open: 1, Overdue: 1, KeepRate: fp(0.5), OnTimeRate: fp(0)}},
		// November, up to today 11-05: made c7, renegotiated; open c6 (overdue), c7.
		{"2026-11", KeepingCounts{Made: 1, Renegotiated: 1, Open: 2, Overdue: 1}},
	}
	if a, b := mustJSON(t, got.ByMonth), mustJSON(t, want); a != b {
		t.Errorf("by_month =\n%s\nwant\n%s", a, b)
	}
	matchGolden(t, "commitment_keeping.json", got)

	// The zero as_of is everything applied, overdue measured on today.
	all := f.set().CommitmentKeeping(ana, time.Time{}, date(t, "2026-11-05"))
	if !all.AsOf.IsZero() || mustJSON(t, keepingShape(all)) != mustJSON(t, keepingShape(got)) {
		t.Errorf("zero as_of = %s, want %s", mustJSON(t, keepingShape(all)), mustJSON(t, keepingShape(got)))
	}
}

// TestKeepingMonthEnds: a month's open and overdue are counted at the end
// of its last day: a commitment resolved on the next month's first day was
// open at the end of the month, and one due on the month's last day was
// not yet overdue then.
func TestKeepingMonthEnds(t *testing.T) {
	lead, ana := fixedID("lead"), fixedID("ana")
	f := newFeed()
	f.at = time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)
	register(f, lead, "Leo", nil)
	register(f, ana, "Ana", &lead)
	at := func(day string) time.Time { return date(t, day).Time().Add(10 * time.Hour) }
	a, b := fixedID("commitment-a"), fixedID("commitment-b")
	f.addAt(ana, member(lead), at("2026-10-20"), &domain.CommitmentMade{CommitmentID: a, Text: "book 15 first meetings", DueOn: date(t, "2026-10-31")})
	f.addAt(ana, member(lead), at("2026-10-25"), &domain.CommitmentMade{CommitmentID: b, Text: "send 10 proposals", DueOn: date(t, "2026-10-30")})
	f.addAt(ana, member(lead), at("2026-11-01"), &domain.CommitmentKept{CommitmentID: a})
	got := f.set().CommitmentKeeping(ana, time.Time{}, date(t, "2026-11-05"))
	want := []MonthKeeping{
		{"2026-10", KeepingCounts{Made: 2, Open: 2, Overdue: 1}},
		{"2026-11", KeepingCounts{Kept: 1, Open: 1, Overdue: 1, KeepRate: fp(1), OnTimeRate: fp(0)}},
	}
	if a, b := mustJSON(t, got.ByMonth), mustJSON(t, want); a != b {
		t.Errorf("by_month =\n%s\nwant\n%s", a, b)
	}
}

func TestKeepingRates(t *testing.T) {
	day := func(d string) time.Time { return date(t, d).Time().Add(9 * time.Hour) }
	tests := []struct {
		name         string
		resolve      []domain.Data // applied in order to commitments c[0], c[1]… made 09-01 due 09-10, resolved on 09-10
		keep, onTime *float64
	}{
		{"nothing resolved", nil, nil, nil},
		{"withdrawn only", []domain.Data{&domain.CommitmentWithdrawn{Reason: "x"}}, nil, nil},
		{"missed only", []domain.Data{&domain.CommitmentMissed{}}, fp(0), nil},
		{"kept on the due day", []domain.Data{&domain.CommitmentKept{}}, fp(1), fp(1)},
		{"one of each", []domain.Data{&domain.CommitmentKept{}, &domain.CommitmentMissed{}, &domain.CommitmentWithdrawn{Reason: "x"}}, fp(0.5), fp(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := uuid.New()
			f := newFeed()
			register(f, rep, "Rep", nil)
			for _, d := range tt.resolve {
				id := uuid.New()
				f.addAt(rep, member(rep), day("2026-09-01"), &domain.CommitmentMade{CommitmentID: id, Text: "x", DueOn: date(t, "2026-09-10")})
				switch r := d.(type) {
				case *domain.CommitmentKept:
					r.CommitmentID = id
				case *domain.CommitmentMissed:
					r.CommitmentID = id
				case *domain.CommitmentWithdrawn:
					r.CommitmentID = id
				}
				f.addAt(rep, member(rep), day("2026-09-10"), d)
			}
			got := f.set().CommitmentKeeping(rep, day("2026-12-01"), date(t, "2026-12-01")).Totals
			if mustJSON(t, got.KeepRate) != mustJSON(t, tt.keep) || mustJSON(t, got.OnTimeRate) != mustJSON(t, tt.onTime) {
				t.Errorf("keep_rate %s on_time_rate %s, want %s %s", mustJSON(t, got.KeepRate), mustJSON(t, got.OnTimeRate), mustJSON(t, tt.keep), mustJSON(t, tt.onTime))
			}
		})
	}
}

func TestKeepingUnknownPerson(t *testing.T) {
	got := NewSet().CommitmentKeeping(uuid.New(), clock.Now(), domain.DateOf(clock.Now()))
	b, _ := json.Marshal(got)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if m["by_month"] == nil || m["commitments"] == nil || m["totals"].(map[string]any)["keep_rate"] != nil {
		t.Errorf("unknown person = %s, want empty lists and null rates", b)
	}
}

// TestKeepingBrief: the brief keeping has the full one's totals and stamp,
// and lists its commitments by the rep page's rule, without histories,
// however many are asked for.
func TestKeepingBrief(t *testing.T) {
	f, ana, _ := keepingFeed(t)
	s := f.set()
	today := date(t, "2026-11-05")
	full, fst := s.StampedCommitmentKeeping(ana, time.Time{}, today)
	if len(full.Commitments) < 2 {
		t.Fatal("too few commitments in the feed")
	}
	histories := 0
	for i := range full.Commitments {
		histories += len(full.Commitments[i].History)
		full.Commitments[i].History = []Step{}
	}
	if histories == 0 {
		t.Fatal("no history to leave out")
	}
	for n := range len(full.Commitments) + 2 {
		brief, bst := s.StampedKeepingBrief(ana, today, n)
		want := KeepingBrief{Totals: full.Totals, Commitments: shownCommitments(full.Commitments, n)}
		if want.Commitments == nil {
			want.Commitments = []CommitmentLife{}
		}
		if !reflect.DeepEqual(want, brief) {
			t.Errorf("%d shown: brief %+v\nfull's %+v", n, brief, want)
		}
		if !reflect.DeepEqual(fst, bst) {
			t.Errorf("stamps differ: %+v, %+v", bst, fst)
		}
	}
}

// TestOpenCommitments: the open commitments are Commitments' open ones, in
// the same order, built alike.
func TestOpenCommitments(t *testing.T) {
	f, ana, _ := keepingFeed(t)
	s := f.set()
	var want []Commitment
	resolved := 0
	for _, c := range s.Commitments(ana) {
		if c.Status == statusOpen {
			want = append(want, c)
		} else {
			resolved++
		}
	}
	if len(want) == 0 || resolved == 0 {
		t.Fatalf("the feed has %d open and %d resolved commitments: both are needed", len(want), resolved)
	}
	if got := s.OpenCommitments(ana); !reflect.DeepEqual(got, want) {
		t.Errorf("open commitments %+v\nwant %+v", got, want)
	}
	if got := s.OpenCommitments(uuid.New()); len(got) != 0 {
		t.Errorf("an unknown person has %d open commitments", len(got))
	}
}

// TestOpenCommitmentLookup follows up, renegotiates and resolves
// commitments of a person with few open ones (found in the person's open
// list) and with more than openScanned (found in the Set's map), and
// checks that steps on someone else's commitment, or on a resolved one,
// change nothing on either path.
func TestOpenCommitmentLookup(t *testing.T) {
	for _, open := range []int{3, openScanned + 5} {
		s := NewSet()
		ana, ben := uuid.New(), uuid.New()
		seq := uint64(0)
		at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		apply := func(who uuid.UUID, d domain.Data) {
			seq++
			at = at.Add(time.Hour)
			s.Apply(seq, domain.Event{ID: uuid.New(), Type: d.EventType(), Schema: 1, PersonID: who, Version: seq,
				Actor: domain.Actor{ID: who.String(), Role: domain.RoleMember}, OccurredAt: at, RecordedAt: at, Data: d}, nil)
		}
		apply(ana, &domain.PersonRegistered{Name: "Ana Lima", Email: "ana@example.com"})
		apply(ben, &domain.PersonRegistered{Name: "Ben Okafor", Email: "ben@example.com"})
		ids := make([]uuid.UUID, open)
		for k := range ids {
			ids[k] = uuid.New()
			apply(ana, &domain.CommitmentMade{CommitmentID: ids[k], Text: "call back", DueOn: domain.NewDate(2026, 3, 20)})
		}
		for range open { // Ben's steps below take the same path as Ana's
			apply(ben, &domain.CommitmentMade{CommitmentID: uuid.New(), Text: "send the deck", DueOn: domain.NewDate(2026, 3, 20)})
		}
		first, last := ids[0], ids[open-1]
		apply(ana, &domain.CommitmentRenegotiated{CommitmentID: last, NewDueOn: domain.NewDate(2026, 3, 27), Reason: "travel"})
		apply(ana, &domain.CommitmentKept{CommitmentID: first})
		apply(ana, &domain.CommitmentMissed{CommitmentID: first})                               // resolved already: nothing
		apply(ben, &domain.CommitmentWithdrawn{CommitmentID: last, Reason: "not mine"})         // Ana's: nothing
		apply(ben, &domain.CommitmentFollowedUp{CommitmentID: ids[1], Note: "not mine either"}) // nothing
		k, _ := s.StampedKeepingBrief(ana, domain.NewDate(2026, 3, 31), 0)
		if k.Totals.Made != open || k.Totals.Kept != 1 || k.Totals.Missed != 0 || k.Totals.Withdrawn != 0 || k.Totals.Renegotiated != 1 || k.Totals.Open != open-1 {
			t.Errorf("%d open: totals %+v", open, k.Totals)
		}
		byID := map[uuid.UUID]Commitment{}
		for _, c := range s.Commitments(ana) {
			byID[c.ID] = c
		}
		if c := byID[last]; c.Status != statusOpen || c.DueOn != domain.NewDate(2026, 3, 27) || len(c.History) != 2 {
			t.Errorf("%d open: the renegotiated one %+v", open, c)
		}
		if c := byID[ids[1]]; len(c.History) != 1 {
			t.Errorf("%d open: someone else's follow-up is in the history: %+v", open, c.History)
		}
		if got := len(s.OpenCommitments(ana)); got != open-1 {
			t.Errorf("%d open: %d listed open", open, got)
		}
		if kb, _ := s.StampedKeepingBrief(ben, domain.NewDate(2026, 3, 31), 0); kb.Totals.Open != open || kb.Totals.Withdrawn != 0 {
			t.Errorf("%d open: Ben's totals %+v", open, kb.Totals)
		}
	}
}
