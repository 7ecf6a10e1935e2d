package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/service"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
)

// TestCrashSafety: writes acknowledged with a 2xx survive SIGKILL; the
// restarted service's projections hold exactly what the stream holds;
// verify passes; a forged message makes verify fail, naming it, and the
// service still starts and serves.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a child process")
	}
	dir := t.TempDir()
	admin := mint(t, dir, "admin-service", "admin")
	svc := startService(t, dir)
	status, body, err := svc.post("/v1/people", admin, map[string]any{"name": "Ana Lima", "email": "ana@example.com"})
	if err != nil || status != http.StatusCreated {
		t.Fatalf("register: %d %v %v", status, body, err)
	}
	ana := body["id"].(string)

	// Four writers append commitments until the process is killed under them.
	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				status, body, err := svc.post("/v1/people/"+ana+"/commitments", admin,
					map[string]any{"text": fmt.Sprintf("writer %d action %d", w, i), "due_on": "2030-01-01"})
				if err != nil {
					return // the process is gone
				}
				if status == http.StatusCreated {
					mu.Lock()
					acked[body["id"].(string)] = true
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := svc.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	_ = svc.cmd.Wait()
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}

	svc = startService(t, dir)
	listed := map[string]bool{}
	for _, id := range svc.all("/v1/people/"+ana+"/commitments", admin) {
		listed[id] = true
	}
	for id := range acked {
		if !listed[id] {
			t.Errorf("acknowledged commitment %s is missing after the crash", id)
		}
	}
	// The rebuilt projections hold exactly what the stream holds.
	stored := 0
	for _, typ := range journalTypes(t, dir, ana) {
		if typ == "commitment.made" {
			stored++
		}
	}
	if made := len(svc.all("/v1/people/"+ana+"/timeline?type=commitment.made", admin)); made != stored || len(listed) != stored {
		t.Errorf("timeline has %d commitments, list %d, stream %d", made, len(listed), stored)
	}
	t.Logf("%d writes acknowledged before SIGKILL, %d stored", len(acked), stored)

	// verify joins the running service's embedded server.
	if out, code := runTool(t, "verify", "--data-dir", dir); code != 0 {
		t.Fatalf("verify while serving: exit %d: %s", code, out)
	}
	svc.stop()

	// Forge: publish straight to the stream, bypassing the service.
	forged, garbage := forge(t, dir, ana)
	out, code := runTool(t, "verify", "--data-dir", dir)
	if code != 1 || !strings.Contains(out, ana) || !strings.Contains(out, fmt.Sprintf("sequence %d", forged)) {
		t.Fatalf("verify after forging seq %d: exit %d, output:\n%s", forged, code, out)
	}
	if !strings.Contains(out, "journal garbage") || !strings.Contains(out, fmt.Sprintf("sequence %d", garbage)) {
		t.Fatalf("verify does not name the garbage message at %d:\n%s", garbage, out)
	}
	svc = startService(t, dir)
	var person map[string]any
	if st := svc.get("/v1/people/"+ana, admin, &person); st != http.StatusOK {
		t.Fatalf("after forging, GET person = %d", st)
	}
	svc.stop()
}

// forge opens the stopped service's store with a raw NATS client and
// publishes an altered envelope into ana's journal and garbage elsewhere.
func forge(t *testing.T, dir, ana string) (forged, garbage uint64) {
	t.Helper()
	srv, err := eventstore.StartEmbedded(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.WaitForShutdown()
	defer srv.Shutdown()
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := nc.JetStream()
	env, _ := json.Marshal(map[string]any{
		"id": "0193a0a0-0000-7000-8000-000000000001", "type": "person.updated", "schema": 1, "person_id": ana,
		"version": 999, "actor": map[string]string{"id": "mallory", "role": "admin"},
		"occurred_at": clock.Now().UTC(), "recorded_at": clock.Now().UTC(),
		"data": map[string]string{"name": "Forged Name"}, "prev_hash": "", "hash": strings.Repeat("0", 64),
	})
	ack, err := js.Publish("journal."+ana+".person.updated", env, nats.Context(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	ack2, err := js.Publish("journal.garbage.x", []byte("not json at all"))
	if err != nil {
		t.Fatal(err)
	}
	return ack.Sequence, ack2.Sequence
}

// journalTypes reads a journal's event types over a running service's
// embedded server, the way verify does.
func journalTypes(t *testing.T, dir, person string) []string {
	t.Helper()
	store, release, err := service.OpenTool(context.Background(), eventstore.Config{DataDir: dir}, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if store.Server() != nil {
		t.Fatal("no running service to join: the test opened the store itself")
	}
	evs, err := store.ReadJournal(context.Background(), uuid.MustParse(person))
	if err != nil {
		t.Fatal(err)
	}
	types := make([]string, len(evs))
	for i, e := range evs {
		types[i] = e.Type
	}
	return types
}
