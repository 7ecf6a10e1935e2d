package eventstore

import (
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

func BenchmarkDecodeStored(b *testing.B) {
	id := uuid.New()
	data := []byte(`{"id":"019ab0a1-6a3c-7d7e-9a56-2f4f4f2b1c11","type":"commitment.made","schema":1,"person_id":"` + id.String() + `","version":2,"actor":{"id":"00000000-0000-7000-8000-000000000001","role":"admin"},"occurred_at":"2026-11-23T05:00:00.123456789Z","recorded_at":"2026-11-23T05:00:00.123456789Z","data":{"commitment_id":"019ab0a1-6a3c-7d7e-9a56-2f4f4f2b1c12","text":"enc:v1:q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=","due_on":"2026-11-30"},"prev_hash":"1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988","hash":"1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988"}`)
	subj := Subject(id, domain.TypeCommitmentMade)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeStored(subj, data); err != nil {
			b.Fatal(err)
		}
	}
}
