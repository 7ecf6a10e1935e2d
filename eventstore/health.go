package eventstore

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
)

// Write health. A store that cannot take writes (a full or read-only disk,
// JetStream switched off, a server that does not answer) is found out by
// the write that fails, and then by the server: the embedded one reports
// whether JetStream is still on. From then on Writable says so (the API's
// /readyz answers 503), and the store checks every healthInterval whether
// it can write again: a probe publishes one small message to a stream of
// its own (probeStream, one message kept), which the server refuses while
// its storage is exhausted. The embedded server turns JetStream off for
// good on a disk error ("JetStream out of resources, will be DISABLED");
// the store turns it back on, so writes recover without a restart once
// the disk has room. A stream that failed to write a message keeps the
// error and answers no later write until it is reloaded: when the server
// reports one, the store reloads JetStream (switches it off and on) every
// reenableEvery until the writes hold.
const (
	healthInterval = time.Second
	// reenableEvery spaces the attempts to turn the embedded JetStream back on.
	reenableEvery = 5 * time.Second
)

// health is the store's view of whether it can take writes.
type health struct {
	mu       sync.Mutex
	err      error       // why the store cannot take writes; nil: it can
	failing  atomic.Bool // err != nil, read without the lock
	reenable time.Time
	stuck    bool             // the embedded server reported a critical write error
	probe    jetstream.Stream // created at the first probe
	// jetStream is the embedded server's JetStream configuration as it
	// started (the server forgets it when it switches JetStream off).
	jetStream *server.JetStreamConfig
}

// rememberJetStream keeps the embedded server's JetStream configuration,
// to turn it back on with.
func (s *Store) rememberJetStream() {
	if s.srv == nil {
		return
	}
	if cfg := s.srv.JetStreamConfig(); cfg != nil {
		// The running config names the jetstream dir itself; EnableJetStream
		// wants its parent.
		cfg.StoreDir = filepath.Dir(cfg.StoreDir)
		s.health.jetStream = cfg
	}
}

// writeFailed records that a write failed for a reason of the store's.
func (s *Store) writeFailed(err error) {
	s.health.mu.Lock()
	if s.health.err == nil {
		s.log.Warn("event store cannot take writes", "err", err)
	}
	s.health.err = err
	s.health.failing.Store(true)
	s.health.mu.Unlock()
}

// streamStuck hears from the embedded server's log that a stream failed
// to write: it stays failed until JetStream reloads it.
func (s *Store) streamStuck() {
	s.health.mu.Lock()
	s.health.stuck = true
	s.health.mu.Unlock()
	s.writeFailed(errors.New("the embedded server reported a critical write error"))
}

// writeSucceeded records that a write was stored. Every write calls it,
// so while all is well it reads one atomic flag and takes no lock.
func (s *Store) writeSucceeded() {
	if !s.health.failing.Load() {
		return
	}
	s.health.mu.Lock()
	if s.health.err != nil {
		s.log.Info("event store takes writes again")
		s.health.err = nil
		s.health.failing.Store(false)
	}
	s.health.mu.Unlock()
}

// Writable returns nil when the store can take writes as far as it knows:
// connected, JetStream on, and no write failed for a reason of the store's
// since the last success or probe. Errors: KindUnavailable, naming no
// internals (the cause is logged).
func (s *Store) Writable() error {
	s.health.mu.Lock()
	stuck := s.health.stuck
	s.health.mu.Unlock()
	if stuck {
		return domain.Errorf(domain.KindUnavailable, "the event store failed to write (full or read-only storage?); it is reloaded when it can be")
	}
	if !s.Connected() {
		return domain.Errorf(domain.KindUnavailable, "the event store is unreachable")
	}
	if s.srv != nil && !s.srv.JetStreamEnabled() {
		return domain.Errorf(domain.KindUnavailable, "the event store's JetStream is off (a disk error?); it is turned back on when it can be")
	}
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	if s.health.err != nil {
		return domain.Errorf(domain.KindUnavailable, "the event store cannot take writes (full or read-only storage, or no answer); retrying")
	}
	return nil
}

// watchHealth checks, while the store cannot take writes, whether it can
// again, until ctx ends.
func (s *Store) watchHealth(ctx context.Context) {
	t := time.NewTicker(healthInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.health.mu.Lock()
		failed, stuck := s.health.err != nil, s.health.stuck
		s.health.mu.Unlock()
		switch {
		case s.srv == nil:
		case !s.srv.JetStreamEnabled():
			s.writeFailed(errors.New("JetStream is disabled"))
			s.reenableJetStream(false)
			continue
		case stuck:
			s.reenableJetStream(true)
			continue
		}
		if failed && s.Connected() {
			if err := s.probe(ctx); err != nil {
				s.log.Debug("write probe failed", "err", err)
				continue
			}
			s.writeSucceeded()
		}
	}
}

// reenableJetStream turns the embedded server's JetStream back on (it
// reloads the streams from disk, clearing their write errors), switching
// it off first when reload is set, at most every reenableEvery.
func (s *Store) reenableJetStream(reload bool) {
	s.health.mu.Lock()
	due := time.Now().After(s.health.reenable)
	if due {
		s.health.reenable = time.Now().Add(reenableEvery)
		s.health.stuck = false // a write error after the reload sets it again
	}
	s.health.mu.Unlock()
	if !due {
		return
	}
	if reload {
		s.log.Warn("reloading the embedded server's JetStream after a write error")
		if err := s.srv.ShutdownJetStream(); err != nil {
			s.log.Error("switch JetStream off", "err", err)
		}
	}
	cfg := s.health.jetStream
	if cfg == nil {
		return
	}
	s.log.Warn("turning the embedded server's JetStream back on")
	c := *cfg // EnableJetStream may change what it is given
	if err := s.srv.EnableJetStream(&c); err != nil {
		s.log.Error("turn JetStream back on", "err", err)
	}
}

// probeStream is the stream of the write probe: it keeps one message.
func (s *Store) probeStream() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name: s.cfg.Stream + "_PROBE", Subjects: []string{"coachjournal.probe." + s.cfg.Stream},
		Storage: jetstream.FileStorage, Replicas: s.cfg.Replicas, MaxMsgs: 1, Discard: jetstream.DiscardOld,
	}
}

// probe stores one small message, as a write would: nil when it is acknowledged.
func (s *Store) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	defer cancel()
	cfg := s.probeStream()
	s.health.mu.Lock()
	st := s.health.probe
	s.health.mu.Unlock()
	if st == nil {
		var err error
		if st, err = s.js.CreateOrUpdateStream(ctx, cfg); err != nil {
			return err
		}
		s.health.mu.Lock()
		s.health.probe = st
		s.health.mu.Unlock()
	}
	_, err := s.js.Publish(ctx, cfg.Subjects[0], []byte(time.Now().UTC().Format(time.RFC3339Nano)))
	if errors.Is(err, jetstream.ErrNoStreamResponse) { // JetStream came back without it
		s.health.mu.Lock()
		s.health.probe = nil
		s.health.mu.Unlock()
	}
	return err
}
