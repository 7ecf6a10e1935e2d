package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain/clock"
)

// binary is the coachjournal command built once for the process tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "coachjournal-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "coachjournal")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// serveProcess is one `coachjournal serve` child process.
type serveProcess struct {
	t   testing.TB
	cmd *exec.Cmd
	url string
}

// startService runs serve on dataDir and waits until it listens.
func startService(t testing.TB, dataDir string) *serveProcess {
	t.Helper()
	return startServiceWith(t, dataDir, nil, nil)
}

// startServiceWith is startService with env added to the child's
// environment and every stderr line that is not a JSON log passed to
// onLine (a GODEBUG=gctrace=1 trace), when given.
func startServiceWith(t testing.TB, dataDir string, env []string, onLine func(string)) *serveProcess {
	t.Helper()
	return startServiceArgs(t, dataDir, env, onLine)
}

// startServiceArgs is startServiceWith with more serve flags.
func startServiceArgs(t testing.TB, dataDir string, env []string, onLine func(string), extra ...string) *serveProcess {
	t.Helper()
	args := append([]string{"serve", "--data-dir", dataDir, "--addr", "127.0.0.1:0"}, extra...)
	if os.Getenv(clock.Env) != "" && !slices.Contains(extra, "--now") { // the child's clock starts where the test's is now
		args = append(args, "--now", clock.Now().Format(time.RFC3339Nano))
	}
	cmd := exec.Command(binary, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &serveProcess{t: t, cmd: cmd}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	urls := make(chan string, 1)
	var mu sync.Mutex
	var tail []string // the last lines of stderr, for a start that fails
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			if tail = append(tail, sc.Text()); len(tail) > 20 {
				tail = tail[1:]
			}
			mu.Unlock()
			// The JSON log and the runtime's trace (GODEBUG=gctrace=1)
			// both write to stderr, so a log record may land in the middle
			// of a trace line: look for it anywhere in the line.
			text := sc.Text()
			if i := strings.Index(text, `{"time":`); i >= 0 {
				var line struct{ Msg, URL string }
				if json.Unmarshal([]byte(text[i:]), &line) == nil && line.Msg == "serving" {
					urls <- line.URL
				}
				text = text[:i]
			}
			if onLine != nil && text != "" {
				onLine(text)
			}
		}
	}()
	select {
	case s.url = <-urls:
	case <-time.After(90 * time.Second): // a ceiling: on a loaded 2-core machine a start took over 30 s
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("serve did not start within 90s; its last lines:\n%s", strings.Join(tail, "\n"))
	}
	return s
}

// runTool runs a coachjournal tool command and returns its stdout and exit code.
func runTool(t testing.TB, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out.String(), 0
}

func mint(t testing.TB, dataDir, sub, role string) string {
	t.Helper()
	out, code := runTool(t, "token", "--data-dir", dataDir, "--sub", sub, "--role", role)
	if code != 0 {
		t.Fatalf("token: %s", out)
	}
	return strings.TrimSpace(out)
}

// post sends a JSON write and returns the status and decoded body.
func (s *serveProcess) post(path, token string, body any) (int, map[string]any, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, s.url+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m, nil
}

func (s *serveProcess) get(path, token string, v any) int {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			s.t.Fatalf("GET %s: decode: %v", path, err)
		}
	}
	return resp.StatusCode
}

// stop ends the service gracefully.
func (s *serveProcess) stop() {
	s.t.Helper()
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			s.t.Fatalf("serve exited with %v after SIGINT", err)
		}
	case <-time.After(20 * time.Second):
		s.t.Fatal("serve did not stop within 20s of SIGINT")
	}
}

// all follows a list's cursors and returns every item's id (or type, for
// timeline entries, which have no id).
func (s *serveProcess) all(path, token string) []string {
	s.t.Helper()
	var ids []string
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for cursor := ""; ; {
		var page struct {
			Items []struct {
				ID      string `json:"id"`
				EventID string `json:"event_id"`
			}
			NextCursor string `json:"next_cursor"`
		}
		if st := s.get(path+sep+"limit=500&cursor="+cursor, token, &page); st != http.StatusOK {
			s.t.Fatalf("GET %s: %d", path, st)
		}
		for _, it := range page.Items {
			ids = append(ids, it.ID+it.EventID)
		}
		if cursor = page.NextCursor; cursor == "" {
			return ids
		}
	}
}
