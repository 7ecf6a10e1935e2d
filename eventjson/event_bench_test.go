package eventjson

import (
	"testing"

	"github.com/coachjournal/coachjournal/domain"
)

// benchEnvelopes are stored envelopes as the store writes them: a
// commitment.made with its text encrypted, and weekly numbers.
var benchEnvelopes = map[string][]byte{
	"commitment.made":   []byte(`{"id":"019ab0a1-6a3c-7d7e-9a56-2f4f4f2b1c11","type":"commitment.made","schema":1,"person_id":"019ab0a1-6a3c-7d7e-9a56-2f4f4f2b1c10","version":2,"actor":{"id":"00000000-0000-7000-8000-000000000001","role":"admin"},"occurred_at":"2026-11-23T05:00:00.123456789Z","recorded_at":"2026-11-23T05:00:00.123456789Z","data":{"commitment_id":"019ab0a1-6a3c-7d7e-9a56-2f4f4f2b1c12","text":"enc:v1:q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=","due_on":"2026-11-30"},"prev_hash":"1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988","hash":"1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988"}`),
	"metrics.submitted": []byte(`{"id":"019ab0a1-6a3c-7d7e-9a56-2f4f4f2b1c11","type":"metrics.submitted","schema":1,"person_id":"019ab0a1-6a3c-7d7e-9a56-2f4f4f2b1c10","version":2,"actor":{"id":"019ab0a1-6a3c-7d7e-9a56-2f4f4f2b1c10","role":"member"},"occurred_at":"2026-11-23T05:00:00.123456789Z","recorded_at":"2026-11-23T05:00:00.123456789Z","data":{"period":"2026-W47","values":{"activities":40,"deals_lost":4,"deals_won":3,"new_opportunities":10,"revenue":150000},"source":"self"},"prev_hash":"1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988","hash":"1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988"}`),
}

// BenchmarkDecodeEvent compares Decode with the encoding/json decoding
// it replaced on the replay path (the "json" runs).
func BenchmarkDecodeEvent(b *testing.B) {
	for _, typ := range []string{"commitment.made", "metrics.submitted"} {
		env := benchEnvelopes[typ]
		for _, c := range []struct {
			name   string
			decode func([]byte) (domain.Event, error)
		}{{"scan", Decode}, {"json", decodeEventReference}} {
			b.Run(typ+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(env)))
				for b.Loop() {
					if _, err := c.decode(env); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
