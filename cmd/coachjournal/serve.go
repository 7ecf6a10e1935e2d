package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/demo"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/projections/snapshot"
	"github.com/coachjournal/coachjournal/service"
	"github.com/prometheus/client_golang/prometheus"
)

// serveFlags are serve's own flags.
type serveFlags struct {
	storeFlags
	addr         string
	demo         bool
	readCacheMiB int
	readyLag     uint64
	nudge        nudgeFlags    // nudge_flags.go
	sec          securityFlags // security_flags.go
}

// serve runs the API until ctx ends, then shuts down gracefully: stop
// accepting, finish in-flight requests, close the store.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var f serveFlags
	f.register(fs)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "HTTP listen address")
	fs.BoolVar(&f.demo, "demo", false, "seed a demo organisation into an empty store and print tokens")
	fs.IntVar(&f.readCacheMiB, "read-cache-mib", api.DefaultReadCacheBytes>>20, "MiB of encoded scorecards, boards, timeline pages and commitment histories kept for repeated reads; 0: no cache")
	fs.Uint64Var(&f.readyLag, "ready-lag", api.DefaultReadyLag, "stream sequences the projections may trail before /readyz answers 503")
	var nowAt string
	fs.StringVar(&nowAt, "now", "", "run the clock as if it were this RFC 3339 time at start, advancing in real time (demos, tests); empty: the real clock")
	f.sec.register(fs)
	f.nudge.register(fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	nudgeChannels, err := f.nudge.channels() // nudge_flags.go: refused before anything starts
	if err != nil {
		return err
	}
	now, err := clock.Parse(nowAt)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	lock, err := lockDataDir(f.dataDir, "serve") // before anything in it is opened: datadir_lock.go
	if err != nil {
		return err
	}
	defer lock.unlock() // last: after the store is closed and the snapshot written
	key, err := api.LoadOrCreateKey(f.signingKeyFile())
	if err != nil {
		return err
	}
	tokens, err := api.NewTokens(key)
	if err != nil {
		return err
	}
	if err := tokens.UseIdentityProvider(f.sec.tokenOptions()); err != nil {
		return err
	}
	security, err := f.sec.security()
	if err != nil {
		return err
	}
	pseudonymKey, err := api.LoadOrCreateKey(f.pseudonymKeyFile())
	if err != nil {
		return err
	}
	cfg := f.config()
	cfg.Logger = log
	started, err := service.OpenResumed(ctx, cfg, snapshot.Dir(f.dataDir), log)
	if err != nil {
		return err
	}
	store, views := started.Store, started.Views
	defer store.Close()
	if srv := store.Server(); srv != nil {
		if err := os.WriteFile(f.urlFile(), []byte(srv.ClientURL()+"\n"), 0o600); err != nil {
			return err
		}
		defer os.Remove(f.urlFile())
	}

	stopProjections := service.StartProjections(started, log)
	defer stopProjections(true) // before store.Close: writes the final snapshot
	if err := service.CatchUp(ctx, store, views); err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(newGroupCommitCollector(store.GroupCommitStats),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "coachjournal_nats_reconnects_total", Help: "Times the NATS connection was re-established."},
			func() float64 { return float64(store.Reconnects()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "coachjournal_journal_cache_journals", Help: "Journals whose decision state is in memory (bounded by --journal-cache)."},
			func() float64 { n, _ := store.JournalCacheStats(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "coachjournal_journal_cache_evictions_total", Help: "Journals whose decision state was dropped for the bound (read back at their next write)."},
			func() float64 { _, n := store.JournalCacheStats(); return float64(n) }))
	readCache := int64(f.readCacheMiB) << 20
	if f.readCacheMiB <= 0 {
		readCache = -1 // off
	}
	handler := api.New(store, views, tokens, api.Config{Logger: log, Now: now, PseudonymKey: pseudonymKey, Security: security, Registry: reg,
		ReadCacheBytes: readCache, ReadyLag: f.readyLag})
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- f.sec.serveOn(srv, ln) }()
	base := f.sec.scheme() + "://" + ln.Addr().String()
	log.Info("serving", "url", base, "data_dir", f.dataDir)
	defer f.nudge.startNudger(ctx, nudgeChannels, store, views, now, base, reg, log)() // stopped before the store closes
	if f.demo {
		if err := demo.Run(ctx, store, views, tokens, now, base, stdout); err != nil {
			log.Error("demo seeding failed", "err", err)
		}
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
