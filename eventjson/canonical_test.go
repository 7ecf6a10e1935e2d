package eventjson

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
)

func TestCanonicalSameAsJSON(t *testing.T) {
	for _, doc := range trickyDocs {
		checkSameCanonical(t, []byte(doc))
	}
}

// TestCanonicalFastPathTaken pins which documents the fast path takes
// whole, so that a change that quietly sends envelopes to encoding/json
// shows here, not only in a benchmark.
func TestCanonicalFastPathTaken(t *testing.T) {
	tests := []struct {
		doc  string
		fast bool
	}{
		{`{"b":[1e5,-0,1.50,true,false,null],"a":{"d":"x","c":"ü€😀"}}`, true},
		{" {\"b\" :\t1 ,\n\"a\":2}\r\n", true},
		{`{"data":{"hash":1},"hash":2}`, true},
		{`"\u2027 and \u2030 are not separators"`, false}, // an escape: left to encoding/json
		{"\"\u2027 and \u2030 are not separators\"", true},
		{`{"a":"x\ny"}`, false},
		{`{"a":"<b>"}`, false},
		{`{"a":"a & b"}`, false},
		{"{\"a\":\"\u2028\"}", false},
		{"{\"a\":\"\xff\"}", false},
		{"{\"a\":\"\x01\"}", false},
		{`{"a":1,"a":2}`, false},
		{`{"hash":1,"hash":2}`, false},
		{`{"a":1} {}`, false},
		{`{"a":01}`, false},
		{strings.Repeat("[", maxCanonDepth) + strings.Repeat("]", maxCanonDepth), true},
		{strings.Repeat("[", maxCanonDepth+1) + strings.Repeat("]", maxCanonDepth+1), false},
	}
	for _, tt := range tests {
		if fast := checkSameCanonical(t, []byte(tt.doc)); fast != tt.fast {
			t.Errorf("fast path took %q: got %v, want %v", tt.doc, fast, tt.fast)
		}
	}
	for i, line := range fixtureLines(t) {
		if !checkSameCanonical(t, line) {
			t.Errorf("fixture line %d: the fast path left it to encoding/json", i+1)
		}
		if _, _, _, done := verifyFast(line); !done {
			t.Errorf("fixture line %d: VerifyHash's fast path left it to encoding/json", i+1)
		}
	}
}

// TestVerifyHashHeads covers stored envelopes whose head encoding/json
// reads in its own way; VerifyHash must answer as it did before.
func TestVerifyHashHeads(t *testing.T) {
	line := fixtureLines(t)[3] // a person.updated with a prev_hash
	_, prev, hash, err := VerifyHash(line)
	if err != nil || prev == "" {
		t.Fatalf("fixture line 4: prev_hash %q, %v", prev, err)
	}
	rep := func(from, to string) func(string) string {
		return func(s string) string { return strings.Replace(s, from, to, 1) }
	}
	hashMember, prevMember := `"hash":"`+hash+`"`, `"prev_hash":"`+prev+`"`
	edits := map[string]func(string) string{
		"as stored":           rep("", ""),
		"hash first":          func(s string) string { return "{" + hashMember + "," + rep(","+hashMember, "")(s[1:]) },
		"hash twice":          rep(`{`, `{"hash":"x",`),
		"hash null":           rep(hashMember, `"hash":null`),
		"hash a number":       rep(hashMember, `"hash":7`),
		"a number, then hash": rep(`{`, `{"hash":7,`),
		"null, then hash":     rep(`{`, `{"hash":null,`),
		"hash escaped":        rep(`"hash":"`+hash[:1], fmt.Sprintf(`"hash":"\u%04x`, hash[0])),
		"HASH as well":        rep(`{`, `{"HASH":"x",`),
		"Prev_Hash as well":   rep(`{`, `{"Prev_Hash":"x",`),
		"haſh as well":        rep(`{`, `{"haſh":"x",`),
		"prev_hash removed":   rep(prevMember+",", ""),
		"prev_hash empty":     rep(prevMember, `"prev_hash":""`),
		"prev_hash long":      rep(prev, prev+prev),
		"prev_hash null":      rep(prevMember, `"prev_hash":null`),
		"prev_hash twice":     rep(`{`, "{"+prevMember+","),
		"white space":         func(s string) string { return " " + strings.ReplaceAll(s, `,"`, ",\n \"") + "\n" },
		"trailing bytes":      func(s string) string { return s + `{}` },
		"an array":            func(s string) string { return "[" + s + "]" },
		"data with a hash":    rep(`"data":{`, `"data":{"hash":"x",`),
		"HTML in the data":    rep(`"data":{`, `"data":{"x":"<&>",`),
		"a repeated data key": rep(`"data":{`, `"data":{"x":1,"x":2,`),
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			doc := edit(string(line))
			if doc == string(line) && name != "as stored" {
				t.Fatal("the edit changed nothing")
			}
			checkSameCanonical(t, []byte(doc))
		})
	}
}

// TestSealBytes seals every event of the fixture again, as stored and with
// text and prev_hash of every kind, and holds Seal to its old bytes and to
// json.Marshal of the sealed event.
func TestSealBytes(t *testing.T) {
	texts := []string{"", "plain", `"quoted" \back\slash/`, "line\nbreak\ttab\x01", "<b> & </b>",
		"\u2028\u2029", "ção 😀 €", "\xff\xfe invalid", "\ufffd", strings.Repeat("long text ", 300)}
	prevs := []string{"", strings.Repeat("ab", 32), "<&>", strings.Repeat("x", 100)}
	for i, line := range fixtureLines(t) {
		e, err := Decode(line)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if got := checkSameSeal(t, e); !bytes.Equal(got, line) {
			t.Errorf("line %d: sealed again as\n%s\nstored as\n%s", i+1, got, line)
		}
		for _, text := range texts {
			for _, f := range e.Data.TextFields() {
				*f = text
			}
			for _, prev := range prevs {
				e.PrevHash = prev
				checkSameSeal(t, e)
			}
		}
	}
	checkSameSeal(t, domain.Event{})
	checkSameSeal(t, domain.Event{Type: "x", Actor: domain.Actor{ID: "<&>", Role: "\u2028"}})
}

func TestReescapedWord(t *testing.T) {
	special := func(c byte) bool { return c == '<' || c == '>' || c == '&' || c == 0xE2 }
	rng := rand.New(rand.NewPCG(3, 4))
	interesting := []byte{'<', '>', '&', 0xE2, 0x80, 0xA8, 0xA9, ';', '=', '?', '%', '\'', 0xE1, 0xE3, 0x62, 'a'}
	for range 200_000 {
		var w [8]byte
		for i := range w {
			if rng.IntN(2) == 0 {
				w[i] = interesting[rng.IntN(len(interesting))]
			} else {
				w[i] = byte(rng.IntN(256))
			}
		}
		want := slices.ContainsFunc(w[:], special)
		if got := reescapedWord(binary.LittleEndian.Uint64(w[:])); got != want {
			t.Fatalf("reescapedWord(%q) = %v, want %v", w, got, want)
		}
	}
}
