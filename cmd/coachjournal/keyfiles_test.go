package main

import (
	"os"
	"path/filepath"
	"testing"
)

// A first start creates its keys readable by its own user alone (SPEC §2,
// §5: mode 0600): the master key wrapping every person's data key, the
// token signing key and the pseudonym key.
func TestKeyFilesPrivate(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service")
	}
	dir := t.TempDir()
	svc := startService(t, dir)
	defer svc.stop()
	for _, name := range []string{"master.key", "signing.key", "pseudonym.key"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", name, mode)
		}
	}
}
