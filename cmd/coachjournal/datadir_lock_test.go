package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/service"
)

// holdAsServe stands in for serve in tests whose store runs in the test
// process: it takes dataDir's lock as serve does and publishes url, so
// that tools join that store instead of opening it a second time.
func holdAsServe(tb testing.TB, dataDir, url string) {
	tb.Helper()
	lock, err := service.LockDataDir(dataDir, "serve")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(lock.Unlock)
	if err := os.WriteFile(filepath.Join(dataDir, "nats.url"), []byte(url), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// runBounded runs a coachjournal command that should end by itself and
// returns its output, exit code and duration; one still running after
// limit is killed and fails the test.
func runBounded(t *testing.T, limit time.Duration, args ...string) (string, int, time.Duration) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		took := time.Since(start)
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return out.String(), ee.ExitCode(), took
		}
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String(), 0, took
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%s still running after %s (it should have refused the data dir):\n%s", strings.Join(args, " "), limit, out.String())
		return "", 0, 0
	}
}

// TestSecondServeRefused: a second serve on a data dir a serve holds exits
// at once, non-zero, naming the holder, while writes go on; the first keeps
// serving, and after a restart every acknowledged write is there and the
// chains verify. Tools join the running serve instead of being refused.
func TestSecondServeRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	admin := mint(t, dir, "admin-service", "admin")
	first := startService(t, dir)
	var (
		mu    sync.Mutex
		acked []string
	)
	register := func(name string) error {
		status, body, err := first.post("/v1/people", admin, map[string]any{"name": name, "email": "p@example.com"})
		if err != nil || status != http.StatusCreated {
			return fmt.Errorf("register %s: %d %v %v", name, status, body, err)
		}
		mu.Lock()
		acked = append(acked, body["id"].(string))
		mu.Unlock()
		return nil
	}
	if err := register("Before Second"); err != nil {
		t.Fatal(err)
	}

	// Writes keep arriving while the second serve tries its luck.
	stop, writerErr := make(chan struct{}), make(chan error, 1)
	var during atomic.Int64
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				writerErr <- nil
				return
			default:
			}
			if err := register(fmt.Sprintf("During %d", i)); err != nil {
				writerErr <- err
				return
			}
			during.Add(1)
		}
	}()
	out, code, took := runBounded(t, 10*time.Second, "serve", "--data-dir", dir, "--addr", "127.0.0.1:0")
	close(stop)
	if err := <-writerErr; err != nil {
		t.Fatalf("a write to the first serve failed while the second started: %v", err)
	}
	t.Logf("second serve exited %d after %s (%d writes acknowledged meanwhile): %s", code, took.Round(time.Millisecond), during.Load(), strings.TrimSpace(out))
	want := fmt.Sprintf("data dir %s is in use by coachjournal serve, pid %d", dir, first.cmd.Process.Pid)
	if code == 0 || !strings.Contains(out, want) {
		t.Fatalf("second serve: exit %d, output %q; want non-zero and %q", code, out, want)
	}

	if err := register("After Second"); err != nil {
		t.Fatal(err)
	}
	// The tools share the running store by joining its server.
	if out, code := runTool(t, "verify", "--data-dir", dir); code != 0 || !strings.Contains(out, "all chains verified") {
		t.Fatalf("verify while serving: exit %d: %s", code, out)
	}
	file := filepath.Join(t.TempDir(), "events.ndjson")
	if out, code := runTool(t, "export", "--data-dir", dir, "--out", file); code != 0 {
		t.Fatalf("export while serving: exit %d: %s", code, out)
	}
	if b, _ := os.ReadFile(file); strings.Count(string(b), "\n") != len(acked) {
		t.Errorf("export while serving wrote %d events, want %d", strings.Count(string(b), "\n"), len(acked))
	}

	first.stop()
	again := startService(t, dir) // the lock went with the first process
	for _, id := range acked {
		if st := again.get("/v1/people/"+id, admin, nil); st != http.StatusOK {
			t.Errorf("acknowledged person %s after the restart: GET %d", id, st)
		}
	}
	var page struct{ Items []any }
	again.get("/v1/people?limit=500", admin, &page)
	if len(page.Items) != len(acked) {
		t.Errorf("%d people listed after the restart, %d acknowledged", len(page.Items), len(acked))
	}
	again.stop()
	if out, code := runTool(t, "verify", "--data-dir", dir); code != 0 || !strings.Contains(out, fmt.Sprintf("%d events checked", len(acked))) {
		t.Fatalf("verify after the restart: exit %d: %s", code, out)
	}
}

// TestToolsOnLockedDir: while a tool (here the test process, holding the
// lock as verify) owns a data dir, serve, verify and export each exit at
// once, non-zero, naming it; token still mints.
func TestToolsOnLockedDir(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	lock, err := service.LockDataDir(dir, "verify")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	want := fmt.Sprintf("data dir %s is in use by coachjournal verify, pid %d", dir, os.Getpid())
	for _, args := range [][]string{
		{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0"},
		{"verify", "--data-dir", dir},
		{"export", "--data-dir", dir, "--out", filepath.Join(t.TempDir(), "x.ndjson")},
	} {
		out, code, took := runBounded(t, 10*time.Second, args...)
		t.Logf("%s exited %d after %s", args[0], code, took.Round(time.Millisecond))
		if code == 0 || !strings.Contains(out, want) {
			t.Errorf("%s on a locked dir: exit %d, output %q; want non-zero and %q", args[0], code, out, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "jetstream")); err == nil {
		t.Error("a refused command created the embedded store")
	}
	mint(t, dir, "admin-service", "admin") // token reads only the signing key
}

// TestNATSModeLocks: a serve on an external server (--nats) holds its data
// dir too (its snapshots live there): a second serve is refused, and a tool
// without --nats, which would open an empty embedded store there, is
// refused with a hint; with --nats it runs.
func TestNATSModeLocks(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	srv, err := eventstore.StartEmbedded(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.WaitForShutdown()
	defer srv.Shutdown()
	dir := t.TempDir()
	admin := mint(t, dir, "admin-service", "admin")
	t.Setenv("COACHJOURNAL_NATS", srv.ClientURL()) // startService's child takes it as --nats
	svc := startService(t, dir)
	os.Unsetenv("COACHJOURNAL_NATS") // the commands below say what they mean
	if status, body, err := svc.post("/v1/people", admin, map[string]any{"name": "Ana Lima", "email": "ana@example.com"}); err != nil || status != http.StatusCreated {
		t.Fatalf("register: %d %v %v", status, body, err)
	}

	want := fmt.Sprintf("data dir %s is in use by coachjournal serve, pid %d", dir, svc.cmd.Process.Pid)
	for _, args := range [][]string{
		{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0", "--nats", srv.ClientURL()},
		{"export", "--data-dir", dir, "--out", filepath.Join(t.TempDir(), "x.ndjson")},
	} {
		out, code, took := runBounded(t, 10*time.Second, args...)
		t.Logf("%s exited %d after %s: %s", args[0], code, took.Round(time.Millisecond), strings.TrimSpace(out))
		if code == 0 || !strings.Contains(out, want) {
			t.Errorf("%v: exit %d, output %q; want non-zero and %q", args, code, out, want)
		}
	}
	if out, code := runTool(t, "verify", "--data-dir", dir, "--nats", srv.ClientURL()); code != 0 || !strings.Contains(out, "1 events checked") {
		t.Errorf("verify --nats beside a serve --nats: exit %d: %s", code, out)
	}
	svc.stop()
}
