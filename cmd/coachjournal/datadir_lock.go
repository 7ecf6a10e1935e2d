package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// One process owns a data dir (SPEC §4): two embedded servers writing one
// store lose acknowledged writes, and two serves writing one snapshot
// directory can leave a snapshot ahead of the stream. Every command that
// opens a data dir takes an exclusive flock(2) on DATA_DIR/coachjournal.lock
// before it opens anything else there, and holds it until it exits; the
// kernel releases it when the process dies, so a killed process leaves no
// stale lock. The file itself is never removed (removing it would let two
// processes lock two different files of the same name); it holds the
// holder's name and pid, so that a second process can say who it is.
//
// Who locks:
//   - serve, always: embedded, the store; with --nats, its snapshot
//     directory (each API replica has its own data dir, as in
//     docker-compose.yml).
//   - verify and export without --nats: they open the embedded store
//     themselves, so they lock like serve. While a serve holds the lock
//     they share its store safely by joining its embedded server (the URL
//     it publishes in DATA_DIR/nats.url) instead of opening the files; a
//     shared flock would not make two embedded servers safe, so there is no
//     read-only sharing of the files themselves.
//   - verify and export with --nats: no lock; they read only the key files,
//     which are created once (O_EXCL) and never rewritten.
//   - token: no lock; it reads only the signing key (created O_EXCL, so a
//     token racing a first serve agree on one key) and must work while
//     serve runs.
//   - bench: no --data-dir; it opens only directories it creates itself
//     (os.MkdirTemp), which no other process is pointed at.
const lockFileName = "coachjournal.lock"

// dirLock is a process's exclusive hold on a data dir.
type dirLock struct{ fl *flock.Flock }

// holder is the process that holds a data dir's lock.
type holder struct {
	command string // the coachjournal command: "serve", "export", …
	pid     int
}

func (h holder) String() string {
	if h.command == "" {
		return "another process (it has not written its name yet)"
	}
	return fmt.Sprintf("coachjournal %s, pid %d", h.command, h.pid)
}

// inUseError is the answer to a lock on a data dir another process holds.
type inUseError struct {
	dir    string
	holder holder
	hint   string // what to do instead, if anything
}

func (e *inUseError) Error() string {
	msg := fmt.Sprintf("data dir %s is in use by %s", e.dir, e.holder)
	if e.hint != "" {
		msg += "; " + e.hint
	}
	return msg
}

// lockDataDir creates dir if needed and takes its exclusive lock for
// command, without waiting: a lock another process holds answers an
// *inUseError naming it.
func lockDataDir(dir, command string) (*dirLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, lockFileName)
	fl := flock.New(path)
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock data dir %s: %w", dir, err)
	}
	if !ok {
		return nil, &inUseError{dir: dir, holder: readHolder(path)}
	}
	// Rewriting the file in place keeps its inode, and so the lock.
	me := fmt.Sprintf("coachjournal %s, pid %d\n", command, os.Getpid())
	if err := os.WriteFile(path, []byte(me), 0o600); err != nil {
		_ = fl.Unlock()
		return nil, fmt.Errorf("lock data dir %s: %w", dir, err)
	}
	return &dirLock{fl: fl}, nil
}

// unlock releases the lock (exiting does too).
func (l *dirLock) unlock() { _ = l.fl.Unlock() }

// readHolder reads who holds the lock at path. The holder writes its name
// just after it takes the lock, so an empty file is read again for a
// moment before giving up.
func readHolder(path string) holder {
	for range 20 {
		b, _ := os.ReadFile(path)
		if h, ok := parseHolder(string(b)); ok {
			return h
		}
		time.Sleep(25 * time.Millisecond)
	}
	return holder{}
}

// parseHolder reads "coachjournal serve, pid 1234".
func parseHolder(s string) (holder, bool) {
	name, pid, ok := strings.Cut(strings.TrimSpace(s), ", pid ")
	command, found := strings.CutPrefix(name, "coachjournal ")
	n, err := strconv.Atoi(pid)
	if !ok || !found || err != nil {
		return holder{}, false
	}
	return holder{command: command, pid: n}, true
}
