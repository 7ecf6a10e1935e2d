package projections

import (
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// BenchmarkKeepingBrief is what the rep page's commitment keeping costs
// the read model for a rep with a year of weekly commitments (52 made,
// 48 resolved, a follow-up on each): the brief with the six the page
// lists, the API's whole history beside it, and that history in parts
// with all lives but one held (StampedKeepingParts).
//
//	go test ./projections -run '^$' -bench Keeping -benchmem
func BenchmarkKeepingBrief(b *testing.B) {
	s, rep := keepingOrg()
	today := domain.NewDate(2026, 12, 31)
	b.Run("brief", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if k, _ := s.StampedKeepingBrief(rep, today, 6); k.Totals.Made != 52 || len(k.Commitments) != 6 {
				b.Fatalf("%+v", k.Totals)
			}
		}
	})
	b.Run("parts_held", func(b *testing.B) { // a history read after a write: every life held but none
		b.ReportAllocs()
		for b.Loop() {
			_, parts, _ := s.StampedKeepingParts(rep, today, func(i int, _ uuid.UUID, _ uint64) bool { return i > 0 })
			if len(parts) != 52 || parts[0].Life == nil || parts[1].Life != nil {
				b.Fatalf("%d parts", len(parts))
			}
		}
	})
	b.Run("history", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if k, _ := s.StampedCommitmentKeeping(rep, time.Time{}, today); len(k.Commitments) != 52 {
				b.Fatalf("%d commitments", len(k.Commitments))
			}
		}
	})
}

// keepingOrg is one rep with a commitment made every week of 2026, each
// followed up, all but the last four resolved the next week (every fifth
// missed, every seventh renegotiated first).
func keepingOrg() (*Set, uuid.UUID) {
	s := NewSet()
	rep := uuid.New()
	seq := uint64(0)
	apply := func(at time.Time, d domain.Data) {
		seq++
		s.Apply(seq, domain.Event{ID: uuid.New(), Type: d.EventType(), Schema: 1, PersonID: rep, Version: seq,
			Actor: domain.Actor{ID: rep.String(), Role: domain.RoleMember}, OccurredAt: at, RecordedAt: at, Data: d}, nil)
	}
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	apply(start, &domain.PersonRegistered{Name: "Ana Lima", Email: "ana@example.com"})
	for w := range 52 {
		at := start.AddDate(0, 0, 7*w)
		id := uuid.NewSHA1(rep, []byte{byte(w)})
		apply(at, &domain.CommitmentMade{CommitmentID: id, Text: "book 15 first meetings", DueOn: domain.DateOf(at).AddDays(4)})
		apply(at.Add(24*time.Hour), &domain.CommitmentFollowedUp{CommitmentID: id, Note: "eight booked"})
		if w%7 == 0 {
			apply(at.Add(48*time.Hour), &domain.CommitmentRenegotiated{CommitmentID: id, NewDueOn: domain.DateOf(at).AddDays(6), Reason: "travel"})
		}
		if w >= 48 {
			continue
		}
		if w%5 == 0 {
			apply(at.Add(96*time.Hour), &domain.CommitmentMissed{CommitmentID: id})
		} else {
			apply(at.Add(96*time.Hour), &domain.CommitmentKept{CommitmentID: id})
		}
	}
	return s, rep
}
