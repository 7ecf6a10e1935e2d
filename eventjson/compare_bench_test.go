package eventjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"syscall"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/uuid"

	"github.com/coachjournal/coachjournal/domain"
)

// The codec measured against the libraries it could be replaced by, on the
// same envelopes: encoding/json (what every result is defined by, and what
// the fast path falls back to) and github.com/go-json-experiment/json, the
// prototype of encoding/json/v2. docs/performance.md ("The JSON codec")
// has the figures and the command.

// rawEventV2 is rawEvent for json/v2: the data left as a raw value.
type rawEventV2 struct {
	ID         uuid.UUID      `json:"id"`
	Type       string         `json:"type"`
	Schema     int            `json:"schema"`
	PersonID   uuid.UUID      `json:"person_id"`
	Version    uint64         `json:"version"`
	Actor      domain.Actor   `json:"actor"`
	OccurredAt time.Time      `json:"occurred_at"`
	RecordedAt time.Time      `json:"recorded_at"`
	Data       jsontext.Value `json:"data"`
	PrevHash   string         `json:"prev_hash"`
	Hash       string         `json:"hash"`
}

// decodeV2 is Decode by json/v2 with its defaults (names matched exactly,
// duplicate names and invalid UTF-8 rejected): the envelope, then the data.
func decodeV2(b []byte) (domain.Event, error) {
	var r rawEventV2
	if err := jsonv2.Unmarshal(b, &r); err != nil {
		return domain.Event{}, err
	}
	d, raw, err := domain.UpcastData(r.Type, r.Schema, json.RawMessage(r.Data))
	if err != nil {
		return domain.Event{}, err
	}
	if err := jsonv2.Unmarshal(raw, d); err != nil {
		return domain.Event{}, err
	}
	return domain.Event{
		ID: r.ID, Type: r.Type, Schema: domain.SchemaOf(r.Type), PersonID: r.PersonID, Version: r.Version,
		Actor: r.Actor, OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt, Data: d,
		PrevHash: r.PrevHash, Hash: r.Hash,
	}, nil
}

// v1Escaping makes json/v2 escape strings as encoding/json does.
var v1Escaping = jsonv2.JoinOptions(jsontext.EscapeForHTML(true), jsontext.EscapeForJS(true))

// v1Marshal makes json/v2 marshal as encoding/json does for events: its
// escaping, and map keys sorted (json/v2 leaves them in map order).
var v1Marshal = jsonv2.JoinOptions(v1Escaping, jsonv2.Deterministic(true))

// sealV2 is Seal by json/v2: marshal as encoding/json would (the empty
// hash is left out), the canonical form by jsontext's formatter (members
// sorted, numbers as written, strings escaped as encoding/json escapes
// them), the hash over prev_hash and it, and the hash spliced in as Seal
// does.
func sealV2(e *domain.Event) ([]byte, error) {
	e.Hash = ""
	b, err := jsonv2.Marshal(e, v1Marshal)
	if err != nil {
		return nil, err
	}
	c, err := canonicalV2(b)
	if err != nil {
		return nil, err
	}
	e.Hash = ChainHash(e.PrevHash, c)
	return withHash(b, e.Hash), nil
}

// canonicalV2 is the canonical form by jsontext's formatter, as sealV2
// takes it, of a document with no key to drop.
func canonicalV2(doc []byte) ([]byte, error) {
	c := jsontext.Value(bytes.Clone(doc))
	err := c.Format(jsontext.ReorderRawObjects(true), v1Escaping)
	return c, err
}

// TestV2Comparable checks that the json/v2 contenders give what the codec
// gives on stored history, so that the benchmark compares like with like.
func TestV2Comparable(t *testing.T) {
	for i, line := range fixtureLines(t) {
		want, err := Decode(line)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeV2(line)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("line %d: json/v2 decoded\n%#v, %v\nthe codec\n%#v", i+1, got, err, want)
		}
		sealed, err := sealV2(&got)
		if err != nil || !bytes.Equal(sealed, line) {
			t.Fatalf("line %d: json/v2 sealed\n%s, %v\nstored\n%s", i+1, sealed, err, line)
		}
	}
}

// cpuTime returns the CPU time the process has used, which, unlike the
// wall time ns/op is, does not grow while other processes hold the CPU.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// loop runs op b.N times and reports its CPU time per call (cpu-ns/op)
// beside the wall time: on a loaded machine the first is the steadier.
func loop(b *testing.B, op func() error) {
	b.ReportAllocs()
	start, n := cpuTime(), 0
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
}

// BenchmarkCodec compares the codec with encoding/json and json/v2 on the
// replay path (decoding a stored envelope) and the write path (sealing an
// event: its envelope bytes and the hash over their canonical form; and the
// canonical form alone, of the envelope as marshalled before its hash).
func BenchmarkCodec(b *testing.B) {
	for _, typ := range []string{"commitment.made", "metrics.submitted"} {
		env := benchEnvelopes[typ]
		for _, c := range []struct {
			name   string
			decode func([]byte) (domain.Event, error)
		}{{"eventjson", Decode}, {"encoding-json", decodeEventReference}, {"json-v2", decodeV2}} {
			b.Run("decode/"+typ+"/"+c.name, func(b *testing.B) {
				b.SetBytes(int64(len(env)))
				loop(b, func() error { _, err := c.decode(env); return err })
			})
		}
		e, err := Decode(env)
		if err != nil {
			b.Fatal(err)
		}
		e.Hash = ""
		unsealed, err := json.Marshal(e)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name      string
			canonical func([]byte) ([]byte, error)
		}{
			{"eventjson", func(doc []byte) ([]byte, error) { return Canonical(doc, "") }},
			{"encoding-json", func(doc []byte) ([]byte, error) { return canonicalReference(doc, "") }},
			{"json-v2", canonicalV2},
		} {
			b.Run("canonical/"+typ+"/"+c.name, func(b *testing.B) {
				b.SetBytes(int64(len(unsealed)))
				loop(b, func() error { _, err := c.canonical(unsealed); return err })
			})
		}
		for _, c := range []struct {
			name string
			seal func(*domain.Event) ([]byte, error)
		}{{"eventjson", Seal}, {"encoding-json", sealReference}, {"json-v2", sealV2}} {
			b.Run("seal/"+typ+"/"+c.name, func(b *testing.B) {
				loop(b, func() error { _, err := c.seal(&e); return err })
			})
		}
	}
}
