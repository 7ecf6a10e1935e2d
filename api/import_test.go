package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/eventstore"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// ndjson joins values, one JSON document a line.
func ndjson(t *testing.T, lines ...any) string {
	t.Helper()
	var b strings.Builder
	for _, l := range lines {
		j, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

type importAnswer struct {
	Lines, Events int
	FailedLine    int    `json:"failed_line"`
	Code          string `json:"code"`
	Errors        []domain.FieldError
	Batches       []struct {
		Batch         int
		FirstLine     int `json:"first_line"`
		LastLine      int `json:"last_line"`
		Events        int
		Status        string
		FirstSequence uint64 `json:"first_sequence"`
		LastSequence  uint64 `json:"last_sequence"`
	}
}

func adminToken(e *apitest.Env) string { return e.Token("ops", domain.RoleAdmin) }

func TestImportHappyPath(t *testing.T) {
	e := apitest.Start(t)
	tok := adminToken(e)
	lead, rep := uuid.NewString(), uuid.NewString()
	body := ndjson(t,
		map[string]any{"person_id": lead, "type": "person.registered", "data": map[string]any{"name": "Lea", "email": "lea@example.com"}},
		map[string]any{"person_id": rep, "type": "person.registered", "data": map[string]any{"name": "Ana", "email": "ana@example.com", "manager_id": lead}},
		map[string]any{"person_id": lead, "type": "standard.set", "data": map[string]any{"applies_to": "reports", "effective_from": "2025-01-01", "period": "month",
			"targets": []map[string]any{{"metric": "revenue", "target": 200000, "kind": "lagging"}}}},
		map[string]any{"person_id": rep, "type": "metrics.submitted", "occurred_at": "2025-03-14T17:00:00Z",
			"actor": map[string]any{"id": rep, "role": "member"}, "data": map[string]any{"period": "2025-W11", "source": "self", "values": map[string]any{"activities": 41}}},
		map[string]any{"person_id": rep, "type": "meeting.held", "ref": "m1", "data": map[string]any{"kind": "performance", "held_at": "2025-03-17T09:00:00Z", "with_id": lead}},
		map[string]any{"person_id": rep, "type": "commitment.made", "ref": "c1", "meeting_ref": "m1", "data": map[string]any{"text": "book 15 first meetings", "due_on": "2025-03-21"}},
		map[string]any{"person_id": rep, "type": "commitment.kept", "commitment_ref": "c1", "data": map[string]any{"note": "16 booked"}},
	)
	var a importAnswer
	e.Must(http.StatusOK, http.MethodPost, "/v1/import", tok, body, "Content-Type", "application/x-ndjson").Decode(t, &a)
	if a.Lines != 7 || a.Events != 7 || len(a.Batches) != 1 || a.Batches[0].Status != "committed" || a.Batches[0].LastSequence != e.LastSeq() {
		t.Fatalf("answer = %+v", a)
	}
	cid := api.RefID(uuid.MustParse(rep), "c1").String()
	var list struct{ Items []struct{ ID, Status string } }
	e.Must(http.StatusOK, http.MethodGet, "/v1/people/"+rep+"/commitments", tok, nil).Decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != cid || list.Items[0].Status != "kept" {
		t.Fatalf("commitments = %+v, want %s kept", list.Items, cid)
	}
	var v domain.ChainReport
	e.Must(http.StatusOK, http.MethodGet, "/v1/audit/verify", tok, nil).Decode(t, &v)
	if !v.OK() || v.Events != 7 {
		t.Fatalf("verify = %+v", v)
	}
}

func TestImportRuleViolationRejectsItsBatch(t *testing.T) {
	e := apitest.Start(t)
	tok := adminToken(e)
	rep := uuid.NewString()
	var lines []any
	lines = append(lines, map[string]any{"person_id": rep, "type": "person.registered", "data": map[string]any{"name": "Ana", "email": "ana@example.com"}})
	for i := range api.ImportBatchSize + 9 { // the second batch starts at line 1000
		w := fmt.Sprintf("2024-W%02d", i%52+1)
		y := 2000 + i/52
		w = fmt.Sprintf("%d%s", y, w[4:])
		l := map[string]any{"person_id": rep, "type": "metrics.submitted", "data": map[string]any{"period": w, "source": "import", "values": map[string]any{"activities": i}}}
		if i == api.ImportBatchSize+3 { // line ImportBatchSize+5: resolves a commitment that does not exist
			l = map[string]any{"person_id": rep, "type": "commitment.kept", "commitment_id": uuid.NewString()}
		}
		lines = append(lines, l)
	}
	var a importAnswer
	e.Must(http.StatusUnprocessableEntity, http.MethodPost, "/v1/import", tok, ndjson(t, lines...)).Decode(t, &a)
	bad := api.ImportBatchSize + 5
	if a.FailedLine != bad || len(a.Batches) != 2 || a.Batches[0].Status != "committed" || a.Batches[1].Status != "rejected" {
		t.Fatalf("answer = %+v", a)
	}
	// The first batch: its events and the org marker of its registration.
	if got := e.LastSeq(); got != a.Batches[0].LastSequence || got != api.ImportBatchSize+1 {
		t.Fatalf("stream at %d, want the first batch's last sequence %d (%d)", got, a.Batches[0].LastSequence, api.ImportBatchSize+1)
	}
	if len(a.Errors) == 0 || !strings.HasPrefix(a.Errors[0].Field, fmt.Sprintf("line %d", bad)) {
		t.Fatalf("errors = %+v, want line %d named", a.Errors, bad)
	}
}

func TestImportRefusals(t *testing.T) {
	e := apitest.Start(t)
	tok := adminToken(e)
	good := ndjson(t, map[string]any{"person_id": uuid.NewString(), "type": "person.registered", "data": map[string]any{"name": "Ana", "email": "ana@example.com"}})

	e.Must(http.StatusForbidden, http.MethodPost, "/v1/import", e.Token("hr1", domain.RoleHR), good)
	e.Must(http.StatusForbidden, http.MethodPost, "/v1/import", e.Token(uuid.NewString(), domain.RoleMember), good)

	big := strings.Repeat(strings.TrimSpace(good)+"\n", api.MaxImportBody/len(good)+1)
	r := e.Must(http.StatusRequestEntityTooLarge, http.MethodPost, "/v1/import", tok, big)
	if !strings.Contains(string(r.Body), "payload_too_large") {
		t.Fatalf("413 body %s", r.Body)
	}

	var a importAnswer
	e.Must(http.StatusBadRequest, http.MethodPost, "/v1/import", tok, good+"\n{\"person_id\": \n").Decode(t, &a)
	if a.Code != "malformed_json" || len(a.Errors) == 0 || a.Errors[0].Field != "line 3" {
		t.Fatalf("malformed answer = %+v", a)
	}
	e.Must(http.StatusBadRequest, http.MethodPost, "/v1/import", tok, good+`{"person_id":"x","type":"person.registered","colour":1}`+"\n").Decode(t, &a)
	if a.Code != "unknown_field" && a.Code != "malformed_json" || !strings.HasPrefix(a.Errors[0].Field, "line 2") {
		t.Fatalf("unknown field answer = %+v", a)
	}
	e.Must(http.StatusUnprocessableEntity, http.MethodPost, "/v1/import", tok,
		good+ndjson(t, map[string]any{"person_id": uuid.NewString(), "type": "person.erased", "data": map[string]any{"reason": "x"}})).Decode(t, &a)
	if a.Errors[0].Field != "line 2: type" {
		t.Fatalf("erasure answer = %+v", a)
	}
	if seq := e.LastSeq(); seq != 0 {
		t.Fatalf("a refused import stored %d events", seq)
	}
}

// TestImportBatchSizeIsTheStores: the API cuts an import where the store
// cuts its atomic batches; api does not import the store, so this test
// holds the two constants together.
func TestImportBatchSizeIsTheStores(t *testing.T) {
	if api.ImportBatchSize != eventstore.MaxImportBatch {
		t.Errorf("api.ImportBatchSize = %d, eventstore.MaxImportBatch = %d", api.ImportBatchSize, eventstore.MaxImportBatch)
	}
}
