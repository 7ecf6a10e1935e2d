package snapshot

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"testing"
	"time"
)

// TestStartLoadResume: a snapshot read ahead of the stream's opening is
// resumed from exactly when Load would accept it, and otherwise rejected
// (and removed) for each of Load's reasons; a read under another key than
// the store's is done again under the store's.
func TestStartLoadResume(t *testing.T) {
	discard := slog.New(slog.DiscardHandler)
	cases := []struct {
		name     string
		startKey []byte                        // the key StartLoad reads under
		store    func(st *Store) *Store        // the store Resume checks against
		last     uint64                        // the stream's last sequence
		prepare  func(t *testing.T, st *Store) // after Save
		want     uint64                        // the resumed Set's sequence; 0: rejected
	}{
		{name: "accepted", startKey: testKey, last: 2, want: 2},
		{name: "accepted, stream went on", startKey: testKey, last: 9, want: 2},
		{name: "ahead of the stream", startKey: testKey, last: 1},
		{name: "other stream incarnation", startKey: testKey, last: 2,
			store: func(st *Store) *Store {
				return &Store{Dir: st.Dir, Key: st.Key, Stream: st.Stream.Add(time.Nanosecond)}
			}},
		{name: "no key before open", last: 2, want: 2},
		{name: "read under a stale key", startKey: bytes.Repeat([]byte{8}, 32), last: 2, want: 2},
		{name: "store key differs", startKey: testKey, last: 2,
			store: func(st *Store) *Store {
				return &Store{Dir: st.Dir, Key: bytes.Repeat([]byte{9}, 32), Stream: st.Stream}
			}},
		{name: "corrupt", startKey: testKey, last: 2, prepare: func(t *testing.T, st *Store) {
			b, _ := os.ReadFile(st.Path())
			b[len(b)-20] ^= 1
			if err := os.WriteFile(st.Path(), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "missing", startKey: testKey, last: 2, prepare: func(t *testing.T, st *Store) {
			if err := os.Remove(st.Path()); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newStore(t)
			s, id := views(t)
			if _, err := st.Save(s); err != nil {
				t.Fatal(err)
			}
			if c.prepare != nil {
				c.prepare(t, st)
			}
			check := st
			if c.store != nil {
				check = c.store(st)
			}
			got := StartLoad(st.Dir, c.startKey).Resume(check, c.last, discard)
			if got.Sequence() != c.want {
				t.Fatalf("resumed at %d, want %d", got.Sequence(), c.want)
			}
			_, statErr := os.Stat(st.Path())
			if c.want == 0 {
				if len(got.People(nil)) != 0 {
					t.Error("a rejected snapshot's Set was returned")
				}
				if !errors.Is(statErr, fs.ErrNotExist) {
					t.Error("the rejected snapshot was left on disk")
				}
				return
			}
			if p, ok := got.Person(id); !ok || p.Name != "Zelda Quintana" || len(got.Commitments(id)) != 1 {
				t.Errorf("resumed Set lacks the person or the commitment: %+v", p)
			}
			if statErr != nil {
				t.Errorf("accepted snapshot: %v", statErr)
			}
		})
	}
}

// TestResumeSameAsStartLoad: the synchronous Resume and a read started
// earlier decide alike.
func TestResumeSameAsStartLoad(t *testing.T) {
	discard := slog.New(slog.DiscardHandler)
	for _, last := range []uint64{1, 2, 3} {
		st := newStore(t)
		s, _ := views(t)
		if _, err := st.Save(s); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(st.Path())
		a := Resume(st, last, discard).Sequence()
		if err := os.WriteFile(st.Path(), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if p := StartLoad(st.Dir, st.Key).Resume(st, last, discard).Sequence(); p != a {
			t.Errorf("last %d: Resume at %d, StartLoad then Resume at %d", last, a, p)
		}
	}
}
