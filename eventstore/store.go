package eventstore

import (
	"container/list"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Store is the event store of every journal. It is safe for concurrent use,
// and several Stores (in one process or many) may share one stream.
type Store struct {
	cfg          Config
	log          *slog.Logger
	srv          *server.Server // nil when connected to an external server
	nc           *nats.Conn
	js           jetstream.JetStream
	stream       jetstream.Stream
	keys         *keyring
	health       health           // whether writes can be taken (health.go)
	gc           *committer       // group commit (groupcommit.go); nil when off
	audit        *auditIndex      // reads of PIPs (audit.go)
	auditCkpt    *auditCheckpoint // where the index is kept between starts; nil: nowhere (auditcheckpoint.go)
	auditCreated int64            // the AUDIT stream's creation time, Unix ns
	pipReads     readCommitter    // reads waiting for their audit message (audit.go)
	reads        lazyBucket       // the nudges each reader marked read (nudgereads.go)
	prefs        lazyBucket       // each person's nudge preferences (nudgeprefs.go): the same lazily opened bucket
	queue        nudgeQueue       // nudges to deliver (nudgequeue.go)
	org          orgState         // the org structural changes are decided on (org.go)

	mu        sync.Mutex
	journals  map[uuid.UUID]*journalEntry
	verified  verifiedChains // VerifyJournal's memory
	loaded    list.List      // entries whose state was loaded, most recently used first (journal.go)
	evictions uint64

	stop context.CancelFunc
	wg   sync.WaitGroup
}

// Open connects to NATS (or starts the embedded server), creates or
// updates the stream and the key bucket, and builds the read-audit index.
// Errors are plain wrapped errors: Open runs at start-up, not on a request.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	master, err := loadMasterKey(cfg.MasterKeyFile)
	if err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, log: cfg.Logger, journals: map[uuid.UUID]*journalEntry{}}
	s.gc = newCommitter(s)
	if err := s.connect(); err != nil {
		return nil, err
	}
	if s.cfg.Replicas == 0 {
		s.cfg.Replicas = defaultReplicas(s.nc.ConnectedClusterName())
		s.log.Info("stream replicas", "replicas", s.cfg.Replicas, "cluster", s.nc.ConnectedClusterName())
	}
	if err := s.setUp(ctx, master); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// defaultReplicas is the stream's replicas when none are configured: 3 on
// a cluster, so that an acknowledged write is on a quorum (SPEC §2); 1 on
// the embedded server or a lone external one. A cluster of fewer than
// three JetStream servers needs Config.Replicas set.
func defaultReplicas(cluster string) int {
	if cluster != "" {
		return 3
	}
	return 1
}

func (s *Store) connect() error {
	var err error
	opts := []nats.Option{nats.Name("coachjournal"), nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		s.log.Debug("nats", "err", err)
	}),
		// Batch gets (jetstreamext.GetBatch) read through a synchronous
		// subscription, whose channel nats.go makes 64k messages deep by
		// default: 512 KiB allocated and zeroed for every journal loaded,
		// which was a tenth of a bulk import's CPU. No batch get here asks
		// for more than readBatch messages (plus the end-of-batch status).
		nats.SyncQueueLen(2 * readBatch),
	}
	if s.cfg.NATSURL == "" {
		if s.srv, err = startEmbedded(s.cfg.DataDir, s.cfg.NoSync, s.log, s.streamStuck); err != nil {
			return fmt.Errorf("eventstore: start embedded server: %w", err)
		}
		s.nc, err = nats.Connect(s.srv.ClientURL(), append(opts, nats.InProcessServer(s.srv))...)
	} else {
		s.nc, err = nats.Connect(s.cfg.NATSURL, append(opts, s.externalOptions()...)...)
	}
	if err != nil {
		s.shutdownServer()
		return fmt.Errorf("eventstore: connect to NATS: %w", err)
	}
	return nil
}

// externalOptions are the connection options for an external server or
// cluster: credentials, TLS, reconnecting forever, and a first connection
// that retries while the cluster comes up.
func (s *Store) externalOptions() []nats.Option {
	// No reconnect buffer: a publish while disconnected fails at once (503)
	// instead of waiting in a buffer and landing after the caller gave up.
	opts := []nats.Option{nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true), nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { s.log.Warn("nats disconnected", "err", err) }),
		nats.ReconnectHandler(func(nc *nats.Conn) { s.log.Info("nats reconnected", "url", nc.ConnectedUrlRedacted()) })}
	if s.cfg.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(s.cfg.CredsFile))
	}
	if s.cfg.TLSCAFile != "" {
		opts = append(opts, nats.RootCAs(s.cfg.TLSCAFile))
	}
	if s.cfg.TLSCertFile != "" {
		opts = append(opts, nats.ClientCert(s.cfg.TLSCertFile, s.cfg.TLSKeyFile))
	}
	return opts
}

