package projections

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

func TestTimeline(t *testing.T) {
	p := ids(2)
	lead, ana := p[0], p[1]
	f := newFeed()
	register(f, lead, "Leo", nil)
	register(f, ana, "Ana Lima", &lead)
	for k := 0; k < 5; k++ {
		f.add(ana, member(ana), &domain.MetricsSubmitted{Period: domain.Period{Year: 2026, Week: 45 + k}, Values: map[string]float64{"activities": 40, "revenue": 1000}, Source: "self"})
		f.add(lead, member(lead), &domain.CadenceSet{EveryDays: 7}) // another journal in between
		f.add(ana, member(lead), &domain.CommitmentMade{CommitmentID: uuid.New(), Text: "do it", DueOn: date(t, "2026-12-01")})
	}
	f.add(ana, member(lead), &domain.MeetingHeld{MeetingID: uuid.New(), Kind: "performance", WithID: lead, Diagnosis: &domain.Diagnosis{Primary: "activity"}})
	s := f.set()
	all, next := s.Timeline(ana, TimelineQuery{Limit: 100})
	if len(all) != 12 || next != 0 {
		t.Fatalf("Timeline = %d entries, next %d; want 12, 0", len(all), next)
	}
	if got := all[0].Summary; got != "Registered Ana Lima" {
		t.Errorf("summary = %q", got)
	}
	if got := all[1].Summary; got != "Submitted numbers for 2026-W45 (self): 2 metrics" {
		t.Errorf("summary = %q", got)
	}
	if got := all[11].Summary; got != "Performance meeting held — diagnosis: activity" {
		t.Errorf("summary = %q", got)
	}
	if m, ok := all[1].Data.(*domain.MetricsSubmitted); !ok || m.Values["revenue"] != 1000 || m.Period.String() != "2026-W45" {
		t.Errorf("metrics data = %#v", all[1].Data)
	}
	if all[1].Hash != f.events[2].Hash || all[1].EventID != f.events[2].ID || all[1].Sequence != 3 {
		t.Errorf("step = %+v, want event %+v", all[1], f.events[2])
	}

	at := func(k int) time.Time { return all[k].OccurredAt }
	tests := []struct {
		name string
		q    TimelineQuery
		want []uint64 // sequences
	}{
		{"type prefix", TimelineQuery{TypePrefix: "commitment.", Limit: 100}, seqs(all, 2, 4, 6, 8, 10)},
		{"type prefix without dot", TimelineQuery{TypePrefix: "meeting", Limit: 100}, seqs(all, 11)},
		{"from inclusive", TimelineQuery{From: at(9), Limit: 100}, seqs(all, 9, 10, 11)},
		{"to exclusive", TimelineQuery{To: at(2), Limit: 100}, seqs(all, 0, 1)},
		{"from and to", TimelineQuery{From: at(3), To: at(5), Limit: 100}, seqs(all, 3, 4)},
		{"after cursor", TimelineQuery{After: all[9].Sequence, Limit: 100}, seqs(all, 10, 11)},
		{"all filters", TimelineQuery{TypePrefix: "metrics.", From: at(1), To: at(9), After: all[3].Sequence, Limit: 100}, seqs(all, 5, 7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, next := s.Timeline(ana, tt.q)
			if gs := stepSeqs(got); !slices.Equal(gs, tt.want) || next != 0 {
				t.Errorf("Timeline = %v next %d, want %v next 0", gs, next, tt.want)
			}
		})
	}

	for _, limit := range []int{1, 3, 4, 5, 12} {
		for _, prefix := range []string{"", "commitment."} {
			var got []uint64
			var cursor uint64
			for pages := 0; ; pages++ {
				page, next := s.Timeline(ana, TimelineQuery{TypePrefix: prefix, After: cursor, Limit: limit})
				if len(page) > limit || pages > 20 {
					t.Fatalf("limit %d: page of %d", limit, len(page))
				}
				got = append(got, stepSeqs(page)...)
				if next == 0 {
					break
				}
				if next != page[len(page)-1].Sequence {
					t.Fatalf("cursor %d is not the last entry's sequence", next)
				}
				cursor = next
			}
			want, _ := s.Timeline(ana, TimelineQuery{TypePrefix: prefix, Limit: 1000})
			if !slices.Equal(got, stepSeqs(want)) {
				t.Errorf("limit %d prefix %q: pages cover %v, want %v", limit, prefix, got, stepSeqs(want))
			}
		}
	}
	if got, next := s.Timeline(uuid.New(), TimelineQuery{Limit: 10}); len(got) != 0 || next != 0 {
		t.Errorf("unknown person's timeline = %v, %d", got, next)
	}
}

func seqs(all []Step, k ...int) []uint64 {
	out := make([]uint64, len(k))
	for i, j := range k {
		out[i] = all[j].Sequence
	}
	return out
}

func stepSeqs(steps []Step) []uint64 {
	out := make([]uint64, len(steps))
	for i, s := range steps {
		out[i] = s.Sequence
	}
	return out
}

