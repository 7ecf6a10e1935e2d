package projections

import (
	"runtime"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// benchEvent returns event k of a synthetic org of 1,000 people: mostly
// weekly numbers, then meetings and commitments, a few PIP steps. Each call
// allocates fresh data, as decoding a message would.
func benchEvent(people []uuid.UUID, k int) domain.Event {
	p := people[k%len(people)]
	round := k / len(people)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Second)
	var d domain.Data
	switch {
	case round == 0:
		d = &domain.PersonRegistered{Name: "Ana Lima", Email: "ana@example.com", ManagerID: &people[0]}
	case round%10 < 5:
		d = &domain.MetricsSubmitted{Period: domain.Period{Year: 2026, Week: 1 + round%52}, Source: "self",
			Values: map[string]float64{"activities": 40, "new_opportunities": 10, "deals_won": 3, "deals_lost": 4, "revenue": 150000}}
	case round%10 < 7:
		d = &domain.MeetingHeld{MeetingID: uuid.New(), Kind: "performance", HeldAt: at, WithID: people[0], Diagnosis: &domain.Diagnosis{Primary: "activity"}}
	case round%10 == 7:
		d = &domain.CommitmentMade{CommitmentID: uuid.NewSHA1(p, []byte{byte(round)}), Text: "book 15 first meetings", DueOn: domain.DateOf(at).AddDays(7)}
	case round%10 == 8:
		d = &domain.CommitmentKept{CommitmentID: uuid.NewSHA1(p, []byte{byte(round - 1)})}
	default:
		d = &domain.CommitmentFollowedUp{CommitmentID: uuid.NewSHA1(p, []byte{byte(round - 2)}), Note: "on it"}
	}
	return domain.Event{ID: uuid.New(), Type: d.EventType(), Schema: 1, PersonID: p, Version: uint64(round + 1),
		Actor: domain.Actor{ID: people[0].String(), Role: domain.RoleMember}, OccurredAt: at, RecordedAt: at,
		Hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Data: d}
}

// BenchmarkRebuild applies a stream to a fresh Set and reports events/s
// and the heap the Set holds per event (data included).
func BenchmarkRebuild(b *testing.B) {
	const n = 200_000
	people := ids(1000)
	events := make([]domain.Event, n)
	for k := range events {
		events[k] = benchEvent(people, k)
	}
	b.ResetTimer()
	for b.Loop() {
		s := NewSet()
		for k, e := range events {
			s.Apply(uint64(k+1), e, nil)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")

	b.StopTimer()
	events = nil
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := NewSet()
	for k := 0; k < n; k++ {
		s.Apply(uint64(k+1), benchEvent(people, k), nil)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heapB/event")
	runtime.KeepAlive(s)
}
