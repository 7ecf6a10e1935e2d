package projections

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// spice adds what world.step never draws: standards, cadences, skipped
// meetings, optional fields, a time with an offset, events of an erased
// or unknown person, odd hashes and unreadable messages.
func (w *world) spice(t *rapid.T) {
	day := domain.NewDate(2026, 11, 1).AddDays(rapid.IntRange(0, 90).Draw(t, "day"))
	p := rapid.SampledFrom(w.people).Draw(t, "person")
	actor := member(p)
	switch rapid.IntRange(0, 8).Draw(t, "spice") {
	case 0:
		w.f.add(p, actor, &domain.StandardSet{AppliesTo: rapid.SampledFrom([]string{"self", "reports"}).Draw(t, "applies"), EffectiveFrom: domain.NewDate(2026, 10, 1), Period: "month",
			Targets: []domain.Target{{Metric: "revenue", Target: 200000, Kind: "lagging", Unit: str("USD")}, {Metric: "new_opportunities", Target: 10, Kind: "leading"}}})
	case 1:
		w.f.add(p, actor, &domain.CadenceSet{EveryDays: rapid.SampledFrom([]int{7, 14}).Draw(t, "every")})
	case 2:
		w.f.add(p, actor, &domain.MeetingSkipped{ScheduledFor: day, Reason: "offsite"})
	case 3:
		mins := 45
		held := day.Time().Add(15 * time.Hour).In(time.FixedZone("", 2*3600))
		w.f.add(p, actor, &domain.MeetingHeld{MeetingID: uuid.New(), Kind: rapid.SampledFrom([]string{"performance", "pipeline"}).Draw(t, "kind"), HeldAt: held, WithID: w.people[0],
			DurationMinutes: &mins, Diagnosis: &domain.Diagnosis{Primary: "activity", Note: str("low")}})
	case 4:
		meeting := uuid.New()
		w.f.add(p, actor, &domain.CommitmentMade{CommitmentID: uuid.New(), Text: "call", DueOn: day, MeetingID: &meeting, Metric: &domain.CommitmentMetric{Key: "activities", Target: 15}})
	case 5: // a correction, and empty values (erased on arrival when p is erased)
		w.f.add(p, actor, &domain.MetricsSubmitted{Period: domain.MonthPeriod(day), Values: map[string]float64{}, Source: "manager", CorrectionReason: str("typo")})
	case 6:
		e := w.f.add(uuid.New(), actor, &domain.PersonUpdated{Name: str("nobody")}) // not registered: ignored
		_ = e
	case 7: // an odd or missing hash
		w.f.add(p, actor, &domain.MeetingSkipped{ScheduledFor: day, Reason: "odd"})
		w.f.events[len(w.f.events)-1].Hash = rapid.SampledFrom([]string{"", "not-hex", "ABCDEF"}).Draw(t, "hash")
	case 8: // an unreadable message: only the sequence advances
		w.f.add(p, actor, &domain.CadenceSet{EveryDays: 7})
		w.f.events[len(w.f.events)-1].Data = nil
	}
}

// models reads every read model of s, including the scorecard, board,
// keeping and cadence of everyone, as JSON.
func models(t fataler, s *Set, today domain.Date) string {
	out := snapshot(s, today)
	for _, p := range s.People(nil) {
		for _, m := range []domain.Period{{Year: 2026, Mon: 10}, {Year: 2026, Mon: 11}, {Year: 2026, Mon: 12}} {
			out = append(out, s.Scorecard(p.ID, m, time.Time{}), s.Board(p.ID, m, time.Time{}))
		}
		std, ok := s.Standard(p.ID, today, time.Time{})
		out = append(out, std, ok, s.CommitmentKeeping(p.ID, time.Time{}, today),
			s.Cadence(p.ID, domain.NewDate(2026, 10, 1), domain.NewDate(2027, 2, 1)))
	}
	return mustJSON(t, out)
}

