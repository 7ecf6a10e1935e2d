package service

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/coachjournal/coachjournal/projections/snapshot"
)

// Resumed is an open store and the projections Resumed for it, not yet
// following the stream.
type Resumed struct {
	Store *eventstore.Store
	Snaps *snapshot.Store
	Views *projections.Set // the snapshot's, or empty (a rebuild from 0)
	Last  uint64           // the stream's last sequence at start

	OpenTime time.Duration // eventstore.Open and the last sequence
	WaitTime time.Duration // then waiting for the snapshot and checking it
	LoadTime time.Duration // reading the snapshot, alongside open
}

// OpenResumed opens the store and resumes the projections from the
// snapshot in snapDir. The snapshot is read while the store opens (it
// needs only the master key's file, not the server) and checked against
// the stream once that is open: serve and the bench's cold start both
// start this way. An empty snapDir keeps no snapshot: the projections are
// rebuilt from the stream (the bench's measured service). The caller
// closes the store.
func OpenResumed(ctx context.Context, cfg eventstore.Config, snapDir string, log *slog.Logger) (*Resumed, error) {
	if snapDir == "" {
		return openRebuilt(ctx, cfg)
	}
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
	r := &Resumed{Store: store, Last: last, OpenTime: time.Since(start)}
	r.Snaps = &snapshot.Store{Dir: snapDir, Key: store.SnapshotKey(), Stream: store.StreamCreated()}
	waited := time.Now()
	r.Views = pending.Resume(r.Snaps, last, log)
	r.WaitTime, r.LoadTime = time.Since(waited), pending.Took()
	return r, nil
}

// openRebuilt opens the store with empty projections and no snapshot.
func openRebuilt(ctx context.Context, cfg eventstore.Config) (*Resumed, error) {
	start := time.Now()
	store, err := eventstore.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open event store: %w", err)
	}
	last, err := store.LastSequence(ctx)
	if err != nil {
		store.Close()
		return nil, err
	}
	return &Resumed{Store: store, Views: projections.NewSet(), Last: last, OpenTime: time.Since(start)}, nil
}

// StartProjections follows the stream from r's projections and keeps the
// snapshot current while serving. stop ends following and, when final is
// set (graceful shutdown), writes the last snapshot and returns its error. hold, when not nil,
// is taken for reading around every event applied: whoever holds it for
// writing stops the projections, as a replica that has fallen behind.
func StartProjections(r *Resumed, log *slog.Logger, hold *sync.RWMutex) (stop func(final bool) error) {
	var keeper *Keeper
	apply := r.Views.Apply
	if r.Snaps != nil {
		keeper = NewKeeper(r.Snaps, r.Views, log)
		apply = keeper.Apply
	}
	if hold != nil {
		next := apply
		apply = func(seq uint64, e domain.Event, err error) {
			hold.RLock()
			defer hold.RUnlock()
			next(seq, e, err)
		}
	}
	followCtx, cancel := context.WithCancel(context.Background())
	followed, kept := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(followed)
		if err := r.Store.Follow(followCtx, r.Views.Sequence(), apply); err != nil {
			log.Error("projection follower stopped", "err", err)
		}
	}()
	go func() {
		defer close(kept)
		if keeper != nil {
			keeper.Run(followCtx)
		}
	}()
	return func(final bool) error {
		cancel()
		<-followed
		<-kept
		if !final || keeper == nil {
			return nil
		}
		if err := keeper.Save(); err != nil {
			log.Error("projection snapshot not written at shutdown", "err", err)
			return fmt.Errorf("projection snapshot: %w", err)
		}
		return nil
	}
}

// CatchUp waits until the projections have applied the whole stream as it
// was at start, so that the first reads are complete.
func CatchUp(ctx context.Context, store *eventstore.Store, views *projections.Set) error {
	last, err := store.LastSequence(ctx)
	if err != nil {
		return err
	}
	return views.WaitFor(ctx, last)
}
