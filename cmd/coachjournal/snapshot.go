package main

import (
	"context"
	"log/slog"

	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/coachjournal/coachjournal/projections/snapshot"
)

// startProjections resumes the projections from the data dir's snapshot
// (or rebuilds them from sequence 0 when it cannot be used), follows the
// stream from there and keeps the snapshot current while serving. stop
// ends following and writes the final snapshot (graceful shutdown).
func startProjections(ctx context.Context, store *eventstore.Store, dataDir string, log *slog.Logger) (*projections.Set, func(), error) {
	last, err := store.LastSequence(ctx)
	if err != nil {
		return nil, nil, err
	}
	snaps := &snapshot.Store{Dir: snapshot.Dir(dataDir), Key: store.SnapshotKey(), Stream: store.StreamCreated()}
	views := snapshot.Resume(snaps, last, log)
	keeper := snapshot.NewKeeper(snaps, views, log)
	followCtx, cancel := context.WithCancel(context.Background())
	followed, kept := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(followed)
		if err := store.Follow(followCtx, views.Sequence(), keeper.Apply); err != nil {
			log.Error("projection follower stopped", "err", err)
		}
	}()
	go func() { defer close(kept); keeper.Run(followCtx) }()
	stop := func() {
		cancel()
		<-followed
		<-kept
		if err := keeper.Save(); err != nil {
			log.Error("projection snapshot not written at shutdown", "err", err)
		}
	}
	return views, stop, nil
}
