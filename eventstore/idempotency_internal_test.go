package eventstore

import (
	"strconv"
	"testing"
	"time"
)

func TestIdemKeys(t *testing.T) {
	const window = time.Hour
	now := time.Now()
	var k idemKeys
	k.record("", 1, now, window)
	if _, ok := k.find("", window); ok || len(k.ids) != 0 {
		t.Fatalf("an empty id was recorded: %v", k.ids)
	}
	k.record("a", 7, now, window)
	k.record("a", 9, now, window) // the first use wins
	k.record("a", 5, now, window) // unless it was read later
	if seq, ok := k.find("a", window); !ok || seq != 5 {
		t.Errorf("find(a) = %d, %v; want 5", seq, ok)
	}
	k.record("old", 2, now.Add(-2*window), window)
	if _, ok := k.find("old", window); ok {
		t.Error("a key older than the window was found")
	}
	for i := range 100 { // pruning drops what expired and keeps the rest
		k.record("k"+strconv.Itoa(i), uint64(10+i), now, window)
	}
	if _, ok := k.ids["old"]; ok {
		t.Error("the expired key was never pruned")
	}
	for i := range 100 {
		if seq, ok := k.find("k"+strconv.Itoa(i), window); !ok || seq != uint64(10+i) {
			t.Fatalf("find(k%d) = %d, %v", i, seq, ok)
		}
	}
	if k.pruneAt <= len(k.ids)/2 {
		t.Errorf("pruneAt %d with %d keys: pruning would run on every record", k.pruneAt, len(k.ids))
	}
}
