package domain_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventjson"
	"github.com/google/uuid"
)

func testPseudonymizer(t *testing.T) *domain.Pseudonymizer {
	t.Helper()
	p, err := domain.NewPseudonymizer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPseudonymIsStableAndKeyed(t *testing.T) {
	p := testPseudonymizer(t)
	q, _ := domain.NewPseudonymizer(bytes.Repeat([]byte{8}, 32))
	a, b := p.Of(fxAna), p.Of(uuid.MustParse(strings.ToUpper(fxAna.String())))
	if a != b || len(a) != domain.PseudonymLen {
		t.Fatalf("Of = %q and %q, want one 32-digit pseudonym", a, b)
	}
	if a == p.Of(fxLeader) || a == q.Of(fxAna) {
		t.Fatal("pseudonyms collide across people or keys")
	}
	if _, err := domain.NewPseudonymizer([]byte("short")); err == nil {
		t.Fatal("a short key was accepted")
	}
}

// TestActorPseudonyms: every actor is pseudonymized, a service subject
// ("ops") as well as a person; a person actor gets the person's pseudonym,
// so the analyst can tell who acted on their own journal.
func TestActorPseudonyms(t *testing.T) {
	p := testPseudonymizer(t)
	q, _ := domain.NewPseudonymizer(bytes.Repeat([]byte{8}, 32))
	if got := p.Actor(strings.ToUpper(fxAna.String())); got != p.Of(fxAna) {
		t.Errorf("Actor(Ana's id) = %s, want her pseudonym %s", got, p.Of(fxAna))
	}
	seen := map[string]string{}
	for _, id := range []string{"ops", "hr-sweep", "admin-service", "", fxAna.String()} {
		a := p.Actor(id)
		if len(a) != domain.PseudonymLen || strings.Trim(a, "0123456789abcdef") != "" || a == q.Actor(id) || a != p.Actor(id) {
			t.Errorf("Actor(%q) = %q, want a stable keyed 32-hex-digit pseudonym", id, a)
		}
		if other, ok := seen[a]; ok {
			t.Errorf("Actor(%q) = Actor(%q)", id, other)
		}
		seen[a] = id
	}
}

var uuidLike = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestAnalystEventsRevealNoone pseudonymizes every event of the v1 fixture:
// no person id, no personal text, no hash and no actor may remain, nor any
// id but the event's own (a meeting's, commitment's, PIP's or goal's id is
// pseudonymized too: an import derives them from the person id).
func TestAnalystEventsRevealNoone(t *testing.T) {
	p := testPseudonymizer(t)
	f, err := os.Open(v1Fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	secrets := []string{fxAna.String(), fxLeader.String(), fxOther.String(), "Ana", "Leo", "example.com",
		"Pipeline is thin", "book 15", "travel", "understood", "GDPR", "holiday", "Account Executive",
		"admin-service", "hr-service", `"hash"`, `"prev_hash"`}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		e, err := eventjson.Decode(sc.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(p.Event(e))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(out, []byte(s)) {
				t.Errorf("%s: %q leaks in %s", e.Type, s, out)
			}
		}
		if !bytes.Contains(out, []byte(p.Of(e.PersonID))) {
			t.Errorf("%s: no pseudonym in %s", e.Type, out)
		}
		if ids := uuidLike.FindAll(out, -1); len(ids) != 1 || string(ids[0]) != e.ID.String() {
			t.Errorf("%s: ids in clear %q, want only the event's own random id", e.Type, ids)
		}
		if a := p.Event(e).Actor; a.ID != p.Actor(e.Actor.ID) || a.Role != e.Actor.Role {
			t.Errorf("%s: actor %+v, want %s's pseudonym", e.Type, a, e.Actor.ID)
		}
	}
}

// TestPersonFieldsArePseudonymized lists every UUID field of every event's
// data: a new one must be classified here. Analysts read every one of them
// pseudonymized (Pseudonymizer.data); one that names a person reads as the
// person's pseudonym, so it must be a person id, not a derivation of one.
func TestPersonFieldsArePseudonymized(t *testing.T) {
	known := map[string]bool{ // json name → names a person
		"manager_id": true, "with_id": true,
		"meeting_id": false, "commitment_id": false, "pip_id": false, "goal_id": false,
	}
	uuidType := reflect.TypeOf(uuid.UUID{})
	var walk func(typ reflect.Type, where string)
	walk = func(typ reflect.Type, where string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ == uuidType {
			return
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft == uuidType && name != "-" {
				if _, ok := known[name]; !ok {
					t.Errorf("%s.%s (%s) is a UUID field nobody classified: does it name a person?", where, f.Name, name)
				}
				continue
			}
			walk(f.Type, where+"."+f.Name)
		}
	}
	for _, typ := range domain.EventTypes() {
		e, err := eventjson.Decode([]byte(`{"type":"` + typ + `","schema":1,"data":{}}`))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		walk(reflect.TypeOf(e.Data), typ)
	}
}

// BenchmarkAnalystEvent renders every event of the v1 fixture as analysts
// read it, as the feed and the export do.
func BenchmarkAnalystEvent(b *testing.B) {
	p, _ := domain.NewPseudonymizer(bytes.Repeat([]byte{7}, 32))
	raw, err := os.ReadFile(v1Fixture)
	if err != nil {
		b.Fatal(err)
	}
	var events []domain.Event
	for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		e, err := eventjson.Decode(line)
		if err != nil {
			b.Fatal(err)
		}
		events = append(events, e)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, e := range events {
			if _, err := json.Marshal(p.Event(e)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
}
