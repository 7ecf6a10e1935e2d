package eventstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"

	"github.com/coachjournal/coachjournal/eventstore"
)

// The embedded server's warnings and errors (a full or read-only disk is
// reported only there) reach the store's log; its notices stay below info.
func TestEmbeddedServerLogs(t *testing.T) {
	var out syncBuffer
	s := mustOpen(t, eventstore.Config{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(&out, nil))})
	s.Server().Errorf("JetStream out of %s resources, will be DISABLED", "file")
	s.Server().Warnf("Filesystem permission denied while writing msg")
	s.Server().Noticef("a notice")
	for _, want := range []string{
		`level=ERROR msg="JetStream out of file resources, will be DISABLED" component=nats-server`,
		`level=WARN msg="Filesystem permission denied while writing msg" component=nats-server`,
	} {
		if out.count(want) != 1 {
			t.Errorf("log lacks %s", want)
		}
	}
	if out.count("a notice")+out.count("Starting nats-server") > 0 {
		t.Errorf("the server's notices reach the info log")
	}
}

// writeErrorChild marks the child process TestWriteErrorRecovers runs in.
const writeErrorChild = "COACHJOURNAL_TEST_WRITE_ERROR_CHILD"

// A write the server fails to store (here a file size limit; on a full
// disk, "no space left on device") leaves the stream refusing, without an
// answer, every later write until JetStream reloads it. Writes answer
// within the write timeout meanwhile, Writable says the store cannot take
// them, and once the limit is lifted the store reloads JetStream by itself
// and writes succeed again, without a restart.
//
// A file size limit is the whole process's, so the test runs in a child
// process of the test binary: under the limit in the test's own process,
// go test's log of the files a test opens (kept for its cache, and past
// 32 KiB by then) could not be written, and `go test ./...` failed the
// package although every test passed.
func TestWriteErrorRecovers(t *testing.T) {
	if os.Getenv(writeErrorChild) != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestWriteErrorRecovers$", "-test.v")
		cmd.Env = append(os.Environ(), writeErrorChild+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestWriteErrorRecovers") {
			t.Fatalf("the test's process: %v\n%s", err, out)
		}
		t.Logf("the test's process:\n%s", out)
		return
	}
	signal.Ignore(syscall.SIGXFSZ) // a write past the limit fails with EFBIG instead of killing the process
	t.Cleanup(func() { signal.Reset(syscall.SIGXFSZ) })
	const timeout = time.Second
	s := mustOpen(t, eventstore.Config{DataDir: t.TempDir(), WriteTimeout: timeout})
	id := register(t, s, "Ana", "ana@example.com")
	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Fatal(err)
	}
	lift := func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(lift)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 32 << 10, Max: limit.Max}); err != nil {
		t.Fatal(err)
	}
	write := func(n int) (time.Duration, error) {
		start := time.Now()
		_, err := s.Execute(context.Background(), domain.Write{PersonID: id, Command: domain.UpdatePerson{Title: ptr(fmt.Sprintf("Account Executive %d", n))}, Meta: meta()})
		return time.Since(start), err
	}
	n := 0
	for ; ; n++ {
		took, err := write(n)
		if err != nil {
			t.Logf("write %d failed after %s: %v", n, took, err)
			if domain.KindOf(err) != domain.KindUnavailable || took > 2*timeout+2*time.Second {
				t.Fatalf("a write the disk refused: %v after %s, want unavailable within the write timeout %s", err, took, timeout)
			}
			break
		}
		if n > 10_000 {
			t.Fatal("the file size limit never refused a write")
		}
	}
	if err := s.Writable(); err == nil {
		t.Error("Writable is nil after a write the disk refused")
	}

	lift()
	lifted := time.Now()
	for {
		n++
		_, err := write(n)
		if err == nil {
			break
		}
		if time.Since(lifted) > 30*time.Second {
			t.Fatalf("writes did not recover within 30s of the limit lifted: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("writes recovered %s after the limit was lifted", time.Since(lifted))
	for s.Writable() != nil {
		if time.Since(lifted) > 30*time.Second {
			t.Fatalf("Writable still %v 30s after the limit was lifted", s.Writable())
		}
		time.Sleep(200 * time.Millisecond)
	}
}
