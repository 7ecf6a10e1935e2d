package projections

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// Set holds every read model. One writer calls Apply in stream order; any
// number of readers query it concurrently.
type Set struct {
	mu  sync.RWMutex
	seq uint64

	steps      stepStore
	oddHash    map[uint32]string // hashes that are not 64 lower-case hex digits
	types      []string
	typeIndex  map[string]uint8
	actors     []domain.Actor
	actorIndex map[domain.Actor]uint32
	strings    map[string]string
	keySets    map[string]*[]string
	shapes     map[metricsShape]*metricsShape
	slab       floatSlab // the values of compacted metrics

	people      map[uuid.UUID]*person
	order       []*person // by registration sequence
	commitments map[uuid.UUID]*commitment
	pips        map[uuid.UUID]*pip
	pipOrder    []*pip // by opening sequence

	teams  map[uuid.UUID]*directReports // direct reports by manager (teams.go)
	erased atomic.Uint64                // erasures applied (stamp.go)

	waiters []*waiter

	scratchKeys []string
	scratchBuf  []byte
}

type waiter struct {
	seq  uint64
	done chan struct{}
}

// NewSet returns an empty Set, at sequence 0.
func NewSet() *Set {
	s := &Set{
		oddHash:     map[uint32]string{},
		typeIndex:   map[string]uint8{},
		actorIndex:  map[domain.Actor]uint32{},
		strings:     map[string]string{},
		keySets:     map[string]*[]string{},
		shapes:      map[metricsShape]*metricsShape{},
		people:      map[uuid.UUID]*person{},
		commitments: map[uuid.UUID]*commitment{},
		pips:        map[uuid.UUID]*pip{},
	}
	for _, t := range domain.EventTypes() {
		s.typeIndex[t] = uint8(len(s.types))
		s.types = append(s.types, t)
	}
	return s
}

// Apply folds the event stored at seq. err != nil means the message at seq
// could not be read as an event: only the sequence advances. A seq at or
// below the current Sequence is a redelivery and is ignored, so Apply is
// idempotent. Apply keeps e.Data (it never mutates it): the caller must not
// change it afterwards.
func (s *Set) Apply(seq uint64, e domain.Event, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.seq {
		return
	}
	s.seq = seq
	if err == nil && e.Data != nil {
		s.apply(seq, &e)
	}
	if len(s.waiters) > 0 {
		s.wake()
	}
}

// Sequence returns the stream sequence of the last message applied.
func (s *Set) Sequence() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.seq
}

// WaitFor blocks until Sequence() >= seq, or until ctx is done, when it
// returns ctx.Err().
func (s *Set) WaitFor(ctx context.Context, seq uint64) error {
	s.mu.Lock()
	if s.seq >= seq {
		s.mu.Unlock()
		return nil
	}
	w := &waiter{seq: seq, done: make(chan struct{})}
	s.waiters = append(s.waiters, w)
	s.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, o := range s.waiters {
		if o == w {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			break
		}
	}
	if s.seq >= seq {
		return nil
	}
	return ctx.Err()
}

// wake releases the waiters whose sequence is reached.
func (s *Set) wake() {
	kept := s.waiters[:0]
	for _, w := range s.waiters {
		if s.seq >= w.seq {
			close(w.done)
		} else {
			kept = append(kept, w)
		}
	}
	clear(s.waiters[len(kept):])
	s.waiters = kept
}

// apply folds one readable event. Events of a person not (yet) registered
// are ignored; so is a second registration.
func (s *Set) apply(seq uint64, e *domain.Event) {
	p := s.people[e.PersonID]
	reg, registering := e.Data.(*domain.PersonRegistered)
	switch {
	case registering && p != nil, !registering && p == nil:
		return
	case registering:
		p = s.register(seq, e, reg)
	}
	data := e.Data
	switch {
	case p.Erased && needsErasure(data):
		data = erasedCopy(data) // the key is gone: no text may come back
	case data.EventType() == domain.TypeMetricsSubmitted:
		if m, ok := data.(*domain.MetricsSubmitted); ok {
			if c := s.compactMetrics(m); c != nil {
				data = c
			}
		}
	}
	i := s.store(seq, e, data)
	p.addStep(i, seq)
	p.Version = e.Version
	s.fold(p, i, e, data)
}

// fold updates the models for stored step i of p's journal.
func (s *Set) fold(p *person, i uint32, e *domain.Event, data domain.Data) {
	s.indexCadence(p, i, data)
	switch d := data.(type) {
	case *domain.PersonUpdated:
		p.update(d)
	case *domain.ManagerChanged:
		s.changeManager(p, i, d.ManagerID)
	case *domain.PersonDeparted:
		on := d.On
		p.DepartedOn = &on
	case *domain.PersonErased:
		s.erase(p)
		s.closePIPsByErasure(p, i)
	case *domain.CommitmentMade:
		s.makeCommitment(p, i, d)
	case *domain.CommitmentFollowedUp:
		s.followUp(p, i, d)
	case *domain.CommitmentRenegotiated:
		s.renegotiate(p, i, d)
	case *domain.CommitmentKept:
		s.resolve(p, i, d.CommitmentID, statusKept)
	case *domain.CommitmentMissed:
		s.resolve(p, i, d.CommitmentID, statusMissed)
	case *domain.CommitmentWithdrawn:
		s.resolve(p, i, d.CommitmentID, statusWithdrawn)
	case *domain.PIPOpened:
		s.openPIP(p, i, d)
	case *domain.PIPAcknowledged:
		s.acknowledgePIP(p, i, e, d)
	case *domain.PIPCheckedIn:
		s.checkInPIP(p, i, d)
	case *domain.PIPRevised:
		s.revisePIP(p, i, d)
	case *domain.PIPExtended:
		s.extendPIP(p, i, d)
	case *domain.PIPClosed:
		s.closePIP(p, i, d)
	case *domain.StandardSet:
		p.score.addStandard(i)
	case *metricsData, *domain.MetricsSubmitted:
		s.addMetrics(p, i, periodOf(d))
	}
}
