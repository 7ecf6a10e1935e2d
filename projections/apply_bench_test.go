package projections

import (
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// BenchmarkApply measures Set.Apply per event type on a Set that already
// holds an org of 1,000 people: ns and allocations per applied event
// (benchstat-ready: go test -bench Apply -count 10 ./projections).
func BenchmarkApply(b *testing.B) {
	people := ids(1000)
	at := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	kinds := []struct {
		name string
		data func(p uuid.UUID, k int) domain.Data
	}{
		{"metrics.submitted", func(_ uuid.UUID, k int) domain.Data {
			return &domain.MetricsSubmitted{Period: domain.Period{Year: 2000 + k/52%26, Week: 1 + k%52}, Source: "self",
				Values: map[string]float64{"activities": 40, "new_opportunities": 10, "deals_won": 3, "revenue": 150000}}
		}},
		{"meeting.held", func(p uuid.UUID, _ int) domain.Data {
			return &domain.MeetingHeld{MeetingID: uuid.New(), Kind: "performance", HeldAt: at, WithID: people[0], Diagnosis: &domain.Diagnosis{Primary: "activity"}}
		}},
		{"commitment.made", func(p uuid.UUID, k int) domain.Data {
			return &domain.CommitmentMade{CommitmentID: uuid.New(), Text: "book 15 first meetings", DueOn: domain.DateOf(at).AddDays(7)}
		}},
	}
	for _, kind := range kinds {
		b.Run(kind.name, func(b *testing.B) {
			s := NewSet()
			seq := uint64(0)
			for k := range people {
				seq++
				s.Apply(seq, benchEvent(people, k), nil)
			}
			events := make([]domain.Event, 0, 4096)
			b.ReportAllocs()
			b.ResetTimer()
			for k := 0; k < b.N; k++ {
				if k%4096 == 0 {
					b.StopTimer()
					events = events[:0]
					for j := range 4096 {
						p := people[(k+j)%len(people)]
						d := kind.data(p, (k+j)/len(people))
						events = append(events, domain.Event{ID: uuid.New(), Type: d.EventType(), Schema: 1, PersonID: p, Version: uint64(k + j + 2),
							Actor: domain.Actor{ID: people[0].String(), Role: domain.RoleMember}, OccurredAt: at, RecordedAt: at,
							Hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Data: d})
					}
					b.StartTimer()
				}
				seq++
				s.Apply(seq, events[k%4096], nil)
			}
		})
	}
}
