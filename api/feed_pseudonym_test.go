package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventjson"
	"github.com/google/uuid"
)

// confirmsPseudonym plays an analyst holding a list of known person ids:
// it puts each candidate in the place of the item's pseudonymized person
// id (and of its actor's id, unless that reads in clear), recomputes the
// chain hash from what the item shows, and reports the candidate whose
// hash matches the item's. An item without a hash confirms nothing.
func confirmsPseudonym(t *testing.T, item []byte, candidates []string) (string, bool) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(item))
	dec.UseNumber() // numbers as written, as the chain hashed them
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	hash, ok := m["hash"].(string)
	prev, _ := m["prev_hash"].(string)
	if !ok {
		return "", false
	}
	delete(m, "hash")
	delete(m, "sequence")
	actor, _ := m["actor"].(map[string]any)
	actors := []any{actor["id"]}
	if s, _ := actor["id"].(string); pseudonym.MatchString(s) {
		actors = nil
		for _, c := range candidates {
			actors = append(actors, c)
		}
	}
	for _, c := range candidates {
		for _, a := range actors {
			m["person_id"], actor["id"] = c, a
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			canon, err := eventjson.Canonical(b, "")
			if err != nil {
				t.Fatal(err)
			}
			if eventjson.ChainHash(prev, canon) == hash {
				return c, true
			}
		}
	}
	return "", false
}

// TestAnalystFeedConfirmsNoPseudonym: an analyst with a list of known
// person ids recomputes the hashes of the feed's events (those without
// personal text hash only what the feed shows) and confirms no pseudonym;
// and no actor, not even a service subject such as "ops", reads in clear,
// in the feed or the live tail. Admin's clear feed keeps its hashes.
func TestAnalystFeedConfirmsNoPseudonym(t *testing.T) {
	env := apitest.Start(t)
	ops, sweep := env.Token("ops", domain.RoleAdmin), env.Token("hr-sweep", domain.RoleHR)
	analyst := env.Token("analyst-service", domain.RoleAnalyst)
	reg := func(name, mgr string) string {
		body := map[string]any{"name": name, "email": strings.ToLower(name) + "@example.com"}
		if mgr != "" {
			body["manager_id"] = mgr
		}
		return env.Created(http.MethodPost, "/v1/people", ops, body)
	}
	leader := reg("Leo", "")
	ana := reg("Ana", leader)
	env.Created(http.MethodPost, "/v1/people/"+leader+"/cadence", sweep, map[string]any{"every_days": 14})
	env.Created(http.MethodPost, "/v1/people/"+ana+"/metrics", ops, map[string]any{"period": "2026-03", "source": "import", "values": map[string]any{"revenue": 1000, "activities": 40}})
	env.Created(http.MethodPost, "/v1/people/"+ana+"/standards", sweep, map[string]any{"applies_to": "self", "effective_from": "2026-01-01",
		"targets": []map[string]any{{"metric": "revenue", "target": 4000, "kind": "lagging"}}})
	known := []string{uuid.NewString(), leader, uuid.NewString(), ana}

	var page struct{ Items []json.RawMessage }
	r := env.Must(http.StatusOK, http.MethodGet, "/v1/events?limit=500", analyst, nil)
	r.Decode(t, &page)
	if len(page.Items) != 5 {
		t.Fatalf("the feed has %d events, want 5", len(page.Items))
	}
	events, _, stop := openStream(t, env.URL, analyst, "", "")
	defer stop()
	var streamed []string
	for range page.Items {
		select {
		case e := <-events:
			streamed = append(streamed, e.data)
		case <-time.After(10 * time.Second):
			t.Fatalf("the live tail delivered %d of %d events", len(streamed), len(page.Items))
		}
	}
	for where, items := range map[string][]string{"feed": rawStrings(page.Items), "live tail": streamed} {
		for i, it := range items {
			if id, ok := confirmsPseudonym(t, []byte(it), known); ok {
				t.Errorf("%s event %d: recomputing its hash with the known id %s confirms its pseudonym: %s", where, i+1, id, it)
			}
			for _, s := range []string{`"hash"`, `"prev_hash"`, `"ops"`, `"hr-sweep"`, leader, ana} {
				if strings.Contains(it, s) {
					t.Errorf("%s event %d holds %s: %s", where, i+1, s, it)
				}
			}
		}
	}

	// The clear feed (admin, HR) keeps its hashes, and they are the chain's.
	var clear struct{ Items []json.RawMessage }
	env.Must(http.StatusOK, http.MethodGet, "/v1/events?limit=500", ops, nil).Decode(t, &clear)
	if _, ok := confirmsPseudonym(t, clear.Items[2], []string{leader}); !ok {
		t.Errorf("admin's clear cadence.set does not recompute to its own hash: %s", clear.Items[2])
	}
}

func rawStrings(items []json.RawMessage) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = string(it)
	}
	return out
}

// TestAnalystFeedHidesDerivedIDs: an import's meeting, commitment and PIP
// ids are UUIDv5 of the person id and the line's ref, so an analyst who
// guessed both could recompute them and find the person's events; the
// analyst reads them pseudonymized, and events still join on them.
func TestAnalystFeedHidesDerivedIDs(t *testing.T) {
	env := apitest.Start(t)
	admin, analyst := env.Token("ops", domain.RoleAdmin), env.Token("analyst-service", domain.RoleAnalyst)
	lead, rep := uuid.NewString(), uuid.NewString()
	body := ndjson(t,
		map[string]any{"person_id": lead, "type": "person.registered", "data": map[string]any{"name": "Lea", "email": "lea@example.com"}},
		map[string]any{"person_id": rep, "type": "person.registered", "data": map[string]any{"name": "Ana", "email": "ana@example.com", "manager_id": lead}},
		map[string]any{"person_id": rep, "type": "meeting.held", "ref": "m1", "data": map[string]any{"kind": "performance", "held_at": "2025-03-17T09:00:00Z", "with_id": lead}},
		map[string]any{"person_id": rep, "type": "commitment.made", "ref": "c1", "meeting_ref": "m1", "data": map[string]any{"text": "book 15 first meetings", "due_on": "2025-03-21"}},
		map[string]any{"person_id": rep, "type": "commitment.kept", "commitment_ref": "c1", "data": map[string]any{"note": "16 booked"}},
	)
	env.Must(http.StatusOK, http.MethodPost, "/v1/import", admin, body, "Content-Type", "application/x-ndjson")
	var page struct {
		Items []struct {
			ID   string
			Data map[string]any
		}
	}
	r := env.Must(http.StatusOK, http.MethodGet, "/v1/events?limit=500", analyst, nil)
	r.Decode(t, &page)
	person := uuid.MustParse(rep)
	for _, ref := range []string{"m1", "c1"} {
		if id := api.RefID(person, ref).String(); strings.Contains(string(r.Body), id) {
			t.Errorf("the analyst feed holds %s, the id a guessed person id and ref %q recompute", id, ref)
		}
	}
	uuidLike := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	for i, it := range page.Items {
		b, _ := json.Marshal(it.Data)
		if id := uuidLike.Find(b); id != nil {
			t.Errorf("event %d's data holds the id %s in clear: %s", i+1, id, b)
		}
	}
	made, kept, held := page.Items[3].Data, page.Items[4].Data, page.Items[2].Data
	if made["commitment_id"] != kept["commitment_id"] || made["meeting_id"] != held["meeting_id"] || !pseudonym.MatchString(fmt.Sprint(made["commitment_id"])) {
		t.Errorf("the commitment's events do not join on one pseudonym: made %v, kept %v, meeting %v", made, kept, held)
	}
}
