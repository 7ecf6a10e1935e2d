package projections

import (
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// BenchmarkJournal measures the dry run's journal of one rep of an org of
// 1,000 people (benchEvent's: a year and more of weekly numbers, meetings
// and commitments, interleaved as a real stream is, ~120 steps each) with
// an open PIP: folded whole, and folded for the PIP commands a page offers;
// then the same for each person of the org in turn, whose steps the cache
// no longer holds (benchstat-ready: go test -bench Journal -run XXX -count 10 ./projections).
func BenchmarkJournal(b *testing.B) {
	people := ids(1000)
	s := NewSet()
	seq := uint64(0)
	for k := range 120 * len(people) {
		seq++
		s.Apply(seq, benchEvent(people, k), nil)
	}
	rep := people[1]
	pr, _ := s.Person(rep)
	start := domain.NewDate(2026, 11, 2)
	for _, d := range []domain.Data{
		&domain.PIPOpened{PIPID: uuid.New(), Reason: "r", StartsOn: start, EndsOn: start.AddDays(42), CheckInEveryDays: 7, Goals: []domain.PIPGoal{{GoalID: uuid.New(), Text: "g"}}},
		&domain.PIPAcknowledged{PIPID: uuid.Nil},
	} {
		seq++
		pr.Version++
		e := benchEvent(people, 1)
		e.Type, e.Version, e.Data = d.EventType(), pr.Version, d
		s.Apply(seq, e, nil)
	}
	pr, _ = s.Person(rep)
	if pr.Version < 100 {
		b.Fatalf("the rep's journal has %d events", pr.Version)
	}
	for _, c := range []struct {
		name  string
		parts domain.Part
	}{{"whole", domain.PartsAll}, {"pip", domain.Reads(domain.CheckInPIP{}) | domain.Reads(domain.OpenPIP{})}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if j := s.Journal(rep, pr.Version, c.parts); j.Version() != pr.Version {
					b.Fatalf("version %d, want %d", j.Version(), pr.Version)
				}
			}
		})
		b.Run(c.name+"/org", func(b *testing.B) {
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				k = (k + 1) % len(people)
				if j := s.Journal(people[k], 120, c.parts); j.Version() != 120 {
					b.Fatalf("version %d, want 120", j.Version())
				}
			}
		})
	}
}
