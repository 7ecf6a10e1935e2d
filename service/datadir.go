package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/gofrs/flock"
	"github.com/nats-io/nats.go"
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

// DirLock is a process's exclusive hold on a data dir.
type DirLock struct{ fl *flock.Flock }

// Holder is the process that holds a data dir's lock.
type Holder struct {
	Command string // the coachjournal command: "serve", "export", …
	PID     int
}

func (h Holder) String() string {
	if h.Command == "" {
		return "another process (it has not written its name yet)"
	}
	return fmt.Sprintf("coachjournal %s, pid %d", h.Command, h.PID)
}

// InUseError is the answer to a lock on a data dir another process holds.
type InUseError struct {
	Dir    string
	Holder Holder
	Hint   string // what to do instead, if anything
}

func (e *InUseError) Error() string {
	msg := fmt.Sprintf("data dir %s is in use by %s", e.Dir, e.Holder)
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// LockDataDir creates dir if needed and takes its exclusive lock for
// command, without waiting: a lock another process holds answers an
// *InUseError naming it.
func LockDataDir(dir, command string) (*DirLock, error) {
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
		return nil, &InUseError{Dir: dir, Holder: readHolder(path)}
	}
	// Rewriting the file in place keeps its inode, and so the lock.
	me := fmt.Sprintf("coachjournal %s, pid %d\n", command, os.Getpid())
	if err := os.WriteFile(path, []byte(me), 0o600); err != nil {
		_ = fl.Unlock()
		return nil, fmt.Errorf("lock data dir %s: %w", dir, err)
	}
	return &DirLock{fl: fl}, nil
}

// Unlock releases the lock (exiting does too).
func (l *DirLock) Unlock() { _ = l.fl.Unlock() }

// readHolder reads who holds the lock at path. The holder writes its name
// just after it takes the lock, so an empty file is read again for a
// moment before giving up.
func readHolder(path string) Holder {
	for range 20 {
		b, _ := os.ReadFile(path)
		if h, ok := parseHolder(string(b)); ok {
			return h
		}
		time.Sleep(25 * time.Millisecond)
	}
	return Holder{}
}

// parseHolder reads "coachjournal serve, pid 1234".
func parseHolder(s string) (Holder, bool) {
	name, pid, ok := strings.Cut(strings.TrimSpace(s), ", pid ")
	command, found := strings.CutPrefix(name, "coachjournal ")
	n, err := strconv.Atoi(pid)
	if !ok || !found || err != nil {
		return Holder{}, false
	}
	return Holder{Command: command, PID: n}, true
}

// URLFile is where a running serve publishes its embedded server's URL, so
// that the offline commands (verify, export) use it instead of opening the
// same store.
func URLFile(dataDir string) string { return filepath.Join(dataDir, "nats.url") }

// OpenTool opens the store for an offline command ("verify", "export").
// With cfg.NATSURL set it locks nothing. Else it locks the data dir and
// opens the store itself, or, when a serve holds the lock, joins that
// serve's embedded server. Any other holder, or a serve whose server does
// not answer, is an *InUseError naming it. release closes the store and
// ends the lock, if one was taken.
func OpenTool(ctx context.Context, cfg eventstore.Config, command string) (store *eventstore.Store, release func(), err error) {
	unlock := func() {}
	if cfg.NATSURL == "" {
		lock, err := LockDataDir(cfg.DataDir, command)
		var inUse *InUseError
		switch {
		case err == nil:
			unlock = lock.Unlock // a nats.url left here is a killed serve's: not ours to trust
		case !errors.As(err, &inUse) || inUse.Holder.Command != "serve":
			return nil, nil, err
		default:
			url, ok := servingURL(cfg.DataDir)
			if !ok {
				inUse.Hint = "its embedded server does not answer (still starting, or serving --nats: pass the same --nats)"
				return nil, nil, inUse
			}
			cfg.NATSURL = url
		}
	}
	store, err = eventstore.Open(ctx, cfg)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return store, func() { store.Close(); unlock() }, nil
}

// servingURL is the URL the serve holding the lock published, if its
// server answers.
func servingURL(dataDir string) (string, bool) {
	b, err := os.ReadFile(URLFile(dataDir))
	if err != nil {
		return "", false
	}
	url := strings.TrimSpace(string(b))
	nc, err := nats.Connect(url, nats.Timeout(500*time.Millisecond), nats.NoReconnect())
	if err != nil {
		return "", false
	}
	nc.Close()
	return url, true
}
