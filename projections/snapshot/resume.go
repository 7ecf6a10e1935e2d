package snapshot

import (
	"log/slog"
	"time"

	"github.com/coachjournal/coachjournal/projections"
)

// Resume returns the Set to follow the stream with: the snapshot's, when
// Load accepts it, else an empty one (a rebuild from 0). Either way it
// logs which and why; a snapshot that cannot be resumed from is removed,
// since the next write replaces it anyway. StartLoad does the same with
// the reading started earlier.
func Resume(st *Store, last uint64, log *slog.Logger) *projections.Set {
	start := time.Now()
	l, err := Read(st.Path(), st.Key)
	if err == nil {
		err = l.Check(st.Stream, last)
	}
	return settle(st, last, l, err, log, "took", time.Since(start).String())
}
