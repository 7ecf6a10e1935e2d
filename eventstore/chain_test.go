package eventstore_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventjson"
	"github.com/coachjournal/coachjournal/eventstore"
)

// The people of the chain tests, and who decides what.
var (
	personID  = uuid.MustParse("0193a000-0000-7000-8000-000000000001")
	managerID = uuid.MustParse("0193a000-0000-7000-8000-000000000002")
	bossID    = uuid.MustParse("0193a000-0000-7000-8000-000000000003")
	hrID      = uuid.MustParse("0193a000-0000-7000-8000-000000000004")
)

// metaFor returns who may decide cmd in the chain tests: the person for an
// acknowledgement, HR for registering, erasing and opening a PIP, the
// manager for the rest.
func metaFor(cmd domain.Command) domain.Meta {
	as := func(id uuid.UUID, r domain.Role) domain.Meta {
		return domain.Meta{Actor: domain.Actor{ID: id.String(), Role: r}, Now: time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)}
	}
	switch cmd.(type) {
	case domain.AcknowledgePIP:
		return as(personID, domain.RoleMember)
	case domain.ErasePerson, domain.RegisterPerson, domain.OpenPIP:
		return as(hrID, domain.RoleHR)
	}
	return as(managerID, domain.RoleMember)
}

// stored is one message as the stream holds it.
type stored struct {
	subject string
	data    []byte
	event   domain.Event
}

// sealAll decides cmds in turn on a fresh journal of person, sealing each
// event and folding it in, and returns the stored messages.
func sealAll(tb testing.TB, person uuid.UUID, cmds ...domain.Command) []stored {
	tb.Helper()
	j := domain.NewJournal(person)
	var out []stored
	for _, cmd := range cmds {
		e, err := domain.Decide(j, cmd, metaFor(cmd))
		if err != nil {
			tb.Fatalf("Decide(%T): %v", cmd, err)
		}
		b, err := eventjson.Seal(&e)
		if err != nil {
			tb.Fatalf("Seal: %v", err)
		}
		j.Evolve(e)
		out = append(out, stored{subject: eventstore.Subject(person, e.Type), data: b, event: e})
	}
	return out
}

// twoJournals returns Ana's journal (4 events) and Bo's (2 events).
func twoJournals(tb testing.TB) (ana, bo []stored) {
	tb.Helper()
	ana = sealAll(tb, personID,
		domain.RegisterPerson{Name: "Ana Lima", Email: "ana@example.com", ManagerID: ptr(managerID.String())},
		domain.HoldMeeting{Kind: "performance", HeldAt: "2026-11-16T10:00:00Z", WithID: managerID.String(), Notes: ptr("<funnel> & \"stuff\"\nline 2")},
		domain.MakeCommitment{Text: "book 15 first meetings", DueOn: "2026-11-27"},
		domain.SetCadence{EveryDays: 14},
	)
	bo = sealAll(tb, bossID,
		domain.RegisterPerson{Name: "Bo", Email: "bo@example.com"},
		domain.SubmitMetrics{Period: "2026-11", Values: map[string]float64{"revenue": 1.5e5, "deals_won": 3}, Source: "manager"},
	)
	return ana, bo
}

// interleave feeds a0 b0 a1 b1 a2 a3: stream order across journals.
func interleave(a, b []stored) []stored {
	var out []stored
	for i := 0; i < len(a) || i < len(b); i++ {
		if i < len(a) {
			out = append(out, a[i])
		}
		if i < len(b) {
			out = append(out, b[i])
		}
	}
	return out
}

func check(msgs []stored) domain.ChainReport {
	c := eventstore.NewChainCheck()
	for i, m := range msgs {
		c.Add(uint64(i+1), m.subject, m.data)
	}
	return c.Report()
}

