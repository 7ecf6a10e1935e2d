package api_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/projections/snapshot"
)

// snapshotReads returns the bodies of every read model of the org, as of a
// fixed time so that they can be compared across restarts.
func snapshotReads(t *testing.T, o *org, asOf string) map[string]string {
	t.Helper()
	q := "as_of=" + url.QueryEscape(asOf)
	paths := []string{"/v1/people", "/v1/pips", "/v1/teams/" + o.leader + "/board?period=" + lastMonth() + "&" + q,
		"/v1/managers/" + o.owner + "/cadence?from=" + day(-60) + "&to=" + day(0)}
	for _, id := range []string{o.ana, o.ben, o.leader} {
		p := "/v1/people/" + id
		paths = append(paths, p, p+"/timeline?limit=500", p+"/commitments", p+"/commitment-history?"+q,
			p+"/scorecard?period="+lastMonth()+"&"+q)
	}
	out := map[string]string{}
	for _, path := range paths {
		out[path] = string(o.Must(http.StatusOK, http.MethodGet, path, o.hr, nil).Body)
	}
	return out
}

func sameReads(t *testing.T, when string, want, got map[string]string) {
	t.Helper()
	for path, w := range want {
		if got[path] != w {
			t.Errorf("%s: %s differs:\nwant %s\ngot  %s", when, path, w, got[path])
		}
	}
}

// coach writes a little of everything for ana and ben.
func coach(t *testing.T, o *org) {
	for _, who := range []struct{ id, tok, word string }{{o.ana, o.anaT, "Quetzal"}, {o.ben, o.benT, "Walrus"}} {
		p := "/v1/people/" + who.id
		o.Created(http.MethodPost, p+"/metrics", who.tok, map[string]any{"period": lastMonth(), "source": "self", "values": map[string]any{"revenue": 150000, "new_opportunities": 10, "deals_won": 3}})
		o.Created(http.MethodPost, p+"/meetings", o.leaderT, map[string]any{"kind": "performance", "with_id": o.leader,
			"held_at": clock.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "notes": who.word + " discovery notes", "diagnosis": map[string]any{"primary": "conversion"}})
		c := o.Created(http.MethodPost, p+"/commitments", who.tok, map[string]any{"text": who.word + " outreach plan", "due_on": day(3)})
		o.Created(http.MethodPost, p+"/commitments/"+c+"/follow-ups", o.leaderT, map[string]any{"note": who.word + " progress", "progress": 0.5})
	}
	o.Created(http.MethodPost, "/v1/people/"+o.leader+"/standards", o.ownerT, map[string]any{"applies_to": "reports", "effective_from": day(-90), "period": "month",
		"targets": []map[string]any{{"metric": "revenue", "target": 200000, "kind": "lagging"}, {"metric": "new_opportunities", "target": 10, "kind": "leading"}}})
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/pips", o.hr, map[string]any{"reason": "Ana missed quota twice", "starts_on": day(0), "ends_on": day(30),
		"goals": []map[string]any{{"text": "Ana books ten meetings"}}})
}

// TestRestartResumesFromSnapshot: a graceful stop writes the snapshot, a
// restart resumes from it (not from 0) and answers exactly as before and
// as a full rebuild does; a corrupt snapshot is ignored and rebuilt.
func TestRestartResumesFromSnapshot(t *testing.T) {
	o := newOrg(t)
	coach(t, o)
	time.Sleep(2 * time.Millisecond)
	asOf := clock.Now().UTC().Format(time.RFC3339Nano)
	before := snapshotReads(t, o, asOf)
	last := o.LastSeq()

	o.Restart()
	if o.FollowedFrom != last {
		t.Fatalf("after a graceful restart the projections followed from %d, want the snapshot's %d", o.FollowedFrom, last)
	}
	sameReads(t, "resumed from snapshot", before, snapshotReads(t, o, asOf))
	// Following goes on after the snapshot's sequence.
	o.Created(http.MethodPost, "/v1/people/"+o.ben+"/commitments", o.benT, map[string]any{"text": "after the snapshot", "due_on": day(5)})
	resumed := snapshotReads(t, o, asOf)

	path := filepath.Join(snapshot.Dir(o.DataDir), snapshot.FileName)
	o.Close() // writes the snapshot; delete it for a full rebuild
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	o.Restart()
	if o.FollowedFrom != 0 {
		t.Fatalf("without a snapshot the projections followed from %d, want 0", o.FollowedFrom)
	}
	sameReads(t, "full rebuild vs resumed", resumed, snapshotReads(t, o, asOf))

	o.Close() // writes the snapshot again; now damage it
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	o.Restart()
	if o.FollowedFrom != 0 {
		t.Fatalf("a corrupt snapshot was resumed from (sequence %d)", o.FollowedFrom)
	}
	sameReads(t, "rebuilt after a corrupt snapshot", resumed, snapshotReads(t, o, asOf))
}

// decryptedSnapshot returns the clear bytes of the env's snapshot file.
func decryptedSnapshot(t *testing.T, o *org) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join(snapshot.Dir(o.DataDir), snapshot.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := snapshot.Open(f, o.Store.SnapshotKey())
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSnapshotAfterErasure: the snapshot holds personal text, encrypted;
// after an erasure it is rewritten promptly and none of the person's
// strings is left in it, nor in any other file of the directory.
func TestSnapshotAfterErasure(t *testing.T) {
	o := newOrg(t)
	coach(t, o)
	secrets := []string{"Ana Lima", "ana@example.com", "Quetzal discovery", "Quetzal outreach", "Quetzal progress", "missed quota", "books ten"}
	o.Restart() // writes a snapshot with Ana's text
	raw, err := os.ReadFile(filepath.Join(snapshot.Dir(o.DataDir), snapshot.FileName))
	if err != nil {
		t.Fatal(err)
	}
	clear := decryptedSnapshot(t, o)
	for _, s := range secrets {
		if !bytes.Contains(clear, []byte(s)) {
			t.Fatalf("control: the snapshot does not hold %q", s)
		}
		if bytes.Contains(raw, []byte(s)) {
			t.Fatalf("the snapshot file holds %q in clear", s)
		}
	}

	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/erasure", o.hr, map[string]any{"reason": "request from Ana Lima"})
	seq := o.LastSeq()
	deadline := time.Now().Add(10 * time.Second)
	for {
		// The erasure removes the snapshot before it is answered; the
		// rewritten one follows.
		if _, err := os.Stat(filepath.Join(snapshot.Dir(o.DataDir), snapshot.FileName)); errors.Is(err, fs.ErrNotExist) {
			if time.Now().After(deadline) {
				t.Fatalf("10 s after the erasure (sequence %d) no snapshot was written again", seq)
			}
			time.Sleep(50 * time.Millisecond)
			continue
		}
		clear = decryptedSnapshot(t, o)
		left := []string{}
		for _, s := range secrets {
			if bytes.Contains(clear, []byte(s)) {
				left = append(left, s)
			}
		}
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after the erasure (sequence %d) the snapshot still holds %q", seq, left)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !bytes.Contains(clear, []byte("Ben Brook")) || !bytes.Contains(clear, []byte("Walrus outreach")) {
		t.Error("the rewritten snapshot lost other people's text")
	}
	entries, err := os.ReadDir(snapshot.Dir(o.DataDir))
	if err != nil || len(entries) != 1 {
		t.Fatalf("snapshot dir holds %d entries (%v), want only %s", len(entries), err, snapshot.FileName)
	}
}
