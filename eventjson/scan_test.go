package eventjson

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
)

// decodeEventReference is Decode as it was before the fast path:
// encoding/json for the envelope, then for the data.
func decodeEventReference(b []byte) (domain.Event, error) {
	var r rawEvent
	if err := json.Unmarshal(b, &r); err != nil {
		return domain.Event{}, err
	}
	d, err := decodeDataReference(r.Type, r.Schema, r.Data)
	if err != nil {
		return domain.Event{}, err
	}
	return domain.Event{
		ID: r.ID, Type: r.Type, Schema: domain.SchemaOf(r.Type), PersonID: r.PersonID, Version: r.Version,
		Actor: r.Actor, OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt, Data: d,
		PrevHash: r.PrevHash, Hash: r.Hash,
	}, nil
}

func decodeDataReference(typ string, schema int, raw []byte) (domain.Data, error) {
	d, raw, err := domain.UpcastData(typ, schema, raw) // catalog v1 has no upcaster
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, d); err != nil {
		return nil, fmt.Errorf("%s data: %w", typ, err)
	}
	return d, nil
}

// checkSameDecoding fails when the fast path accepts b but decodes it
// differently from encoding/json, or accepts what encoding/json rejects.
func checkSameDecoding(t *testing.T, b []byte) (fast bool) {
	t.Helper()
	want, wantErr := decodeEventReference(b)
	got, ok := scanEvent(b)
	if ok && wantErr != nil {
		t.Fatalf("fast path accepted %q, encoding/json: %v", b, wantErr)
	}
	if ok && !reflect.DeepEqual(got, want) {
		t.Fatalf("fast path decoded %q as\n%#v\nencoding/json as\n%#v", b, got, want)
	}
	viaAPI, err := Decode(b)
	if (err != nil) != (wantErr != nil) || (err == nil && !reflect.DeepEqual(viaAPI, want)) {
		t.Fatalf("Decode(%q) = %#v, %v; encoding/json: %#v, %v", b, viaAPI, err, want, wantErr)
	}
	if err != nil && err.Error() != "decode envelope: "+wantErr.Error() && err.Error() != wantErr.Error() {
		t.Fatalf("Decode(%q) error %q, encoding/json %q", b, err, wantErr)
	}
	return ok
}

// checkSameData does the same for the data of one type alone.
func checkSameData(t *testing.T, typ string, raw []byte) {
	t.Helper()
	want, wantErr := decodeDataReference(typ, domain.SchemaOf(typ), raw)
	d := domain.NewData(typ)
	if !scanData(d, raw) {
		return
	}
	if wantErr != nil {
		t.Fatalf("%s: fast path accepted %q, encoding/json: %v", typ, raw, wantErr)
	}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("%s: fast path decoded %q as %#v, encoding/json as %#v", typ, raw, d, want)
	}
}

func fixtureLines(t testing.TB) [][]byte {
	f, err := os.Open("../domain/testdata/v1-events.ndjson") // stored history of every type
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, bytes.Clone(sc.Bytes()))
	}
	return out
}

func fuzzSeeds(t testing.TB) [][]byte {
	files, _ := filepath.Glob("testdata/fuzz/FuzzDecodeEvent/*")
	var out [][]byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.SplitN(b, []byte("\n"), 3)
		s, err := strconv.Unquote(string(bytes.TrimSuffix(bytes.TrimPrefix(lines[1], []byte("[]byte(")), []byte(")"))))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, []byte(s))
	}
	return out
}

// TestScanEventMatchesEncodingJSON checks the fast path against
// encoding/json on stored history and on hand-made variations of it.
func TestScanEventMatchesEncodingJSON(t *testing.T) {
	var types []string
	for _, b := range fixtureLines(t) {
		if !checkSameDecoding(t, b) {
			t.Errorf("fast path declined a stored event: %s", b)
		}
		e, _ := Decode(b)
		types = append(types, e.Type)
		for _, v := range variations(b) {
			checkSameDecoding(t, v)
		}
		var env map[string]json.RawMessage
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatal(err)
		}
		for _, v := range variations(env["data"]) {
			checkSameData(t, e.Type, v)
		}
	}
	for _, b := range fuzzSeeds(t) {
		checkSameDecoding(t, b)
	}
	sort.Strings(types)
	if len(types) == 0 {
		t.Fatal("no fixture")
	}
}