func TestSeal(t *testing.T) {
	ana, _ := twoJournals(t)
	prev := ""
	for i, m := range ana {
		e := m.event
		// hash = SHA-256(prev_hash || canonical(envelope without hash)), computed here by hand.
		var doc map[string]any
		if err := json.Unmarshal(m.data, &doc); err != nil {
			t.Fatal(err)
		}
		if doc["hash"] != e.Hash {
			t.Errorf("event %d: stored hash got %v, want %v", i, doc["hash"], e.Hash)
		}
		c, err := eventjson.Canonical(m.data, "hash")
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(c, []byte(`"hash"`)) {
			t.Errorf("event %d: canonical bytes hold the hash: %s", i, c)
		}
		sum := sha256.Sum256(append([]byte(prev), c...))
		if want := hex.EncodeToString(sum[:]); e.Hash != want {
			t.Errorf("event %d: Hash got %v, want %v", i, e.Hash, want)
		}
		if e.PrevHash != prev {
			t.Errorf("event %d: PrevHash got %q, want %q", i, e.PrevHash, prev)
		}
		ok, gotPrev, gotHash, err := eventjson.VerifyHash(m.data)
		if err != nil || !ok || gotPrev != prev || gotHash != e.Hash {
			t.Errorf("event %d: VerifyHash got %v %q %q %v, want true %q %q nil", i, ok, gotPrev, gotHash, err, prev, e.Hash)
		}
		if m.subject != "journal."+personID.String()+"."+e.Type {
			t.Errorf("event %d: subject got %v", i, m.subject)
		}
		prev = e.Hash
	}
}

func TestChainCheckOK(t *testing.T) {
	ana, bo := twoJournals(t)
	r := check(interleave(ana, bo))
	if !r.OK() {
		t.Fatalf("OK: got false, want true; broken %+v", r.Broken)
	}
	if r.Journals != 2 || r.Events != 6 {
		t.Errorf("Journals, Events: got %d, %d, want 2, 6", r.Journals, r.Events)
	}
	if r.Broken == nil {
		t.Error("Broken: got nil, want an empty list (it is JSON)")
	}
	if r := eventstore.NewChainCheck().Report(); !r.OK() || r.Journals != 0 || r.Events != 0 {
		t.Errorf("empty check: got %+v, want OK with nothing", r)
	}
}

