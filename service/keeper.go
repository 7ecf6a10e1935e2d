package service

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/coachjournal/coachjournal/projections/snapshot"
)

// The default write policy of a Keeper.
const (
	DefaultEvery  = 10_000
	DefaultMinGap = 30 * time.Second
)

// Keeper is the projections' runner: it applies the events the store's
// follower hands it to a Set and rewrites the Set's snapshot by policy.
type Keeper struct {
	store  *snapshot.Store
	views  *projections.Set
	log    *slog.Logger
	Every  uint64        // events since the last write that call for a new one
	MinGap time.Duration // at least this long between policy writes

	erased chan struct{} // a person.erased was applied

	mu      sync.Mutex // one write at a time
	savedAt time.Time
	saved   uint64 // the sequence the file on disk covers
}

// NewKeeper returns a Keeper of views, whose snapshot on disk (if any)
// covers views' current sequence.
func NewKeeper(st *snapshot.Store, views *projections.Set, log *slog.Logger) *Keeper {
	return &Keeper{store: st, views: views, log: log, Every: DefaultEvery, MinGap: DefaultMinGap,
		erased: make(chan struct{}, 1), savedAt: time.Now(), saved: views.Sequence()}
}

// Apply applies one event to the Set (its signature is Follow's handler).
// A person.erased first removes the snapshot file, which holds that
// person's text in clear under a key the master key yields: it is gone
// before the Set shows the erasure, so before the erasure is answered
// (read-your-writes waits for the Set). Run then writes a new one at once;
// a crash before it costs a rebuild from the stream at the next start.
func (k *Keeper) Apply(seq uint64, e domain.Event, err error) {
	erasure := err == nil && e.Type == domain.TypePersonErased
	if erasure {
		k.mu.Lock() // after a write in progress, which may hold the text
		if rerr := k.store.Remove(); rerr != nil {
			k.log.Error("projection snapshot not removed after an erasure", "err", rerr)
		}
		k.saved = 0 // nothing on disk: the next Save writes
		k.mu.Unlock()
	}
	k.views.Apply(seq, e, err)
	if erasure {
		select {
		case k.erased <- struct{}{}:
		default: // a write is already due
		}
	}
}

// Run writes snapshots until ctx ends: after an erasure at once, else when
// Every events were applied since the last write and MinGap has passed.
// It does not write on exit: call Save after the follower stopped.
func (k *Keeper) Run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-k.erased:
			k.save("erasure")
		case <-tick.C:
			if k.due() {
				k.save("policy")
			}
		}
	}
}

func (k *Keeper) due() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.views.Sequence()-k.saved >= k.Every && time.Since(k.savedAt) >= k.MinGap
}

func (k *Keeper) save(why string) {
	if err := k.Save(); err != nil {
		k.log.Error("projection snapshot not written", "why", why, "err", err)
	}
}

// Save writes the snapshot now, unless the file already covers the Set's
// sequence.
func (k *Keeper) Save() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.views.Sequence() == k.saved && k.saved != 0 {
		return nil
	}
	start := time.Now()
	seq, err := k.store.Save(k.views)
	if err != nil {
		return err
	}
	k.saved, k.savedAt = seq, time.Now()
	k.log.Info("projection snapshot written", "sequence", seq, "took", time.Since(start).String())
	return nil
}
