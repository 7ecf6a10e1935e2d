package projections

import (
	"slices"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// keepingShape is a Keeping without its texts and summaries: an erasure
// recorded after as_of still hides text as of then, by design.
func keepingShape(k Keeping) any {
	type life struct {
		ID        uuid.UUID
		Status    string
		Due       domain.Date
		Resolved  any
		Overdue   bool
		OnTime    *bool
		Renegs    int
		Sequences []uint64
	}
	out := []any{k.Totals, k.ByMonth, k.Today}
	for _, c := range k.Commitments {
		l := life{ID: c.ID, Status: c.Status, Due: c.DueOn, Resolved: c.ResolvedAt, Overdue: c.Overdue, OnTime: c.OnTime, Renegs: c.Renegotiated}
		for _, st := range c.History {
			l.Sequences = append(l.Sequences, st.Sequence)
		}
		out = append(out, l)
	}
	return out
}

// TestKeepingAsOfEqualsPrefix: for random valid streams, commitment
// keeping as of the recorded_at of event k equals that of a rebuild of the
// events up to k; and the cadence read models of an incremental fold equal
// those of a full rebuild.
func TestKeepingAsOfEqualsPrefix(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := newWorld()
		n := rapid.IntRange(1, 120).Draw(t, "events")
		for len(w.f.events) < n {
			w.step(t)
		}
		today := domain.NewDate(2026, 11, 1).AddDays(rapid.IntRange(0, 150).Draw(t, "today"))
		k := rapid.IntRange(0, len(w.f.events)-1).Draw(t, "as of event")
		asOf := w.f.events[k].RecordedAt

		full := w.f.set()
		prefix := NewSet()
		w.f.applyTo(prefix, 0, k+1)
		for _, p := range w.people {
			a := mustJSON(t, keepingShape(full.CommitmentKeeping(p, asOf, today)))
			b := mustJSON(t, keepingShape(prefix.CommitmentKeeping(p, asOf, today)))
			if a != b {
				t.Fatalf("as of event %d:\n%s\nrebuild of the prefix:\n%s", k, a, b)
			}
		}

		inc := NewSet()
		w.f.applyTo(inc, 0, k+1)
		w.f.applyTo(inc, k+1, len(w.f.events))
		from, to := domain.NewDate(2026, 11, 1), today
		for _, p := range w.people {
			if a, b := mustJSON(t, full.Cadence(p, from, to)), mustJSON(t, inc.Cadence(p, from, to)); a != b {
				t.Fatalf("cadence of %s: rebuild\n%s\nincremental\n%s", p, a, b)
			}
			// The brief keeping reads the counts and state the fold keeps:
			// its totals must be the full walk's, and its commitments the
			// rep page's list of the full walk's, without histories.
			whole := full.CommitmentKeeping(p, time.Time{}, today)
			for i := range whole.Commitments {
				whole.Commitments[i].History = []Step{}
			}
			n := rapid.IntRange(0, 8).Draw(t, "shown")
			want := KeepingBrief{Totals: whole.Totals, Commitments: shownCommitments(whole.Commitments, n)}
			if brief, _ := inc.StampedKeepingBrief(p, today, n); mustJSON(t, brief) != mustJSON(t, want) {
				t.Fatalf("brief keeping of %s, %d shown:\n%s\nthe full one's:\n%s", p, n, mustJSON(t, brief), mustJSON(t, want))
			}
			keepingParts(t, full, prefix, p, today, erasedAfter(w.f.events[k+1:], p))
		}
	})
}

// erasedAfter reports whether events erase person.
func erasedAfter(events []domain.Event, person uuid.UUID) bool {
	for _, e := range events {
		if _, ok := e.Data.(*domain.PersonErased); ok && e.PersonID == person {
			return true
		}
	}
	return false
}

// keepingParts holds StampedKeepingParts to CommitmentKeeping as known
// now: the lives it builds and the ones the caller holds, put back in
// order, give the whole keeping; and a life is decided by its id, its last
// step and today: where full and before (an earlier state of the same
// stream) give a commitment the same last sequence, its life is the same,
// text included unless the person was erased in between.
func keepingParts(t *rapid.T, full, before *Set, person uuid.UUID, today domain.Date, erased bool) {
	whole := full.CommitmentKeeping(person, time.Time{}, today)
	held := rapid.SliceOfN(rapid.Bool(), len(whole.Commitments), len(whole.Commitments)).Draw(t, "held")
	k, parts, _ := full.StampedKeepingParts(person, today, func(i int, _ uuid.UUID, _ uint64) bool { return held[i] })
	if len(parts) != len(whole.Commitments) {
		t.Fatalf("%d parts for %d commitments", len(parts), len(whole.Commitments))
	}
	k.Commitments = []CommitmentLife{}
	for i, part := range parts {
		c := whole.Commitments[i]
		if part.ID != c.ID || part.Last != c.History[len(c.History)-1].Sequence {
			t.Fatalf("part %d is %s at %d; the commitment %s's last step is at %d", i, part.ID, part.Last, c.ID, c.History[len(c.History)-1].Sequence)
		}
		if (part.Life == nil) != held[i] {
			t.Fatalf("part %d: held %v, built %v", i, held[i], part.Life != nil)
		}
		if part.Life != nil {
			c = *part.Life
		}
		k.Commitments = append(k.Commitments, c)
	}
	if a, b := mustJSON(t, k), mustJSON(t, whole); a != b {
		t.Fatalf("keeping in parts:\n%s\nwhole:\n%s", a, b)
	}
	_, earlier, _ := before.StampedKeepingParts(person, today, func(int, uuid.UUID, uint64) bool { return false })
	for i, part := range earlier {
		now := whole.Commitments[i]
		if part.ID != now.ID {
			t.Fatalf("commitment %d was %s, is %s: the order moved", i, part.ID, now.ID)
		}
		if part.Last != parts[i].Last {
			continue
		}
		a, b := mustJSON(t, part.Life), mustJSON(t, now)
		if erased {
			a, b = mustJSON(t, keepingShape(Keeping{Commitments: []CommitmentLife{*part.Life}})), mustJSON(t, keepingShape(Keeping{Commitments: []CommitmentLife{now}}))
		}
		if a != b {
			t.Fatalf("commitment %s at the same last step %d:\nthen %s\nnow  %s", now.ID, part.Last, a, b)
		}
	}
}

// shownCommitments is the rule the rep page lists commitments by, over a
// full keeping's list (in the order made): every open one, overdue first
// and then by due date (stable), then the resolved ones newest first, n in
// all. StampedKeepingBrief must pick the same without the full list.
func shownCommitments(all []CommitmentLife, n int) []CommitmentLife {
	var open, done []CommitmentLife
	for _, c := range all {
		if c.Status == statusOpen {
			open = append(open, c)
		} else {
			done = append(done, c)
		}
	}
	slices.SortStableFunc(open, func(a, b CommitmentLife) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		return a.DueOn.Time().Compare(b.DueOn.Time())
	})
	slices.Reverse(done)
	out := append(append([]CommitmentLife{}, open...), done...)
	return out[:min(n, len(out))]
}
