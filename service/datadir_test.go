package service

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestLockDataDir: the lock names its holder to a second taker (another
// open file, as another process has), the file outlives the lock, and an
// unlocked dir can be taken again.
func TestLockDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	lock, err := LockDataDir(dir, "serve")
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockDataDir(dir, "export")
	var inUse *InUseError
	if !errors.As(err, &inUse) || inUse.Holder != (Holder{Command: "serve", PID: os.Getpid()}) {
		t.Fatalf("second lock: %v, want in use by serve, pid %d", err, os.Getpid())
	}
	lock.Unlock()
	if _, err := os.Stat(filepath.Join(dir, lockFileName)); err != nil {
		t.Errorf("the lock file went with the lock: %v", err)
	}
	again, err := LockDataDir(dir, "export")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again.Unlock()
	if h, ok := parseHolder("coachjournal export, pid 42\n"); !ok || h != (Holder{Command: "export", PID: 42}) {
		t.Errorf("parseHolder = %v %v", h, ok)
	}
	if _, ok := parseHolder(""); ok {
		t.Error("parseHolder accepted an empty file")
	}
}
