package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/api/web"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestErasureEverywhere: after POST /v1/people/{id}/erasure, none of the
// person's strings (name, email, title, any text about them) is in any
// API response, UI page, export file (clear or pseudonymized) or server
// log line; her numbers remain; and no new data key is ever created for
// her, by a write, an idempotent replay of her registration or a restart.
func TestErasureEverywhere(t *testing.T) {
	logs := &syncBuffer{}
	env := apitest.StartWith(t, apitest.Options{Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	admin, hr := env.Token("ops", domain.RoleAdmin), env.Token("hr-desk", domain.RoleHR)
	leader := env.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": "Leo Leader", "email": "leo@example.com"})
	leaderT := env.Token(leader, domain.RoleMember)
	reg := map[string]any{"name": "Zora Quillfeather", "email": "zora.quill@example.com", "title": "Senior Zebra Wrangler", "manager_id": leader}
	zora := env.Created(http.MethodPost, "/v1/people", admin, reg, "Idempotency-Key", "hire-zora")
	zoraT := env.Token(zora, domain.RoleMember)
	p := "/v1/people/" + zora
	env.Created(http.MethodPost, p+"/metrics", zoraT, map[string]any{"period": domain.MonthPeriod(domain.DateOf(clock.Now().UTC().AddDate(0, -1, 0))).String(),
		"source": "self", "values": map[string]any{"revenue": 424242, "new_opportunities": 7, "deals_won": 2}})
	env.Created(http.MethodPost, p+"/meetings", leaderT, map[string]any{"kind": "performance", "with_id": leader,
		"held_at": clock.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "notes": "Zora fears cold calls", "diagnosis": map[string]any{"primary": "activity", "note": "xylophone pipeline"}})
	cm := env.Created(http.MethodPost, p+"/commitments", zoraT, map[string]any{"text": "phone the quokka accounts", "due_on": domain.DateOf(clock.Now().UTC()).AddDays(4).String()})
	env.Created(http.MethodPost, p+"/commitments/"+cm+"/follow-ups", leaderT, map[string]any{"note": "two quokkas reached"})
	pip := env.Created(http.MethodPost, p+"/pips", hr, map[string]any{"reason": "Zora misses the walrus quota", "starts_on": domain.DateOf(clock.Now().UTC()).String(),
		"ends_on": domain.DateOf(clock.Now().UTC()).AddDays(30).String(), "goals": []map[string]any{{"text": "land the narwhal deal"}}})
	env.Created(http.MethodPost, p+"/pips/"+pip+"/acknowledgement", zoraT, map[string]any{"comment": "I accept the marmot terms"})
	secrets := []string{"Zora", "Quillfeather", "zora.quill@example.com", "Zebra Wrangler", "cold calls", "xylophone", "quokka", "walrus", "narwhal", "marmot"}

	pages := []string{"/ui/people/" + zora, "/ui/people/" + zora + "/pips/" + pip, "/ui/teams/" + leader, "/ui/pips", "/ui/cadence/" + leader}
	before := fetchUI(t, env.URL, pages[0], hr)
	if !strings.Contains(before, "Quillfeather") {
		t.Fatalf("the fixture is not visible before erasure")
	}

	// On disk before the erasure: her data key, her fields and (after a
	// restart writes the snapshot) her text, all open to the master key.
	env.Restart()
	zoraID := uuid.MustParse(zora)
	if f := readDisk(t, env.DataDir, zoraID, secrets); f.keys == 0 || f.fields == 0 || len(f.texts) == 0 {
		t.Fatalf("the disk scan recovers too little before the erasure to prove anything after it: %+v", f)
	} else {
		t.Logf("before the erasure the master key recovers %d data key(s), %d field(s), texts %q", f.keys, f.fields, f.texts)
	}

	env.Created(http.MethodPost, p+"/erasure", hr, map[string]any{"reason": "GDPR request 2026-118"})
	// Answered: nothing of hers opens any more, from any file.
	if f := readDisk(t, env.DataDir, zoraID, secrets); !f.empty() {
		t.Errorf("after the erasure the master key still recovers %d data key(s), %d field(s), texts %q", f.keys, f.fields, f.texts)
	}

	leak := func(where, text string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s shows %q after erasure", where, s)
			}
		}
	}
	month := domain.MonthPeriod(domain.DateOf(clock.Now().UTC().AddDate(0, -1, 0))).String()
	reads := []struct{ path, token string }{
		{p, hr}, {p + "/timeline", hr}, {p + "/timeline", leaderT}, {p + "/commitments", hr}, {p + "/commitment-history", hr},
		{p + "/scorecard?period=" + month, hr}, {p + "/pips/" + pip, hr}, {p + "/pips/" + pip, leaderT}, {"/v1/pips", hr},
		{"/v1/people?manager_id=" + leader, hr}, {"/v1/people", leaderT}, {"/v1/teams/" + leader + "/board?period=" + month, hr},
		{"/v1/managers/" + leader + "/cadence", hr}, {"/v1/events?limit=500", admin}, {"/v1/events?limit=500", env.Token("analyst", domain.RoleAnalyst)},
		{"/v1/audit/verify?person_id=" + zora, hr},
	}
	for _, r := range reads {
		resp := env.Do(http.MethodGet, r.path, r.token, nil)
		if resp.Status != http.StatusOK {
			t.Errorf("GET %s: %d %s", r.path, resp.Status, resp.Body)
		}
		leak("GET "+r.path, string(resp.Body))
	}
	if r := env.Must(http.StatusOK, http.MethodGet, p+"/timeline?type=metrics.", hr, nil); !strings.Contains(string(r.Body), "424242") {
		t.Errorf("the numbers must stay: %s", r.Body)
	}
	for _, page := range pages {
		leak("UI "+page, fetchUI(t, env.URL, page, hr))
	}
	leak("UI as leader", fetchUI(t, env.URL, "/ui/teams/"+leader, leaderT))

	// Export files, in clear and pseudonymized, in every format.
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--format", "ndjson", "--clear", "--out", filepath.Join(dir, "clear.ndjson")},
		{"--format", "ndjson", "--out", filepath.Join(dir, "pseudo.ndjson")},
		{"--format", "csv", "--clear", "--out", filepath.Join(dir, "clear")},
	} {
		args = append(args, "--data-dir", env.DataDir, "--nats", env.Store.Server().ClientURL())
		if err := exportCommand(context.Background(), args, io.Discard, io.Discard); err != nil {
			t.Fatalf("export %v: %v", args, err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		leak("export "+filepath.Base(f), string(b))
	}
	if clear, _ := os.ReadFile(filepath.Join(dir, "clear.ndjson")); !strings.Contains(string(clear), "424242") || !strings.Contains(string(clear), "[erased]") {
		t.Errorf("the clear export lost the numbers or the [erased] marker")
	}

	// No new key: writes are refused, a replayed registration appends
	// nothing, and the key entry stays the tombstone across a restart.
	env.Must(http.StatusConflict, http.MethodPost, p+"/commitments", leaderT, map[string]any{"text": "new text", "due_on": "2099-01-01"})
	env.Must(http.StatusConflict, http.MethodPost, p+"/metrics", leaderT, map[string]any{"period": month, "source": "manager", "values": map[string]any{"revenue": 1}, "correction_reason": "fix"})
	if r := env.Do(http.MethodPost, "/v1/people", admin, reg, "Idempotency-Key", "hire-zora"); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the repeated registration was not a replay: %d %s", r.Status, r.Body)
	}
	keyEntry := func() string {
		kv, err := env.Store.JetStream().KeyValue(context.Background(), eventstore.KeysBucket)
		if err != nil {
			t.Fatal(err)
		}
		e, err := kv.Get(context.Background(), zora)
		if err != nil {
			t.Fatal(err)
		}
		return string(e.Value())
	}
	if got := keyEntry(); got != "erased" {
		t.Errorf("key entry after the writes: %q", got)
	}
	env.Restart()
	env.Must(http.StatusConflict, http.MethodPost, p+"/commitments", leaderT, map[string]any{"text": "after restart", "due_on": "2099-01-01"})
	if got := keyEntry(); got != "erased" {
		t.Errorf("key entry after a restart: %q", got)
	}
	leak("GET person after restart", string(env.Must(http.StatusOK, http.MethodGet, p, hr, nil).Body))
	if f := readDisk(t, env.DataDir, zoraID, secrets); !f.empty() {
		t.Errorf("after a restart the master key recovers %d data key(s), %d field(s), texts %q", f.keys, f.fields, f.texts)
	}

	log := logs.String()
	if !strings.Contains(log, `"msg":"request"`) {
		t.Fatalf("the server log was not captured")
	}
	leak("the server log", log)
}

// fetchUI returns a UI page's HTML, fetched with the session cookie.
func fetchUI(t *testing.T, base, path, token string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.AddCookie(&http.Cookie{Name: web.CookieName, Value: token})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("UI %s: %d", path, resp.StatusCode)
	}
	return string(b)
}
