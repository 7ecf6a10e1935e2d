package eventjson

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
)

// canonicalReference, sealReference and verifyHashReference are Canonical,
// Seal and VerifyHash as they were before the fast path, kept verbatim:
// every hash stored so far was computed by them.
func canonicalReference(doc []byte, drop string) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical: %w", err)
	}
	if m, ok := v.(map[string]any); ok && drop != "" {
		delete(m, drop)
	}
	return json.Marshal(v)
}

func chainHashReference(prevHash string, canonical []byte) string {
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write(canonical)
	return hex.EncodeToString(h.Sum(nil))
}

func sealReference(e *domain.Event) ([]byte, error) {
	e.Hash = ""
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	c, err := canonicalReference(b, "hash")
	if err != nil {
		return nil, err
	}
	e.Hash = chainHashReference(e.PrevHash, c)
	return json.Marshal(e)
}

func verifyHashReference(stored []byte) (ok bool, prevHash, hash string, err error) {
	var head struct {
		PrevHash string `json:"prev_hash"`
		Hash     string `json:"hash"`
	}
	if err := json.Unmarshal(stored, &head); err != nil {
		return false, "", "", fmt.Errorf("decode envelope: %w", err)
	}
	c, err := canonicalReference(stored, "hash")
	if err != nil {
		return false, "", "", err
	}
	return chainHashReference(head.PrevHash, c) == head.Hash, head.PrevHash, head.Hash, nil
}

// canonicalFast runs the fast path alone.
func canonicalFast(doc []byte, drop string) ([]byte, bool) {
	c := newCanonWriter()
	defer c.free()
	c.out = c.out[:0]
	ok := c.write(doc, drop)
	return bytes.Clone(c.out), ok
}

// checkSameCanonical fails when the fast path accepts doc but writes other
// bytes than encoding/json, or accepts what it rejects, or when Canonical
// or VerifyHash answer otherwise than they did before the fast path. It
// reports whether the fast path took doc whole.
func checkSameCanonical(t *testing.T, doc []byte) (fast bool) {
	t.Helper()
	fast = true
	for _, drop := range []string{"", "hash"} {
		want, wantErr := canonicalReference(doc, drop)
		got, ok := canonicalFast(doc, drop)
		if ok && wantErr != nil {
			t.Fatalf("fast path (drop %q) accepted %q as %s; encoding/json: %v", drop, doc, got, wantErr)
		}
		if ok && !bytes.Equal(got, want) {
			t.Fatalf("fast path (drop %q) of %q:\ngot  %s\nwant %s", drop, doc, got, want)
		}
		fast = fast && ok
		viaAPI, err := Canonical(doc, drop)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || !bytes.Equal(viaAPI, want) {
			t.Fatalf("Canonical(%q, %q) = %s, %v; before: %s, %v", doc, drop, viaAPI, err, want, wantErr)
		}
	}
	wantOK, wantPrev, wantHash, wantErr := verifyHashReference(doc)
	ok, prev, hash, err := VerifyHash(doc)
	if ok != wantOK || prev != wantPrev || hash != wantHash || fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Fatalf("VerifyHash(%q) = %v, %q, %q, %v; before: %v, %q, %q, %v", doc, ok, prev, hash, err, wantOK, wantPrev, wantHash, wantErr)
	}
	return fast
}

// checkSameSeal fails when Seal writes other bytes or another hash than it
// did before the fast path, or bytes other than json.Marshal of the sealed
// event.
func checkSameSeal(t *testing.T, e domain.Event) []byte {
	t.Helper()
	want, wantEvent := e, e
	wantBytes, wantErr := sealReference(&wantEvent)
	got, err := Seal(&e)
	if fmt.Sprint(err) != fmt.Sprint(wantErr) || !bytes.Equal(got, wantBytes) || e.Hash != wantEvent.Hash {
		t.Fatalf("Seal(%+v):\ngot  %s, %q, %v\nwant %s, %q, %v", want, got, e.Hash, err, wantBytes, wantEvent.Hash, wantErr)
	}
	if err != nil {
		return nil
	}
	if m, err := json.Marshal(&e); err != nil || !bytes.Equal(got, m) {
		t.Fatalf("Seal wrote\n%s\njson.Marshal of the sealed event writes\n%s (%v)", got, m, err)
	}
	return got
}
