package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/coachjournal/coachjournal/projections/snapshot"
)

// resumed is an open store and the projections resumed for it, not yet
// following the stream.
type resumed struct {
	store *eventstore.Store
	snaps *snapshot.Store
	views *projections.Set // the snapshot's, or empty (a rebuild from 0)
	last  uint64           // the stream's last sequence at start

	open time.Duration // eventstore.Open and the last sequence
	wait time.Duration // then waiting for the snapshot and checking it
	load time.Duration // reading the snapshot, alongside open
}

// openResumed opens the store and resumes the projections from the
// snapshot in snapDir. The snapshot is read while the store opens (it
// needs only the master key's file, not the server) and checked against
// the stream once that is open: serve and the bench's cold start both
// start this way. The caller closes the store.
func openResumed(ctx context.Context, cfg eventstore.Config, snapDir string, log *slog.Logger) (*resumed, error) {
	start := time.Now()
	key, err := eventstore.SnapshotKeyOf(cfg)
	if err != nil {
		key = nil // no master key yet (first start): Resume reads under the one Open creates
	}
	pending := snapshot.StartLoad(snapDir, key)
	store, err := eventstore.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open event store: %w", err)
	}
	last, err := store.LastSequence(ctx)
	if err != nil {
		store.Close()
		return nil, err
	}
	r := &resumed{store: store, last: last, open: time.Since(start)}
	r.snaps = &snapshot.Store{Dir: snapDir, Key: store.SnapshotKey(), Stream: store.StreamCreated()}
	waited := time.Now()
	r.views = pending.Resume(r.snaps, last, log)
	r.wait, r.load = time.Since(waited), pending.Took()
	return r, nil
}

// startProjections follows the stream from r's projections and keeps the
// snapshot current while serving. stop ends following and, when final is
// set (graceful shutdown), writes the last snapshot.
func startProjections(r *resumed, log *slog.Logger) (stop func(final bool)) {
	keeper := snapshot.NewKeeper(r.snaps, r.views, log)
	followCtx, cancel := context.WithCancel(context.Background())
	followed, kept := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(followed)
		if err := r.store.Follow(followCtx, r.views.Sequence(), keeper.Apply); err != nil {
			log.Error("projection follower stopped", "err", err)
		}
	}()
	go func() { defer close(kept); keeper.Run(followCtx) }()
	return func(final bool) {
		cancel()
		<-followed
		<-kept
		if !final {
			return
		}
		if err := keeper.Save(); err != nil {
			log.Error("projection snapshot not written at shutdown", "err", err)
		}
	}
}
