package eventjson_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/coachjournal/coachjournal/eventjson"
)

// FuzzDecodeEvent checks that Decode never panics and that a decoded
// event re-encodes to bytes that decode to the same encoding again.
// Seeds: testdata/fuzz/FuzzDecodeEvent.
func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"id":"0193a000-0000-7000-8000-0000000000aa","type":"cadence.set","schema":1,"person_id":"0193a000-0000-7000-8000-000000000001","version":2,"actor":{"id":"x","role":"member"},"occurred_at":"2026-11-20T15:00:00Z","recorded_at":"2026-11-20T15:00:00Z","data":{"every_days":7},"prev_hash":"","hash":"h"}`))
	f.Add([]byte(`{"type":"person.departed","schema":1,"data":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := eventjson.Decode(b)
		if err != nil {
			return
		}
		if e.Data == nil || e.Data.EventType() != e.Type {
			t.Fatalf("decoded %s with data %#v", e.Type, e.Data)
		}
		_ = e.Data.TextFields()
		_ = e.ResourceID()
		once, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		e2, err := eventjson.Decode(once)
		if err != nil {
			t.Fatalf("decode of re-encoded %s: %v", once, err)
		}
		twice, err := json.Marshal(e2)
		if err != nil {
			t.Fatalf("re-encode again: %v", err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("unstable encoding:\nonce  %s\ntwice %s", once, twice)
		}
		if _, err := eventjson.Seal(&e2); err != nil {
			t.Fatalf("Seal: %v", err)
		}
	})
}