func TestChainCheckBroken(t *testing.T) {
	anaJournal, boJournal := personID.String(), bossID.String()
	tests := []struct {
		name string
		// feed returns the messages in stream order, from pristine journals.
		feed        func(t *testing.T, ana, bo []stored) []stored
		wantJournal string
		wantSeq     uint64
		wantReason  string
	}{
		{"one byte of data changed", func(t *testing.T, ana, bo []stored) []stored {
			ana[2].data = bytes.Replace(ana[2].data, []byte("book 15"), []byte("book 16"), 1)
			return interleave(ana, bo)
		}, anaJournal, 5, "hash does not match"},
		{"hash changed", func(t *testing.T, ana, bo []stored) []stored {
			ana[1].data = bytes.Replace(ana[1].data, []byte(ana[1].event.Hash), []byte(strings.Repeat("0", 64)), 1)
			return interleave(ana, bo)
		}, anaJournal, 3, "hash does not match"},
		{"hash removed", func(t *testing.T, ana, bo []stored) []stored {
			ana[1].data = bytes.Replace(ana[1].data, []byte(`,"hash":"`+ana[1].event.Hash+`"`), nil, 1)
			return interleave(ana, bo)
		}, anaJournal, 3, "hash does not match"},
		{"wrong prev_hash, resealed", func(t *testing.T, ana, bo []stored) []stored {
			e := ana[2].event
			e.PrevHash = ana[0].event.Hash
			b, err := eventjson.Seal(&e)
			if err != nil {
				t.Fatal(err)
			}
			ana[2].data = b
			return interleave(ana, bo)
		}, anaJournal, 5, "prev_hash"},
		{"reordered", func(t *testing.T, ana, bo []stored) []stored {
			ana[1], ana[2] = ana[2], ana[1]
			return interleave(ana, bo)
		}, anaJournal, 3, "prev_hash"},
		{"event missing", func(t *testing.T, ana, bo []stored) []stored {
			return interleave(append(ana[:1:1], ana[2:]...), bo)
		}, anaJournal, 3, "prev_hash"},
		{"event repeated", func(t *testing.T, ana, bo []stored) []stored {
			return interleave(append(ana[:2:2], ana[1:]...), bo)
		}, anaJournal, 5, "prev_hash"},
		{"first event missing", func(t *testing.T, ana, bo []stored) []stored {
			return interleave(ana[1:], bo)
		}, anaJournal, 1, "prev_hash"},
		{"version out of step, resealed", func(t *testing.T, ana, bo []stored) []stored {
			e := ana[1].event
			e.Version = 7
			b, err := eventjson.Seal(&e)
			if err != nil {
				t.Fatal(err)
			}
			ana[1].data = b
			return interleave(ana, bo)
		}, anaJournal, 3, "version"},
		{"Bo's event on Ana's subject", func(t *testing.T, ana, bo []stored) []stored {
			ana[0].data = bo[0].data
			return interleave(ana, bo)
		}, anaJournal, 1, "person_id"},
		{"type differs from subject", func(t *testing.T, ana, bo []stored) []stored {
			ana[3].subject = eventstore.Subject(personID, domain.TypeCadenceSet+"x")
			return interleave(ana, bo)
		}, anaJournal, 6, "type"},
		{"garbage bytes", func(t *testing.T, ana, bo []stored) []stored {
			ana[1].data = []byte("\x00\xffnot json")
			return interleave(ana, bo)
		}, anaJournal, 3, "not an event envelope"},
		{"truncated", func(t *testing.T, ana, bo []stored) []stored {
			ana[3].data = ana[3].data[:len(ana[3].data)/2]
			return interleave(ana, bo)
		}, anaJournal, 6, "not an event envelope"},
		{"trailing bytes", func(t *testing.T, ana, bo []stored) []stored {
			ana[3].data = append(ana[3].data, `{}`...)
			return interleave(ana, bo)
		}, anaJournal, 6, "not an event envelope"},
		{"Bo's journal tampered", func(t *testing.T, ana, bo []stored) []stored {
			bo[1].data = bytes.Replace(bo[1].data, []byte(`"deals_won":3`), []byte(`"deals_won":4`), 1)
			return interleave(ana, bo)
		}, boJournal, 4, "hash does not match"},
		{"subject names no journal", func(t *testing.T, ana, bo []stored) []stored {
			return append(interleave(ana, bo), stored{subject: "journal.not-a-uuid.commitment.made", data: ana[2].data})
		}, "not-a-uuid", 7, "does not name a journal"},
		{"subject outside the journals", func(t *testing.T, ana, bo []stored) []stored {
			return append(interleave(ana, bo), stored{subject: "audit.read", data: ana[0].data})
		}, "audit.read", 7, "does not name a journal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ana, bo := twoJournals(t)
			msgs := tt.feed(t, ana, bo)
			r := check(msgs)
			if r.OK() {
				t.Fatal("OK: got true, want a broken chain")
			}
			if len(r.Broken) != 1 {
				t.Fatalf("Broken: got %+v, want one break", r.Broken)
			}
			b := r.Broken[0]
			if b.PersonID != tt.wantJournal || b.Sequence != tt.wantSeq {
				t.Errorf("break at: got %v seq %d, want %v seq %d", b.PersonID, b.Sequence, tt.wantJournal, tt.wantSeq)
			}
			if !strings.Contains(b.Reason, tt.wantReason) {
				t.Errorf("Reason: got %q, want one mentioning %q", b.Reason, tt.wantReason)
			}
			if r.Events != len(msgs) {
				t.Errorf("Events: got %d, want %d", r.Events, len(msgs))
			}
			journals := map[string]bool{}
			for _, m := range msgs {
				j, _, _ := strings.Cut(strings.TrimPrefix(m.subject, "journal."), ".")
				journals[j] = true
			}
			if r.Journals != len(journals) {
				t.Errorf("Journals: got %d, want %d", r.Journals, len(journals))
			}
		})
	}
}