func TestApplyUnreadable(t *testing.T) {
	s := NewSet()
	id := uuid.New()
	s.Apply(1, domain.Event{PersonID: id, Data: &domain.PersonRegistered{Name: "Ana"}}, nil)
	s.Apply(5, domain.Event{PersonID: id, Data: &domain.PersonUpdated{Name: str("Bad")}}, errors.New("undecodable"))
	s.Apply(6, domain.Event{PersonID: id}, nil) // no data
	if got := s.Sequence(); got != 6 {
		t.Errorf("Sequence = %d, want 6", got)
	}
	if p, _ := s.Person(id); p.Name != "Ana" {
		t.Errorf("Name = %q, want Ana", p.Name)
	}
	s.Apply(4, domain.Event{PersonID: id, Data: &domain.PersonUpdated{Name: str("Old")}}, nil) // redelivery
	if p, _ := s.Person(id); p.Name != "Ana" || s.Sequence() != 6 {
		t.Errorf("redelivery applied: %q at %d", p.Name, s.Sequence())
	}
	if steps, _ := s.Timeline(id, TimelineQuery{}); len(steps) != 1 {
		t.Errorf("timeline = %v", types(steps))
	}
}

func TestWaitFor(t *testing.T) {
	s := NewSet()
	s.Apply(3, domain.Event{}, errors.New("x"))
	if err := s.WaitFor(context.Background(), 3); err != nil {
		t.Errorf("WaitFor(reached) = %v", err)
	}

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- s.WaitFor(ctx, 5)
	}()
	time.Sleep(10 * time.Millisecond)
	s.Apply(4, domain.Event{}, errors.New("x"))
	select {
	case err := <-done:
		t.Fatalf("WaitFor returned %v before 5 was reached", err)
	case <-time.After(10 * time.Millisecond):
	}
	s.Apply(5, domain.Event{}, errors.New("x"))
	if err := <-done; err != nil {
		t.Errorf("WaitFor(5) = %v, want nil", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.WaitFor(ctx, 9); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitFor(unreached) = %v, want deadline exceeded", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.waiters) != 0 {
		t.Errorf("%d waiters left behind", len(s.waiters))
	}
}

// TestTimelineNewest reads the latest entries the way the rep page does:
// newest first, below a cursor, of a type prefix, with whether older ones
// remain, and agrees with the reversed full timeline.
func TestTimelineNewest(t *testing.T) {
	p := ids(2)
	lead, ana := p[0], p[1]
	f := newFeed()
	register(f, lead, "Leo", nil)
	register(f, ana, "Ana Lima", &lead)
	for k := 0; k < 5; k++ {
		f.add(ana, member(ana), &domain.MetricsSubmitted{Period: domain.Period{Year: 2026, Week: 45 + k}, Values: map[string]float64{"activities": 40, "revenue": 1000}, Source: "self"})
		f.add(lead, member(lead), &domain.CadenceSet{EveryDays: 7})
		f.add(ana, member(lead), &domain.CommitmentMade{CommitmentID: uuid.New(), Text: "do it", DueOn: date(t, "2026-12-01")})
	}
	s := f.set()
	all, _ := s.Timeline(ana, TimelineQuery{Limit: 100})
	slices.Reverse(all)
	for _, c := range []struct {
		prefix string
		before uint64
		limit  int
	}{{"", math.MaxUint64, 4}, {"", math.MaxUint64, 11}, {"", math.MaxUint64, 20}, {"commitment.", math.MaxUint64, 2},
		{"metrics.", all[3].Sequence, 2}, {"", all[10].Sequence, 5}, {"pip.", math.MaxUint64, 3}} {
		var want []Step
		for _, st := range all {
			if st.Sequence < c.before && strings.HasPrefix(st.Type, c.prefix) {
				want = append(want, st)
			}
		}
		more := len(want) > c.limit
		want = want[:min(len(want), c.limit)]
		got, gotMore, _ := s.TimelineNewest(ana, c.prefix, c.before, c.limit, isoWords)
		if len(got) != len(want) || gotMore != more {
			t.Fatalf("%+v: %d entries, more %v; want %d, %v", c, len(got), gotMore, len(want), more)
		}
		for k := range got {
			if got[k].Sequence != want[k].Sequence || got[k].Summary != want[k].Summary {
				t.Errorf("%+v: entry %d = %d %q, want %d %q", c, k, got[k].Sequence, got[k].Summary, want[k].Sequence, want[k].Summary)
			}
			// A page's entry: the same step, without the hash, and without
			// a metrics submission's values.
			w := want[k]
			w.Hash = ""
			if strings.HasPrefix(w.Type, "metrics.") {
				w.Data = nil
			}
			if !reflect.DeepEqual(got[k], w) {
				t.Errorf("%+v: entry %d = %+v, want %+v", c, k, got[k], w)
			}
		}
	}
	if got, more, _ := s.TimelineNewest(uuid.New(), "", math.MaxUint64, 5, isoWords); len(got) != 0 || more {
		t.Errorf("an unknown person: %d entries, more %v", len(got), more)
	}
	// Journal folds the first n events as domain.Journal.Evolve does from
	// the events as submitted (values included).
	slices.Reverse(all)
	for _, n := range []int{0, 1, 2, 4, len(all), len(all) + 5} {
		want := domain.NewJournal(ana)
		for k, st := range all[:min(n, len(all))] {
			want.Evolve(domain.Event{Version: uint64(k) + 1, Data: st.Data})
		}
		if got := s.Journal(ana, uint64(n), domain.PartsAll); !reflect.DeepEqual(got, want) {
			t.Errorf("Journal(%d) = %+v, want %+v", n, got, want)
		}
	}
	if m, ok := all[1].Data.(*domain.MetricsSubmitted); !ok || m.Values["revenue"] != 1000 {
		t.Fatalf("the feed's second event is %#v: the metrics with values are what Journal must fold alike", all[1].Data)
	}
}