// variations returns b with one edit at a time: every byte dropped, and a
// few characters put in at every place.
func variations(b []byte) [][]byte {
	var out [][]byte
	for i := range b {
		out = append(out, append(bytes.Clone(b[:i]), b[i+1:]...))
		for _, s := range []string{" ", "null", `\u0041`, "A", "0", "-", ".5", "e9", `"`, ",", "}", "]", "é", "\xff"} {
			out = append(out, append(append(bytes.Clone(b[:i]), s...), b[i:]...))
		}
	}
	return out
}

// FuzzScanEvent checks that the fast path never disagrees with encoding/json.
func FuzzScanEvent(f *testing.F) {
	for _, b := range fixtureLines(f) {
		f.Add(b)
	}
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkSameDecoding(t, b) })
}

// FuzzScanData does the same for the data of every type.
func FuzzScanData(f *testing.F) {
	types := domain.EventTypes()
	sort.Strings(types)
	for _, b := range fixtureLines(f) {
		var env struct {
			Type string
			Data json.RawMessage
		}
		_ = json.Unmarshal(b, &env)
		f.Add(uint8(sort.SearchStrings(types, env.Type)), []byte(env.Data))
	}
	f.Fuzz(func(t *testing.T, k uint8, raw []byte) {
		checkSameData(t, types[int(k)%len(types)], raw)
	})
}

func TestPlainWord(t *testing.T) {
	special := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80 }
	rng := rand.New(rand.NewPCG(1, 2))
	interesting := []byte{0, 0x1f, 0x20, 0x21, '"', '\\', 0x7f, 0x80, 0xff, 'a', '[', ']'}
	for range 200_000 {
		var w [8]byte
		for i := range w {
			if rng.IntN(2) == 0 {
				w[i] = interesting[rng.IntN(len(interesting))]
			} else {
				w[i] = byte(rng.IntN(256))
			}
		}
		want := !slices.ContainsFunc(w[:], special)
		if got := plainWord(binary.LittleEndian.Uint64(w[:])); got != want {
			t.Fatalf("plainWord(%q) = %v, want %v", w, got, want)
		}
	}
}

// TestCanonicalDateAndPeriod checks the shortcuts against ParseDate and
// ParsePeriod (which domain holds to its Sscanf definition) on every day
// and period of some awkward years.
func TestCanonicalDateAndPeriod(t *testing.T) {
	for _, y := range []int{0, 1, 4, 100, 400, 1900, 2000, 2020, 2026, 2027, 9999} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				s := fmt.Sprintf("%04d-%02d-%02d", y, m, d)
				want, err := domain.ParseDate(s)
				got, ok := canonicalDate([]byte(s))
				if ok != (err == nil) || (ok && !reflect.DeepEqual(got, want)) {
					t.Fatalf("canonicalDate(%s) = %v, %v; ParseDate: %v, %v", s, got, ok, want, err)
				}
			}
			s := fmt.Sprintf("%04d-%02d", y, m)
			want, err := domain.ParsePeriod(s)
			got, ok := canonicalPeriod([]byte(s))
			if ok != (err == nil) || got != want {
				t.Fatalf("canonicalPeriod(%s) = %v, %v; ParsePeriod: %v, %v", s, got, ok, want, err)
			}
		}
		for w := 0; w <= 54; w++ {
			s := fmt.Sprintf("%04d-W%02d", y, w)
			want, err := domain.ParsePeriod(s)
			got, ok := canonicalPeriod([]byte(s))
			if ok != (err == nil) || got != want {
				t.Fatalf("canonicalPeriod(%s) = %v, %v; ParsePeriod: %v, %v", s, got, ok, want, err)
			}
		}
	}
}
