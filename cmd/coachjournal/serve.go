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
	fs.IntVar(&f.readCacheMiB, "read-cache-mib", api.DefaultReadCacheBytes>>20, "MiB of encoded scorecards, boards, timeline pages and commitment histories kept for repeated reads, and as much again for rendered pages; 0: no cache")
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
	lock, err := service.LockDataDir(f.dataDir, "serve") // before anything in it is opened
	if err != nil {
		return err
	}
	defer lock.Unlock() // last: after the store is closed and the snapshot written
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
	readCache := int64(f.readCacheMiB) << 20
	if f.readCacheMiB <= 0 {
		readCache = -1 // off
	}
	svc, err := service.Start(ctx, service.Config{Store: cfg, SnapshotDir: snapshot.Dir(f.dataDir), Tokens: tokens, Log: log,
		API: api.Config{Logger: log, Now: now, PseudonymKey: pseudonymKey, Security: security, ReadCacheBytes: readCache, ReadyLag: f.readyLag}})
	if err != nil {
		return err
	}
	defer svc.Close() // after the nudger stopped: writes the final snapshot, closes the store
	store, views := svc.Store, svc.Views
	if srv := store.Server(); srv != nil {
		if err := os.WriteFile(service.URLFile(f.dataDir), []byte(srv.ClientURL()+"\n"), 0o600); err != nil {
			return err
		}
		defer os.Remove(service.URLFile(f.dataDir))
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           svc.Handler,
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
	defer f.nudge.startNudger(ctx, nudgeChannels, store, views, now, base, svc.Registry, log)() // stopped before the store closes
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
