package projections

import (
	"bytes"
	"reflect"
	"runtime"
	"testing"

	"pgregory.net/rapid"
)

// bigWorld draws a stream of several snapshot blocks (snapBlockSteps
// steps each), spiced as in TestSnapshotResumeEqualsRebuild.
var bigWorld = rapid.Custom(func(t *rapid.T) *world {
	w := newWorld()
	n := rapid.IntRange(2*snapBlockSteps+1, 3*snapBlockSteps+100).Draw(t, "events")
	for len(w.f.events) < n {
		if len(w.people) > 0 && rapid.IntRange(0, 4).Draw(t, "spiced") == 0 {
			w.spice(t)
			continue
		}
		w.step(t)
	}
	return w
})

// TestSnapshotParallelDecode: a snapshot of several blocks reads back
// into the very same Set (every field, models and indexes included) as
// the written one, whatever the number of decoding goroutines.
func TestSnapshotParallelDecode(t *testing.T) {
	for _, seed := range []int{1, 2} {
		w := bigWorld.Example(seed)
		full := NewSet()
		applyAll(full, w.f, 0, len(w.f.events))
		var buf bytes.Buffer
		if err := full.WriteSnapshot(&buf); err != nil {
			t.Fatal(err)
		}
		for _, workers := range []int{1, 2, 3, 8} {
			got, err := readSnapshot(bytes.NewReader(buf.Bytes()), workers)
			if err != nil {
				t.Fatalf("seed %d, %d workers: %v", seed, workers, err)
			}
			sameSteps(t, full, got)
			if !reflect.DeepEqual(comparable(full), comparable(got)) {
				t.Fatalf("seed %d, %d workers: the read Set differs from the written one", seed, workers)
			}
		}
	}
}

// comparable returns a shallow copy of s without what two Sets that
// answer alike may hold differently: caches of interned strings and
// metric shapes, the slab the next values are carved from, scratch
// buffers, and the numbering of event types (NewSet's order varies),
// which the steps use; sameSteps compares those.
func comparable(s *Set) map[string]any {
	v := reflect.ValueOf(s).Elem()
	out := map[string]any{}
	for i := range v.NumField() {
		switch name := v.Type().Field(i).Name; name {
		case "mu", "strings", "shapes", "slab", "scratchKeys", "scratchBuf", "types", "typeIndex", "steps":
		default:
			f := v.Field(i)
			out[name] = reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem().Interface()
		}
	}
	return out
}

// TestSnapshotParallelCorrupt: damage in any block of a several-block
// snapshot is an error for every number of decoders, and no decoding
// goroutine outlives the read.
func TestSnapshotParallelCorrupt(t *testing.T) {
	w := bigWorld.Example(3)
	full := NewSet()
	applyAll(full, w.f, 0, len(w.f.events))
	var buf bytes.Buffer
	if err := full.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	before := runtime.NumGoroutine()
	for _, workers := range []int{1, 2, 8} {
		for _, at := range []int{len(good) / 3, len(good) / 2, len(good) - 200, len(good) - 1} {
			b := bytes.Clone(good)
			b[at] ^= 0x10
			if _, err := readSnapshot(bytes.NewReader(b), workers); err == nil {
				t.Errorf("%d workers, byte %d of %d flipped: no error", workers, at, len(good))
			}
			if _, err := readSnapshot(bytes.NewReader(good[:at]), workers); err == nil {
				t.Errorf("%d workers, cut at %d of %d: no error", workers, at, len(good))
			}
		}
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the reads, %d before", n, before)
	}
}
