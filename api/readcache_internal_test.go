package api

import (
	"strconv"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/projections"
)

// TestReadCacheBudget: the least recently used entries go once the budget
// is passed, a key keeps only its latest answer, and an answer larger than
// an eighth of the budget is not kept.
func TestReadCacheBudget(t *testing.T) {
	rc := newReadCache(10 * (entryOverhead + 100))
	body := make([]byte, 100-2) // with a two-character key: 100 bytes + overhead
	for i := range 10 {
		rc.put(&cachedRead{key: "k" + strconv.Itoa(i), body: body})
	}
	if rc.get("k0") == nil { // k0 is now the most recently used
		t.Fatal("k0 evicted within the budget")
	}
	rc.put(&cachedRead{key: "kx", body: body})
	if rc.get("k1") != nil || rc.get("k0") == nil || rc.get("kx") == nil {
		t.Fatal("the least recently used entry (k1) should have gone, k0 and kx stayed")
	}
	rc.put(&cachedRead{key: "kx", body: body[:10]})
	if e := rc.get("kx"); e == nil || len(e.body) != 10 || len(rc.items) != rc.lru.Len() || len(rc.items) != 10 {
		t.Fatalf("kx = %v, %d items, %d in the LRU: want the latest answer only", e, len(rc.items), rc.lru.Len())
	}
	rc.put(&cachedRead{key: "big", body: make([]byte, rc.budget/8)})
	if rc.get("big") != nil {
		t.Fatal("an answer over an eighth of the budget was kept")
	}
	var used int64
	for el := rc.lru.Front(); el != nil; el = el.Next() {
		used += el.Value.(*cachedRead).size
	}
	if used != rc.used || used > rc.budget {
		t.Fatalf("used %d, counted %d, budget %d", used, rc.used, rc.budget)
	}
}

// TestReadCacheSweep: after an erasure the entries that are no longer
// current go at the next sweep, once per erasure count.
func TestReadCacheSweep(t *testing.T) {
	rc := newReadCache(0)
	stale := projections.Stamp{}
	rc.put(&cachedRead{key: "a", stamp: stale, body: []byte("a")})
	rc.put(&cachedRead{key: "b", stamp: stale, body: []byte("b")})
	calls := 0
	current := func(projections.Stamp) bool { calls++; return calls == 1 } // the first entry checked stays
	rc.sweep(0, func(projections.Stamp) bool { return false })
	if rc.lru.Len() != 2 {
		t.Fatal("a sweep without a new erasure dropped entries")
	}
	rc.sweep(1, current)
	if rc.lru.Len() != 1 || len(rc.items) != 1 || calls != 2 {
		t.Fatalf("after the sweep: %d entries, %d checks; want 1 and 2", rc.lru.Len(), calls)
	}
	rc.sweep(1, current)
	if calls != 2 {
		t.Fatal("swept twice for one erasure")
	}
}

// TestVerifiedTokensBound: the verified-token cache never holds more than
// its bound, and forgets expired tokens first.
func TestVerifiedTokensBound(t *testing.T) {
	v := newVerifiedTokens(4)
	now := timeAt(0)
	v.put("old", Principal{Sub: "old"}, timeAt(1), now)
	for i := range 10 {
		v.put("t"+strconv.Itoa(i), Principal{Sub: "x"}, timeAt(100), now)
	}
	if len(v.m) > 4 {
		t.Fatalf("%d tokens kept, bound 4", len(v.m))
	}
	if _, ok := v.get("t9", timeAt(50)); !ok {
		t.Fatal("the latest token is not remembered")
	}
	if _, ok := v.get("t9", timeAt(100)); ok {
		t.Fatal("a token is remembered past its expiry")
	}
	v.put("expired", Principal{}, timeAt(1), timeAt(2))
	if _, ok := v.m["expired"]; ok {
		t.Fatal("an expired token was stored")
	}
}

func timeAt(sec int64) time.Time { return time.Unix(1_800_000_000+sec, 0) }
