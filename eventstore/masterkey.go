package eventstore

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// loadMasterKey reads the hex master key from path, creating it first when
// it does not exist. Creation writes a private temporary file (created with
// O_EXCL, mode 0600), syncs it and links it into place, which fails if the
// file appeared meanwhile: two processes starting at once agree on one key
// and no reader ever sees a half-written one.
func loadMasterKey(path string) ([]byte, error) {
	key, err := readMasterKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := createMasterKey(path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("eventstore: create master key: %w", err)
	}
	return readMasterKey(path)
}

func readMasterKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("eventstore: master key %s must hold 64 hex digits", path)
	}
	return key, nil
}

func createMasterKey(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	tmp, err := syncedTemp(dir, ".master.key-*", []byte(hex.EncodeToString(key)+"\n"))
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil { // never over an existing key
		return err
	}
	syncDir(dir)
	return nil
}

// syncedTemp writes data to a new file in dir (os.CreateTemp's pattern:
// O_EXCL, mode 0600), synced and closed, and returns its name; the caller
// links or renames it into place, then syncs dir, and removes the name.
func syncedTemp(dir, pattern string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// syncDir makes a link or rename in dir durable; a failure is ignored, as
// some file systems cannot sync a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