// applyAll applies events [from, to), passing an event without data as
// an unreadable message.
func applyAll(s *Set, f *feed, from, to int) {
	for _, e := range f.events[from:to] {
		if e.Data == nil {
			s.Apply(e.Sequence, domain.Event{}, errors.New("unreadable"))
			continue
		}
		s.Apply(e.Sequence, e, nil)
	}
}

func roundTrip(tb fataler, s *Set) *Set {
	var buf bytes.Buffer
	if err := s.WriteSnapshot(&buf); err != nil {
		tb.Fatal(err)
	}
	r, err := ReadSnapshot(&buf)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// TestSnapshotResumeEqualsRebuild: for random valid streams (erasures
// included), full rebuild = incremental = snapshot at a random point k,
// read back, then the rest applied; and the restored steps are identical.
func TestSnapshotResumeEqualsRebuild(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := newWorld()
		n := rapid.IntRange(1, 120).Draw(t, "events")
		for len(w.f.events) < n {
			if len(w.people) > 0 && rapid.IntRange(0, 4).Draw(t, "spiced") == 0 {
				w.spice(t)
				continue
			}
			w.step(t)
		}
		today := domain.NewDate(2026, 11, 1).AddDays(rapid.IntRange(0, 150).Draw(t, "today"))
		k := rapid.IntRange(0, len(w.f.events)).Draw(t, "k")

		full := NewSet()
		applyAll(full, w.f, 0, len(w.f.events))
		inc := NewSet()
		applyAll(inc, w.f, 0, k)
		restored := roundTrip(t, inc)
		sameSteps(t, inc, restored)
		if a, b := models(t, inc, today), models(t, restored, today); a != b {
			t.Fatalf("restored at %d differs from the written Set:\n%s\n%s", k, a, b)
		}
		applyAll(inc, w.f, k, len(w.f.events))
		applyAll(restored, w.f, k, len(w.f.events))
		want := models(t, full, today)
		if got := models(t, inc, today); got != want {
			t.Fatalf("incremental differs from rebuild:\n%s\n%s", want, got)
		}
		if got := models(t, restored, today); got != want {
			t.Fatalf("snapshot at %d then the rest differs from rebuild:\n%s\n%s", k, want, got)
		}
	})
}

// sameSteps checks that every stored step of b equals a's, field by field.
func sameSteps(t fataler, a, b *Set) {
	t.Helper()
	if a.steps.n != b.steps.n || a.seq != b.seq {
		t.Fatal("step count or sequence differs:", a.steps.n, b.steps.n, a.seq, b.seq)
	}
	for i := range a.steps.n {
		x, y := *a.steps.at(i), *b.steps.at(i)
		if a.actors[x.actor] != b.actors[y.actor] || a.types[x.typ] != b.types[y.typ] || a.hashOf(i, &x) != b.hashOf(i, &y) {
			t.Fatal("step", i, "actor, type or hash differs")
		}
		x.actor, y.actor, x.typ, y.typ = 0, 0, 0, 0
		if !reflect.DeepEqual(x, y) {
			t.Fatal("step", i, "differs:", x, y)
		}
	}
}

func TestSnapshotEmptySet(t *testing.T) {
	s := roundTrip(t, NewSet())
	if s.Sequence() != 0 || len(s.People(nil)) != 0 || s.steps.n != 0 {
		t.Fatalf("empty Set read back as seq %d, %d people", s.Sequence(), len(s.People(nil)))
	}
	s.Apply(1, domain.Event{}, errors.New("unreadable"))
	if s = roundTrip(t, s); s.Sequence() != 1 {
		t.Fatalf("Sequence = %d, want 1", s.Sequence())
	}
}

