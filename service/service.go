// Package service assembles the running coachjournal in process: it locks
// the data dir, opens the event store, resumes the projections from their
// snapshot, follows the stream, keeps the snapshot current (the Keeper is
// the projections' runner) and builds the API over them. serve, the
// offline commands, the bench and the tests' in-process service
// (api/apitest) all start coachjournal through this package, and nothing
// else opens the store.
package service

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/prometheus/client_golang/prometheus"
)

// Config is what Start needs.
type Config struct {
	Store eventstore.Config
	// SnapshotDir holds the projections' snapshot (snapshot.Dir of the
	// data dir in serve); empty, the projections are rebuilt from the
	// stream and no snapshot is kept (the bench).
	SnapshotDir string
	Tokens      *api.Tokens
	// API configures the router; a nil API.Registry gets a new registry,
	// and the store's metrics join it either way.
	API api.Config
	Log *slog.Logger // default: discard
	// Hold, when set, stops the projections while it is held for writing
	// (tests: a replica that has fallen behind).
	Hold *sync.RWMutex
}

// Service is coachjournal running in this process.
type Service struct {
	Store    *eventstore.Store
	Views    *projections.Set
	Handler  http.Handler
	Registry *prometheus.Registry
	// FollowedFrom is the sequence the projections resumed after: the
	// snapshot's, or 0 when they were rebuilt.
	FollowedFrom uint64
	stop         func(final bool) error
	stopWarm     func() // ends the chain pass (warmChains) and waits for it
}

// Start opens the store, resumes and starts the projections, waits until
// they have applied the stream as it was at start (so the first reads
// are complete), builds the API, and starts the chain pass in the
// background (warmChains). The caller ends it with Close.
func Start(ctx context.Context, cfg Config) (*Service, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r, err := OpenResumed(ctx, cfg.Store, cfg.SnapshotDir, log)
	if err != nil {
		return nil, err
	}
	s := &Service{Store: r.Store, Views: r.Views, FollowedFrom: r.Views.Sequence()}
	s.stop = StartProjections(r, log, cfg.Hold)
	if err := CatchUp(ctx, s.Store, s.Views); err != nil {
		s.Close()
		return nil, err
	}
	s.Registry = cfg.API.Registry
	if s.Registry == nil {
		s.Registry = prometheus.NewRegistry()
	}
	s.Registry.MustRegister(storeCollectors(s.Store)...)
	apiCfg := cfg.API
	apiCfg.Registry = s.Registry
	if apiCfg.Logger == nil {
		apiCfg.Logger = log
	}
	s.Handler = api.New(s.Store, s.Views, cfg.Tokens, apiCfg)
	s.stopWarm = warmChains(s.Store, log)
	return s, nil
}

// warmChains folds the org (eventstore.Store.WarmOrg), so that the first
// structural write after a start does not wait for it, then verifies
// every journal's hash chain once (eventstore.Store.WarmChains), so that
// the first view of a PIP page does not read its journal from the
// stream, in the background; it logs what it found, a broken chain as an
// error. It returns a func that ends the pass and waits for it.
func warmChains(store *eventstore.Store, log *slog.Logger) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t0 := time.Now()
		if n, err := store.WarmOrg(ctx); err == nil {
			log.Info("org folded at start", "people", n, "took", time.Since(t0).Round(time.Millisecond))
		} else if ctx.Err() == nil {
			log.Warn("org fold at start failed: the first structural write folds it", "err", err)
		}
		t0 = time.Now()
		r, err := store.WarmChains(ctx)
		switch {
		case ctx.Err() != nil:
		case err != nil:
			log.Warn("chain pass at start did not finish: PIP pages verify their journal on their first view", "err", err)
		default:
			for _, b := range r.Broken {
				log.Error("hash chain broken", "person_id", b.PersonID, "sequence", b.Sequence, "reason", b.Reason)
			}
			log.Info("chains verified at start", "journals", r.Journals, "events", r.Events, "broken", len(r.Broken), "took", time.Since(t0).Round(time.Millisecond))
		}
	}()
	return func() { cancel(); <-done }
}

// Close stops following, writes the final snapshot and closes the store;
// it returns the first error of those.
func (s *Service) Close() error {
	if s.stopWarm != nil {
		s.stopWarm()
	}
	err := s.stop(true)
	if cerr := s.Store.Close(); err == nil {
		err = cerr
	}
	return err
}

// storeCollectors are the store's own metrics.
func storeCollectors(store *eventstore.Store) []prometheus.Collector {
	return []prometheus.Collector{
		newGroupCommitCollector(store.GroupCommitStats),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "coachjournal_read_audit_messages_total", Help: "Messages of PIP reads this replica stored on the read audit (each an fsync)."},
			func() float64 { n, _ := store.ReadAuditStats(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "coachjournal_read_audit_reads_total", Help: "PIP reads this replica stored on the read audit."},
			func() float64 { _, n := store.ReadAuditStats(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "coachjournal_nats_reconnects_total", Help: "Times the NATS connection was re-established."},
			func() float64 { return float64(store.Reconnects()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "coachjournal_journal_cache_journals", Help: "Journals whose decision state is in memory (bounded by --journal-cache)."},
			func() float64 { n, _ := store.JournalCacheStats(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "coachjournal_journal_cache_evictions_total", Help: "Journals whose decision state was dropped for the bound (read back at their next write)."},
			func() float64 { _, n := store.JournalCacheStats(); return float64(n) }),
	}
}
