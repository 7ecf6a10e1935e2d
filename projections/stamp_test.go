package projections

import (
	"math"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// stamped is one answer read with its stamp, and how to read it again.
type stamped struct {
	name   string
	json   string
	stamp  Stamp
	reread func() (any, Stamp)
}

// TestStampCurrentMeansUnchanged: whatever events follow, an answer whose
// Stamp is still Current reads the same as a fresh one, for scorecards
// (standards up the chain, moves), boards (joins, moves, departures),
// timeline pages (names and commitment texts in summaries, erasure) and
// commitment histories.
func TestStampCurrentMeansUnchanged(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := newWorld()
		s := NewSet()
		today := domain.NewDate(2026, 12, 15)
		month := domain.MonthPeriod(domain.NewDate(2026, 11, 1))
		var answers []stamped
		n := rapid.IntRange(1, 80).Draw(t, "events")
		for len(w.f.events) < n {
			if len(w.people) > 0 && rapid.IntRange(0, 5).Draw(t, "standard") == 0 {
				p := rapid.SampledFrom(w.people).Draw(t, "standard of")
				w.f.add(p, hrActor, &domain.StandardSet{AppliesTo: rapid.SampledFrom([]string{"self", "reports"}).Draw(t, "applies to"),
					EffectiveFrom: domain.NewDate(2026, 10, 1), Period: "month",
					Targets: []domain.Target{{Metric: "revenue", Target: rapid.Float64Range(1, 1000).Draw(t, "target"), Kind: "lagging"}}})
			} else {
				w.step(t)
			}
			w.f.applyTo(s, int(s.Sequence()), len(w.f.events))
			for _, a := range answers {
				if !s.Current(a.stamp) {
					continue
				}
				if v, _ := a.reread(); mustJSON(t, v) != a.json {
					t.Fatalf("%s is Current after event %d (%s) but reads\n%s\nnot\n%s", a.name, len(w.f.events),
						w.f.events[len(w.f.events)-1].Type, mustJSON(t, v), a.json)
				}
			}
			if len(w.people) > 0 {
				id := rapid.SampledFrom(w.people).Draw(t, "read")
				asOf := time.Time{}
				if rapid.Bool().Draw(t, "as of") {
					asOf = w.f.at.Add(-time.Duration(rapid.IntRange(0, 20).Draw(t, "hours")) * time.Hour)
				}
				q := TimelineQuery{TypePrefix: rapid.SampledFrom([]string{"", "commitment.", "person."}).Draw(t, "prefix"), Limit: rapid.IntRange(1, 5).Draw(t, "limit")}
				for name, read := range map[string]func() (any, Stamp){
					"scorecard": func() (any, Stamp) { return s.StampedScorecard(id, month, asOf) },
					"board":     func() (any, Stamp) { return s.StampedBoard(id, month, asOf) },
					"keeping":   func() (any, Stamp) { return s.StampedCommitmentKeeping(id, asOf, today) },
					"timeline": func() (any, Stamp) {
						page, next, st := s.StampedTimeline(id, q)
						return []any{page, next}, st
					},
					"newest": func() (any, Stamp) {
						page, more, st := s.TimelineNewest(id, q.TypePrefix, math.MaxUint64, q.Limit, isoWords)
						return []any{page, more}, st
					},
					// what a page reads beside those: a person and who is in their team,
					// stamped by StampSince, merged with a scorecard's stamp
					"merged": func() (any, Stamp) {
						seq := s.Sequence()
						p, _ := s.Person(id)
						var team []uuid.UUID
						for _, r := range s.People(&id) {
							team = append(team, r.ID)
						}
						sc, st := s.StampedScorecard(id, month, asOf)
						return []any{p, team, sc}, s.StampSince(seq, []uuid.UUID{id}, []uuid.UUID{id}).Merge(st)
					},
				} {
					v, st := read()
					answers = append(answers, stamped{name: name + " of " + id.String(), json: mustJSON(t, v), stamp: st, reread: read})
				}
			}
		}
	})
}

// TestStampZeroNeverCurrent: an answer without a stamp is never served.
func TestStampZeroNeverCurrent(t *testing.T) {
	if NewSet().Current(Stamp{}) {
		t.Fatal("the zero Stamp is Current")
	}
	f := newFeed()
	id := uuid.New()
	register(f, id, "Ana", nil)
	s := f.set()
	_, st := s.StampedScorecard(id, domain.MonthPeriod(domain.NewDate(2026, 11, 1)), time.Time{})
	if !s.Current(st) {
		t.Fatal("a fresh stamp is not Current")
	}
}
