package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/eventstore"
)

// storeFlags are the flags of every command that opens the event store.
type storeFlags struct {
	dataDir        string
	natsURL        string
	natsCreds      string
	tlsCA          string
	tlsCert        string
	tlsKey         string
	stream         string
	replicas       int
	noSync         bool
	noGroupCommit  bool
	signingKeyPath string
	masterKeyPath  string
	idemWindow     time.Duration
	journalCache   int
	writeTimeout   time.Duration
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dataDir, "data-dir", "./data", "directory of the embedded store, keys and snapshots")
	fs.StringVar(&f.natsURL, "nats", "", "external NATS server or cluster URL(s), comma-separated; empty: embedded server")
	fs.StringVar(&f.stream, "stream", "JOURNAL", "JetStream stream name")
	fs.IntVar(&f.replicas, "replicas", 0, "stream and key-bucket replicas (0: 3 on a cluster, 1 on the embedded or a lone server)")
	fs.BoolVar(&f.noSync, "no-sync", false, "embedded only: do not fsync every write (faster, may lose acknowledged writes on power loss)")
	fs.DurationVar(&f.idemWindow, "idempotency-window", eventstore.DefaultDuplicateWindow, "how long an Idempotency-Key is remembered (the dedup window; 0: the default)")
	fs.IntVar(&f.journalCache, "journal-cache", eventstore.DefaultJournalCache, "journals whose decision state stays in memory (least recently written dropped first, read back at their next write)")
	fs.DurationVar(&f.writeTimeout, "write-timeout", eventstore.DefaultWriteTimeout, "how long a write waits for the store before it answers 503 (outcome_unknown when it was sent: retry with the same Idempotency-Key)")
	fs.BoolVar(&f.noGroupCommit, "no-group-commit", false, "publish every write alone instead of grouping concurrent writes to different journals into atomic batches")
	fs.StringVar(&f.natsCreds, "nats-creds", "", "NATS credentials file (external servers)")
	fs.StringVar(&f.tlsCA, "nats-tls-ca", "", "CA certificate file for TLS to NATS")
	fs.StringVar(&f.tlsCert, "nats-tls-cert", "", "client certificate file for mutual TLS to NATS")
	fs.StringVar(&f.tlsKey, "nats-tls-key", "", "client key file for mutual TLS to NATS")
	fs.StringVar(&f.signingKeyPath, "signing-key-file", "", "token signing key file, shared by replicas (default DATA_DIR/signing.key; created 0600 if missing)")
	fs.StringVar(&f.masterKeyPath, "master-key-file", "", "master key file wrapping the per-person data keys, shared by replicas (default DATA_DIR/master.key; created 0600 if missing)")
}

func (f *storeFlags) config() eventstore.Config {
	return eventstore.Config{
		NATSURL: f.natsURL, DataDir: f.dataDir, Stream: f.stream, Replicas: f.replicas, NoSync: f.noSync, NoGroupCommit: f.noGroupCommit,
		DuplicateWindow: f.idemWindow, JournalCache: f.journalCache, WriteTimeout: f.writeTimeout, MasterKeyFile: f.masterKeyPath,
		CredsFile: f.natsCreds, TLSCAFile: f.tlsCA, TLSCertFile: f.tlsCert, TLSKeyFile: f.tlsKey,
	}
}

func (f *storeFlags) signingKeyFile() string {
	if f.signingKeyPath != "" {
		return f.signingKeyPath
	}
	return filepath.Join(f.dataDir, "signing.key")
}

// parse parses args after applying COACHJOURNAL_* environment variables as
// defaults: a flag given on the command line wins.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	var bad []string
	fs.VisitAll(func(f *flag.Flag) {
		env := "COACHJOURNAL_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if err := fs.Set(f.Name, v); err != nil {
				bad = append(bad, fmt.Sprintf("%s: %v", env, err))
			}
		}
	})
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitCode(0)
		}
		return exitCode(2)
	}
	return nil
}