// TestChainCheckEveryByte flips each byte of one stored envelope in turn:
// every change breaks that journal at that message and no other.
func TestChainCheckEveryByte(t *testing.T) {
	ana, bo := twoJournals(t)
	target := ana[1].data
	for i := range target {
		tampered := bytes.Clone(target)
		tampered[i] ^= 0x01
		msgs := interleave(ana, bo)
		msgs[2].data = tampered // ana[1]
		r := check(msgs)
		if len(r.Broken) != 1 || r.Broken[0].PersonID != personID.String() || r.Broken[0].Sequence != 3 {
			t.Errorf("byte %d (%q → %q): Broken got %+v, want Ana's journal at seq 3", i, target[i], tampered[i], r.Broken)
		}
	}
}

func TestCanonical(t *testing.T) {
	const want = `{"a":[1,2.50,{"c":null,"d":"x\n\u003c"}],"b":true,"hash":"h"}`
	tests := []struct {
		name, doc string
	}{
		{"canonical already", want},
		{"keys reordered", `{"hash":"h","b":true,"a":[1,2.50,{"d":"x\n\u003c","c":null}]}`},
		{"white space", " {\n\t\"a\" : [ 1 , 2.50 , { \"c\" : null , \"d\" : \"x\\n<\" } ] ,\r\n \"b\" : true, \"hash\": \"h\" }\n"},
		{"escapes spelled differently", `{"a":[1,2.50,{"c":null,"d":"\u0078\u000a<"}],"b":true,"hash":"h"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := eventjson.Canonical([]byte(tt.doc), "")
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Errorf("Canonical:\ngot  %s\nwant %s", got, want)
			}
			dropped, err := eventjson.Canonical([]byte(tt.doc), "hash")
			if err != nil {
				t.Fatal(err)
			}
			if w := strings.Replace(want, `,"hash":"h"`, "", 1); string(dropped) != w {
				t.Errorf("Canonical without hash:\ngot  %s\nwant %s", dropped, w)
			}
		})
	}
	t.Run("numbers as written", func(t *testing.T) {
		a, _ := eventjson.Canonical([]byte(`{"n":1.0}`), "")
		b, _ := eventjson.Canonical([]byte(`{"n":1}`), "")
		if bytes.Equal(a, b) {
			t.Errorf("Canonical of 1.0 and 1: got the same %s, want them to differ", a)
		}
	})
	t.Run("drop is top-level only", func(t *testing.T) {
		got, err := eventjson.Canonical([]byte(`{"data":{"hash":1},"hash":2}`), "hash")
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"data":{"hash":1}}`; string(got) != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	for _, bad := range []string{``, `{`, `{"a":}`, "\xff"} {
		t.Run("rejects "+bad, func(t *testing.T) {
			if got, err := eventjson.Canonical([]byte(bad), ""); err == nil {
				t.Errorf("Canonical(%q) = %s, want an error", bad, got)
			}
		})
	}
	t.Run("the hash ignores key order and white space", func(t *testing.T) {
		ana, _ := twoJournals(t)
		var doc map[string]any
		if err := json.Unmarshal(ana[2].data, &doc); err != nil {
			t.Fatal(err)
		}
		// json.MarshalIndent sorts keys; the sealed envelope is in struct order.
		pretty, err := json.MarshalIndent(doc, "", "   ")
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(pretty, ana[2].data) {
			t.Fatal("re-indented envelope equals the stored one; the test proves nothing")
		}
		if ok, _, _, err := eventjson.VerifyHash(pretty); !ok || err != nil {
			t.Errorf("VerifyHash(re-indented): got %v, %v, want true, nil", ok, err)
		}
	})
}
