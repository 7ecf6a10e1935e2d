package main

import (
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestCrashSafetyGroupCommit: writers on many journals at once, so that
// their appends are group-committed in atomic batches; every write
// acknowledged with a 2xx before SIGKILL is there after the restart.
func TestCrashSafetyGroupCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a child process")
	}
	dir := t.TempDir()
	admin := mint(t, dir, "admin-service", "admin")
	svc := startService(t, dir)
	const writers = 24
	people := make([]string, writers)
	for i := range people {
		status, body, err := svc.post("/v1/people", admin, map[string]any{"name": fmt.Sprintf("Rep %d", i), "email": "rep@example.com"})
		if err != nil || status != http.StatusCreated {
			t.Fatalf("register: %d %v %v", status, body, err)
		}
		people[i] = body["id"].(string)
	}

	var mu sync.Mutex
	acked := map[string]map[string]bool{} // person → commitment ids; filled before the writers start
	for _, p := range people {
		acked[p] = map[string]bool{}
	}
	var wg sync.WaitGroup
	for _, p := range people {
		wg.Go(func() {
			for i := 0; ; i++ {
				status, body, err := svc.post("/v1/people/"+p+"/commitments", admin,
					map[string]any{"text": fmt.Sprintf("action %d", i), "due_on": "2030-01-01"})
				if err != nil {
					return // the process is gone
				}
				if status == http.StatusCreated {
					mu.Lock()
					acked[p][body["id"].(string)] = true
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(1500 * time.Millisecond)
	if err := svc.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	_ = svc.cmd.Wait()

	svc = startService(t, dir)
	defer svc.stop()
	total := 0
	for _, p := range people {
		listed := map[string]bool{}
		for _, id := range svc.all("/v1/people/"+p+"/commitments", admin) {
			listed[id] = true
		}
		for id := range acked[p] {
			total++
			if !listed[id] {
				t.Errorf("acknowledged commitment %s of %s is missing after the crash", id, p)
			}
		}
	}
	if total == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}
	t.Logf("%d writes on %d journals acknowledged before SIGKILL", total, writers)
	if out, code := runTool(t, "verify", "--data-dir", dir); code != 0 {
		t.Fatalf("verify: exit %d: %s", code, out)
	}
}
