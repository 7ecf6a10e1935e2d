package snapshot

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func newStore(t *testing.T) *Store {
	return &Store{Dir: t.TempDir(), Key: testKey, Stream: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}
}

// views returns a Set with a person registered and a commitment made.
func views(t *testing.T) (*projections.Set, uuid.UUID) {
	s := projections.NewSet()
	id := uuid.New()
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	add := func(seq uint64, d domain.Data) {
		s.Apply(seq, domain.Event{ID: uuid.New(), Type: d.EventType(), PersonID: id, Version: seq, Actor: domain.Actor{ID: "hr", Role: domain.RoleHR},
			OccurredAt: at, RecordedAt: at, Data: d}, nil)
	}
	add(1, &domain.PersonRegistered{Name: "Zelda Quintana", Email: "zq@secret.example"})
	add(2, &domain.CommitmentMade{CommitmentID: uuid.New(), Text: "Pineapple outreach", DueOn: domain.NewDate(2026, 11, 27)})
	return s, id
}

func TestSealOpen(t *testing.T) {
	for _, size := range []int{0, 1, chunkSize - 1, chunkSize, 2*chunkSize + 5} {
		clear := bytes.Repeat([]byte("coach"), size/5+1)[:size]
		var buf bytes.Buffer
		w, err := Seal(&buf, testKey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(clear); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		sealed := buf.Bytes()
		if size > 10 && bytes.Contains(sealed, clear[:10]) {
			t.Fatal("sealed bytes hold clear text")
		}
		r, err := Open(bytes.NewReader(sealed), testKey)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, clear) {
			t.Fatalf("size %d: read back %d bytes, err %v", size, len(got), err)
		}
		bad := func(what string, b []byte, key []byte) {
			t.Helper()
			r, err := Open(bytes.NewReader(b), key)
			if err == nil {
				_, err = io.ReadAll(r)
			}
			if err == nil {
				t.Errorf("size %d, %s: no error", size, what)
			}
		}
		bad("other key", sealed, bytes.Repeat([]byte{8}, 32))
		for _, i := range []int{0, len(fileMagic) + 3, len(fileMagic) + saltSize + 2, len(sealed) / 2, len(sealed) - 1} {
			b := bytes.Clone(sealed)
			b[i] ^= 1
			bad("flipped byte", b, testKey)
		}
		for _, n := range []int{0, len(fileMagic) + saltSize, len(sealed) - 1} {
			bad("truncated", sealed[:n], testKey)
		}
		if size > chunkSize { // cut at a chunk boundary: no final chunk
			bad("cut at a chunk", sealed[:len(fileMagic)+saltSize+4+chunkSize+16], testKey)
		}
		bad("extra bytes", append(bytes.Clone(sealed), 0), testKey)
	}
}

func TestSaveLoad(t *testing.T) {
	st := newStore(t)
	if _, err := st.Load(10); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: err = %v", err)
	}
	s, id := views(t)
	if err := os.MkdirAll(st.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(st.Dir, "old.snap"), []byte("stale"), 0o600); err != nil {
		t.Fatal(err)
	}
	if seq, err := st.Save(s); err != nil || seq != 2 {
		t.Fatalf("Save = %d, %v", seq, err)
	}
	if entries, _ := os.ReadDir(st.Dir); len(entries) != 1 {
		t.Fatalf("%d files left in the snapshot dir, want 1", len(entries))
	}
	if fi, _ := os.Stat(st.Path()); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	got, err := st.Load(2)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := s.Person(id)
	if p, _ := got.Person(id); p != want || got.Sequence() != 2 || len(got.Commitments(id)) != 1 {
		t.Fatalf("loaded %+v at %d, want %+v", p, got.Sequence(), want)
	}

	reasons := map[string]*Store{
		"ahead":       st,
		"other key":   {Dir: st.Dir, Key: bytes.Repeat([]byte{9}, 32), Stream: st.Stream},
		"other epoch": {Dir: st.Dir, Key: st.Key, Stream: st.Stream.Add(time.Second)},
	}
	for name, other := range reasons {
		if _, err := other.Load(1); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	b, _ := os.ReadFile(st.Path())
	b[len(b)-20] ^= 1
	_ = os.WriteFile(st.Path(), b, 0o600)
	if _, err := st.Load(2); err == nil {
		t.Error("corrupt file: loaded")
	}
	if s := Resume(st, 2, slog.New(slog.DiscardHandler)); s.Sequence() != 0 {
		t.Error("Resume used a corrupt file")
	}
	if _, err := os.Stat(st.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Error("Resume left the corrupt file")
	}
}