func snapshotBytes(t *testing.T) []byte {
	t.Helper()
	f := newFeed()
	people := ids(3)
	register(f, people[0], "Leo", nil)
	register(f, people[1], "Ana", &people[0])
	f.add(people[1], member(people[1]), &domain.MetricsSubmitted{Period: domain.Period{Year: 2026, Mon: 10}, Values: map[string]float64{"revenue": 1}, Source: "self"})
	f.add(people[1], member(people[0]), &domain.CommitmentMade{CommitmentID: uuid.New(), Text: "call", DueOn: domain.NewDate(2026, 11, 3)})
	var buf bytes.Buffer
	if err := f.set().WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSnapshotCorrupt: every flipped byte and every truncation is an
// error, never a panic or a silently different Set; another version is
// ErrSnapshotVersion.
func TestSnapshotCorrupt(t *testing.T) {
	good := snapshotBytes(t)
	if _, err := ReadSnapshot(bytes.NewReader(good)); err != nil {
		t.Fatal(err)
	}
	for i := range good {
		b := bytes.Clone(good)
		b[i] ^= 0x40
		if _, err := ReadSnapshot(bytes.NewReader(b)); err == nil {
			t.Errorf("byte %d flipped: no error", i)
		}
		if _, err := ReadSnapshot(bytes.NewReader(good[:i])); err == nil {
			t.Errorf("truncated to %d bytes: no error", i)
		}
	}
	w := &wbuf{}
	w.str(snapMagic)
	w.uvarint(SnapshotVersion + 1)
	var other bytes.Buffer
	if err := w.flush(&other); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSnapshot(&other); !errors.Is(err, ErrSnapshotVersion) {
		t.Fatalf("other version: err = %v, want ErrSnapshotVersion", err)
	}
}

// TestSnapshotWhileErasing: snapshots written while erasures are applied
// (as the snapshot keeper does beside the live consumer) read back, and
// every one is either before or after each erasure; with -race it checks
// that the writer reads a step's data only through the copy taken under
// the lock.
func TestSnapshotWhileErasing(t *testing.T) {
	people := ids(40)
	f := newFeed()
	for _, p := range people {
		register(f, p, "Zelda", nil)
		for m := time.Month(1); m <= 6; m++ {
			f.add(p, member(p), &domain.MetricsSubmitted{Period: domain.Period{Year: 2026, Mon: m}, Values: map[string]float64{"revenue": 1000}, Source: "self"})
			f.add(p, member(p), &domain.MeetingSkipped{ScheduledFor: domain.NewDate(2026, m, 3), Reason: "Walrus offsite"})
		}
	}
	s := NewSet()
	f.applyTo(s, 0, len(f.events))
	steps, _ := s.Timeline(people[0], TimelineQuery{Limit: 100})
	whole := strings.Count(mustJSON(t, steps), "Walrus")
	if whole == 0 {
		t.Fatal("test setup: no reason in the timeline before erasure")
	}
	n := len(f.events)
	for _, p := range people {
		f.add(p, hrActor, &domain.PersonErased{Reason: "request"})
	}

	done := make(chan struct{})
	snaps := make(chan []byte, 64)
	go func() {
		defer close(snaps)
		for {
			select {
			case <-done:
				return
			default:
			}
			var buf bytes.Buffer
			if err := s.WriteSnapshot(&buf); err != nil {
				t.Error(err)
				return
			}
			select {
			case snaps <- buf.Bytes():
			default:
			}
		}
	}()
	for i := n; i < len(f.events); i++ {
		f.applyTo(s, i, i+1)
		time.Sleep(100 * time.Microsecond)
	}
	close(done)
	for b := range snaps {
		r, err := ReadSnapshot(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("a snapshot written during erasures does not read back: %v", err)
		}
		// A person is erased in full or not at all: their skipped
		// meetings all carry the reason, or none does.
		for _, p := range people {
			steps, _ := r.Timeline(p, TimelineQuery{Limit: 100})
			j := mustJSON(t, steps)
			if c := strings.Count(j, "Walrus"); c != 0 && c != whole {
				t.Fatalf("%s: %d of %d reasons in a snapshot, want all or none", p, c, whole)
			}
		}
	}
	if after := roundTrip(t, s); strings.Contains(mustJSON(t, snapshot(after, domain.NewDate(2026, 12, 1))), "Walrus") {
		t.Error("the snapshot after every erasure still holds text")
	}
}