// Connected reports whether the store's NATS connection is up now.
func (s *Store) Connected() bool { return s.nc != nil && s.nc.IsConnected() }

// ConnectedServer names the NATS server the store is connected to now
// (empty while disconnected).
func (s *Store) ConnectedServer() string { return s.nc.ConnectedServerName() }

// Reconnects returns how many times the connection was re-established.
func (s *Store) Reconnects() uint64 { return s.nc.Stats().Reconnects }

// ensureStream creates or updates the stream, retrying until the server
// or cluster answers (a cluster needs its meta leader first) or wait ends.
func (s *Store) ensureStream(ctx context.Context, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.StartupWait)
	defer cancel()
	for {
		attempt, stop := context.WithTimeout(ctx, 5*time.Second)
		st, err := s.js.CreateOrUpdateStream(attempt, cfg)
		stop()
		if err == nil {
			return st, nil
		}
		s.log.Info("waiting for JetStream", "err", err)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (s *Store) setUp(ctx context.Context, master []byte) error {
	var err error
	if s.js, err = jetstream.New(s.nc); err != nil {
		return fmt.Errorf("eventstore: %w", err)
	}
	s.stream, err = s.ensureStream(ctx, jetstream.StreamConfig{
		Name:               s.cfg.Stream,
		Subjects:           []string{AllJournals, OrgMarkerSubject},
		Storage:            jetstream.FileStorage,
		Replicas:           s.cfg.Replicas,
		Duplicates:         min(s.cfg.DuplicateWindow, serverDedupWindow), // idempotency.go
		DenyDelete:         true,
		DenyPurge:          true,
		AllowDirect:        true,
		AllowAtomicPublish: true,
	})
	if err != nil {
		return fmt.Errorf("eventstore: create stream %s with %d replicas: %w", s.cfg.Stream, s.cfg.Replicas, err)
	}
	bg, stop := context.WithCancel(context.Background())
	s.stop = stop
	if s.keys, err = openKeyring(ctx, s.js, master, s.cfg.Replicas, s.log); err != nil {
		return err
	}
	s.wg.Go(func() { s.keys.watch(bg) })
	s.rememberJetStream()
	s.wg.Go(func() { s.watchHealth(bg) })
	return s.ensureAudit(ctx, bg)
}

// Close stops the background work, writes the read-audit checkpoint if
// the index moved, drains the connection and shuts the embedded server
// down, waiting until it has. It always returns nil; the
// error result leaves room for stores that can fail to close.
func (s *Store) Close() error {
	if s.stop != nil {
		s.stop()
	}
	s.wg.Wait()
	s.saveAudit()
	if s.nc != nil {
		if err := s.nc.Drain(); err != nil { // e.g. the server is gone: nothing left to flush
			s.log.Debug("drain", "err", err)
		}
		for i := 0; i < 200 && !s.nc.IsClosed(); i++ {
			time.Sleep(10 * time.Millisecond)
		}
		s.nc.Close()
	}
	s.shutdownServer()
	return nil
}

func (s *Store) shutdownServer() {
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
	}
}

// JetStream returns the store's JetStream context, for tests and tools.
func (s *Store) JetStream() jetstream.JetStream { return s.js }

// Server returns the embedded server, or nil when the store uses an
// external one; other Stores may connect to its ClientURL.
func (s *Store) Server() *server.Server { return s.srv }

// LastSequence returns the stream's last sequence (0 when it is empty).
// Errors: KindUnavailable.
func (s *Store) LastSequence(ctx context.Context) (uint64, error) {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return 0, s.unavailable("stream info", err)
	}
	return info.State.LastSeq, nil
}

// WritableHead returns the stream's last sequence as LastSequence does,
// for readiness: it is also KindUnavailable while a replicated stream has
// no leader (an election under way, or too few of its servers up for
// one). Its replicas still answer what they hold then, but it takes no
// writes.
func (s *Store) WritableHead(ctx context.Context) (uint64, error) {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return 0, s.unavailable("stream info", err)
	}
	if info.Config.Replicas > 1 && (info.Cluster == nil || info.Cluster.Leader == "") {
		return 0, domain.Errorf(domain.KindUnavailable, "the journal stream has no leader (an election, or too few of its servers up)")
	}
	return info.State.LastSeq, nil
}
