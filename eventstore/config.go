package eventstore

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Config configures a Store. The zero value of every field but DataDir has
// a sensible default.
type Config struct {
	NATSURL         string        // empty: start an embedded nats-server with JetStream under DataDir
	DataDir         string        // embedded store lives in DataDir/jetstream; master key default DataDir/master.key
	Stream          string        // default "JOURNAL"
	Replicas        int           // default (0): 1 on the embedded server or a lone external one, 3 on a cluster; negative is an error
	DuplicateWindow time.Duration // default (0) 24h: how long an idempotency key is remembered; negative is an error
	MasterKeyFile   string        // default DataDir/master.key; created (32 random bytes, hex, mode 0600) if missing
	NoSync          bool          // embedded only: skip the fsync of every write (trades durability for speed)
	NoGroupCommit   bool          // publish every append alone instead of grouping concurrent ones into atomic batches
	JournalCache    int           // journals whose decision state stays loaded; default (0) DefaultJournalCache; negative is an error
	Logger          *slog.Logger  // nil: discard; also receives the embedded server's warnings and errors
	// WriteTimeout bounds one write (Execute) from its arrival to the
	// store's acknowledgement, queueing behind other writes of the journal
	// included; default (0) DefaultWriteTimeout; negative is an error. A
	// write that times out after it was sent is answered with
	// domain.CodeOutcomeUnknown.
	WriteTimeout time.Duration

	// External servers only.
	CredsFile   string        // NATS credentials (JWT + nkey seed) file
	TLSCAFile   string        // CA that signed the servers' certificates
	TLSCertFile string        // client certificate, with TLSKeyFile, for mutual TLS
	TLSKeyFile  string        //
	StartupWait time.Duration // how long Open waits for the cluster to answer; default 60s
}

// Default values of Config.
const (
	DefaultStream          = "JOURNAL"
	DefaultDuplicateWindow = 24 * time.Hour
	// DefaultJournalCache keeps the decision state of the 50,000 journals
	// written most recently: enough for a large org's active journals in
	// a few hundred MB (a journal's state grows with its history; the
	// sizes are in docs/performance.md). A journal dropped is read back
	// from the stream at its next write (BenchmarkExecuteEvicted).
	DefaultJournalCache = 50_000
	KeysBucket          = "JOURNAL_KEYS"
	// DefaultWriteTimeout is a few seconds: a healthy store acknowledges a
	// durable write in milliseconds, so a write still waiting after 5 s is
	// waiting for a store that is gone or full, and the client is better
	// told so (and retries with its idempotency key) than kept waiting.
	DefaultWriteTimeout = 5 * time.Second
)

func (c Config) withDefaults() (Config, error) {
	if c.Stream == "" {
		c.Stream = DefaultStream
	}
	if c.Replicas < 0 {
		return c, fmt.Errorf("eventstore: %d replicas is negative", c.Replicas)
	}
	switch {
	case c.DuplicateWindow < 0:
		return c, fmt.Errorf("eventstore: the idempotency window %s is negative", c.DuplicateWindow)
	case c.DuplicateWindow == 0:
		c.DuplicateWindow = DefaultDuplicateWindow
	}
	switch {
	case c.JournalCache < 0:
		return c, fmt.Errorf("eventstore: the journal cache size %d is negative", c.JournalCache)
	case c.JournalCache == 0:
		c.JournalCache = DefaultJournalCache
	}
	switch {
	case c.WriteTimeout < 0:
		return c, fmt.Errorf("eventstore: the write timeout %s is negative", c.WriteTimeout)
	case c.WriteTimeout == 0:
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.MasterKeyFile == "" {
		if c.DataDir == "" {
			return c, errors.New("eventstore: DataDir or MasterKeyFile is required")
		}
		c.MasterKeyFile = filepath.Join(c.DataDir, "master.key")
	}
	if c.NATSURL == "" && c.DataDir == "" {
		return c, errors.New("eventstore: DataDir is required for the embedded server")
	}
	if c.StartupWait <= 0 {
		c.StartupWait = 60 * time.Second
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		return c, errors.New("eventstore: a TLS client certificate needs both the cert and the key file")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c, nil
}

// StartEmbedded starts a nats-server with JetStream that keeps its files in
// dir/jetstream (the server's own layout) and listens on 127.0.0.1 on a
// random port, without signal handlers or logging. Unless noSync is set,
// every write is fsynced before it is acknowledged.
func StartEmbedded(dir string, noSync bool) (*server.Server, error) {
	return startEmbedded(dir, noSync, nil, nil)
}

// startEmbedded is StartEmbedded with the server's warnings and errors
// going to log (nil: discarded), its notices at debug level, and its debug
// and trace output nowhere; writeErr (may be nil) hears of every critical
// write error the server reports.
func startEmbedded(dir string, noSync bool, log *slog.Logger, writeErr func()) (*server.Server, error) {
	opts := &server.Options{
		ServerName: "coachjournal",
		Host:       "127.0.0.1",
		Port:       -1,
		JetStream:  true,
		StoreDir:   dir,
		SyncAlways: !noSync,
		NoSigs:     true,
		NoLog:      true,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, err
	}
	if log != nil {
		srv.SetLogger(serverLog{log: log.With("component", "nats-server"), writeErr: writeErr}, false, false)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, errors.New("eventstore: embedded nats-server did not start in 10s")
	}
	return srv, nil
}

// serverLog is the embedded server's logger (server.Logger) onto slog.
// NoLog only keeps the server from configuring a logger of its own; this
// one is set after it, so errors such as a disk that is full or read-only
// reach our log instead of vanishing.
//
// It also passes on the one fact the server tells nobody else: a stream
// that failed to write a message ("critical write error": a full disk, a
// file size limit) keeps that error and refuses, without an answer, every
// later write until JetStream reloads it (health.go).
type serverLog struct {
	log      *slog.Logger
	writeErr func() // may be nil
}

func (l serverLog) Noticef(format string, v ...any) { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l serverLog) Warnf(format string, v ...any)   { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l serverLog) Fatalf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l serverLog) Debugf(string, ...any)           {}
func (l serverLog) Tracef(string, ...any)           {}

func (l serverLog) Errorf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	l.log.Error(msg)
	if l.writeErr != nil && strings.Contains(strings.ToLower(msg), "critical write error") {
		l.writeErr()
	}
}
