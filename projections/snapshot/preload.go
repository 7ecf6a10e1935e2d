package snapshot

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/coachjournal/coachjournal/projections"
)

// Pending is a snapshot being read in the background. Decrypting and
// decoding need only the file and the key, not the stream, so a cold start
// runs them while the store opens (both take about a second at a million
// events) and checks the result against the stream once it is known.
type Pending struct {
	path string
	key  []byte
	done chan struct{}

	loaded *Loaded // set before done is closed
	err    error
	took   time.Duration
}

// StartLoad starts reading the snapshot in dir under key on a goroutine of
// its own. With a nil key (e.g. the master key does not exist yet) it
// reads nothing and Resume reads the file itself.
func StartLoad(dir string, key []byte) *Pending {
	p := &Pending{path: filepath.Join(dir, FileName), key: key, done: make(chan struct{})}
	if key == nil {
		close(p.done)
		return p
	}
	go func() {
		defer close(p.done)
		start := time.Now()
		p.loaded, p.err = Read(p.path, key)
		p.took = time.Since(start)
	}()
	return p
}

// Took returns how long the background read took (0 when it read
// nothing), once Resume has returned.
func (p *Pending) Took() time.Duration { return p.took }

// Resume waits for the read and returns the Set to follow st's stream
// with, as the package's Resume does: the snapshot's when it was read from
// st's file under st's key and Check accepts it for st.Stream and last,
// else an empty one (a rebuild from 0), the rejected file removed. A read
// made under another key or path than st's (a master key created by the
// store's Open) is done again with st's.
func (p *Pending) Resume(st *Store, last uint64, log *slog.Logger) *projections.Set {
	start := time.Now()
	<-p.done
	loaded, err := p.loaded, p.err
	if p.key == nil || !bytes.Equal(p.key, st.Key) || p.path != st.Path() {
		loaded, err = Read(st.Path(), st.Key)
	}
	p.loaded = nil // the Set is the caller's now; let a rejected one go
	if err == nil {
		err = loaded.Check(st.Stream, last)
	}
	return settle(st, last, loaded, err, log, "read_took", p.took.String(), "waited", time.Since(start).String())
}

// settle logs the outcome of a load (with times, key-value pairs) and
// returns the Set to follow with.
func settle(st *Store, last uint64, loaded *Loaded, err error, log *slog.Logger, times ...any) *projections.Set {
	switch {
	case err == nil:
		log.Info("projections resumed from snapshot", append([]any{"sequence", loaded.Set.Sequence(), "stream_last", last}, times...)...)
		return loaded.Set
	case errors.Is(err, fs.ErrNotExist):
		log.Info("no projection snapshot: rebuilding from the stream", "stream_last", last)
	default:
		log.Warn("projection snapshot ignored: rebuilding from the stream", "reason", err.Error(), "stream_last", last)
		if rerr := st.Remove(); rerr != nil {
			log.Warn("remove projection snapshot", "err", rerr)
		}
	}
	return projections.NewSet()
}
