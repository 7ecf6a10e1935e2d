package eventstore

import (
	"bytes"
	"context"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// MaxImportBatch is the most events one atomic batch holds: the server's
// default limit on an atomic publish (1,000 messages), less one for the
// org marker of a batch that changes the org (org.go).
const MaxImportBatch = maxBatch - 1

// loadParallel bounds the journals loaded at once before a batch.
const loadParallel = 16

// ImportBatch decides ws in order, each against its journal as the earlier
// writes of ws left it (several writes to one journal chain their versions
// and hashes), and appends every event as one JetStream atomic batch: all
// are stored or none. The first message of each journal in the batch is
// conditional on the journal's last sequence (the server accepts that
// header only once per journal and batch); a lost race is retried against
// the reloaded journals. IfVersion and IdempotencyKey of ws are ignored:
// atomic batches take no message ids. It returns the stored events, in
// order, with their sequences.
//
// When a write is refused, failed is its index and err the domain's error,
// and nothing is appended; otherwise failed is -1.
// Errors: the kinds of domain.Decide (with failed ≥ 0); KindInvalid when ws
// is empty or longer than MaxImportBatch; KindConflict when the race is
// lost too often; KindUnavailable when the store cannot be reached.
func (s *Store) ImportBatch(ctx context.Context, ws []domain.Write) (events []domain.Event, failed int, err error) {
	if len(ws) == 0 || len(ws) > MaxImportBatch {
		return nil, -1, domain.Errorf(domain.KindInvalid, "a batch holds 1 to %d writes, not %d", MaxImportBatch, len(ws))
	}
	defer s.trim() // after the unlock below
	entries := s.lockJournals(ws)
	defer unlockJournals(entries)
	if structural(ws) {
		s.org.mu.Lock() // after the journals', as Execute takes them
		defer s.org.mu.Unlock()
	}
	return s.importOne(ctx, ws, entries)
}

// structural reports whether any of ws changes the org: such an import
// holds the org's mutex throughout, decides those writes against the org
// in order (decideOrgBatch) and publishes each batch with an org marker.
func structural(ws []domain.Write) bool {
	for _, w := range ws {
		if domain.Structural(w.Command) {
			return true
		}
	}
	return false
}

// decideOrgBatch checks the batch's structural events, in order, against
// the org as the earlier ones leave it, and marks the batch for an org
// marker; with s.org.mu held. On a refusal it returns the index of the
// refused write, and the org cache is dropped (it holds part of the batch).
func (s *Store) decideOrgBatch(ctx context.Context, ws []domain.Write, b *decidedBatch) (int, error) {
	if !structural(ws) {
		return -1, nil
	}
	// Up to the leader's last person event, so that a refusal holds
	// against what the stream acknowledged (one request per batch).
	if err := s.catchUpOrgWithLeader(ctx); err != nil {
		return -1, s.unavailable("load org", err)
	}
	b.org = true
	for i, e := range b.events {
		if !domain.StructuralType(e.Type) {
			continue
		}
		if err := domain.DecideOrg(s.org.org, e); err != nil {
			s.org.org = nil
			return i, err
		}
		s.org.org.Evolve(e)
	}
	return -1, nil
}

// importOne stores one batch whose journals are locked, retrying a lost race.
func (s *Store) importOne(ctx context.Context, ws []domain.Write, entries map[uuid.UUID]*journalEntry) ([]domain.Event, int, error) {
	for range maxAttempts {
		if err := s.loadJournals(ctx, entries); err != nil {
			return nil, -1, s.unavailable("load journals", err)
		}
		s.warmKeys(ctx, ws, entries)
		b, failed, err := s.decideBatch(ctx, ws, entries)
		if err == nil {
			failed, err = s.decideOrgBatch(ctx, ws, &b)
		}
		if err != nil {
			retry, rerr := s.refusedInBatch(ctx, ws, entries, failed, err)
			if retry {
				continue
			}
			return nil, failed, rerr
		}
		err = s.publishBatch(ctx, ws, entries, b)
		switch {
		case wrongLastSequence(err):
			forget(entries)
			s.forgetOrg(b)
			continue
		case err != nil:
			forget(entries) // the outcome is unknown: reload before the next decision
			s.forgetOrg(b)
			return nil, -1, s.unavailable("publish batch", err)
		}
		return b.events, -1, nil
	}
	return nil, -1, domain.Errorf(domain.KindConflict, "the journals of this batch are changing too fast; try again")
}

// publishBatch makes the first message of each journal conditional on the
// journal's last sequence, publishes the batch and, once it is stored,
// gives the events their sequences.
func (s *Store) publishBatch(ctx context.Context, ws []domain.Write, entries map[uuid.UUID]*journalEntry, b decidedBatch) error {
	for _, i := range b.firsts {
		id := ws[i].PersonID
		b.msgs[i].Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(entries[id].lastSeq, 10))
		b.msgs[i].Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, JournalSubjects(id))
	}
	msgs := b.msgs
	if b.org { // the marker first: the ack's sequence stays the last event's
		msgs = append([]*nats.Msg{orgMarker(s.org.lastSeq)}, b.msgs...)
	}
	ack, err := jetstreamext.PublishMsgBatch(ctx, s.js, msgs)
	if duplicateInBatch(err) {
		err = errLostRace
	}
	if err != nil {
		return err
	}
	s.stored(ws, entries, b.events, ack.Sequence)
	if b.org { // the batch's person events are the last of personSubjects now
		for _, e := range b.events {
			if strings.HasPrefix(e.Type, "person.") {
				s.org.lastSeq = max(s.org.lastSeq, e.Sequence)
			}
		}
	}
	return nil
}

// forgetOrg drops the org cache after a batch that changed it failed: it
// holds the batch's decisions, which are not stored.
func (s *Store) forgetOrg(b decidedBatch) {
	if b.org {
		s.org.org = nil
	}
}

func unlockJournals(entries map[uuid.UUID]*journalEntry) {
	for _, je := range entries {
		je.mu.Unlock()
	}
}

// lockJournals locks the cache entry of every journal of ws, in id order so
// that two batches never wait on each other.
func (s *Store) lockJournals(ws []domain.Write) map[uuid.UUID]*journalEntry {
	ids := make([]uuid.UUID, 0, len(ws))
	for _, w := range ws {
		ids = append(ids, w.PersonID)
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	ids = slices.Compact(ids)
	entries := make(map[uuid.UUID]*journalEntry, len(ids))
	for _, id := range ids {
		je := s.entry(id)
		je.mu.Lock()
		entries[id] = je
	}
	return entries
}

// loadJournals reads the journals not in the cache, several at a time.
func (s *Store) loadJournals(ctx context.Context, entries map[uuid.UUID]*journalEntry) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	sem := make(chan struct{}, loadParallel)
	for id, je := range entries {
		if je.j != nil {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if _, err := s.catchUp(ctx, id, je); err != nil {
				mu.Lock()
				first = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

// warmKeys fetches (or creates, for people registered by ws) the data keys
// of the batch's people concurrently, so that sealing does not wait for
// them one by one. A failure here is left for sealing to report.
func (s *Store) warmKeys(ctx context.Context, ws []domain.Write, entries map[uuid.UUID]*journalEntry) {
	want := map[uuid.UUID]bool{}
	for _, w := range ws {
		_, registering := w.Command.(domain.RegisterPerson)
		if je := entries[w.PersonID]; registering || (je.j.Registered() && !je.j.Erased()) {
			want[w.PersonID] = true
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, loadParallel)
	for id := range want {
		if _, ok := s.keys.cached(id); ok {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			_, _ = s.keys.forWrite(ctx, id)
		})
	}
	wg.Wait()
}

// decidedBatch is a batch decided and sealed, not yet published.
type decidedBatch struct {
	events []domain.Event
	msgs   []*nats.Msg
	firsts []int // the index of each journal's first write
	org    bool  // it changes the org: published with an org marker (org.go)
}

// decideBatch decides, seals and folds every write and builds the batch's
// messages (without the conditional headers: publishBatch sets them). Each
// journal's writes are decided in order; different journals are
// independent, so they are decided on every core. On a refusal it returns
// the index of the first refused write; the journals then hold some of
// the batch's events and must be reloaded.
func (s *Store) decideBatch(ctx context.Context, ws []domain.Write, entries map[uuid.UUID]*journalEntry) (decidedBatch, int, error) {
	b := decidedBatch{events: make([]domain.Event, len(ws)), msgs: make([]*nats.Msg, len(ws))}
	groups := make(map[uuid.UUID][]int, len(entries))
	for i, w := range ws {
		if groups[w.PersonID] == nil {
			b.firsts = append(b.firsts, i)
		}
		groups[w.PersonID] = append(groups[w.PersonID], i)
	}
	jobs := make(chan []int, len(b.firsts))
	for _, i := range b.firsts {
		jobs <- groups[ws[i].PersonID]
	}
	close(jobs)
	var mu sync.Mutex
	failed, ferr := -1, error(nil)
	work := func() {
		for idx := range jobs {
			for _, i := range idx {
				if err := s.decideOne(ctx, ws[i], entries[ws[i].PersonID], &b, i); err != nil {
					mu.Lock()
					if failed < 0 || i < failed {
						failed, ferr = i, err
					}
					mu.Unlock()
					break
				}
			}
		}
	}
	workers := 1
	if len(ws) >= 64 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(work)
	}
	wg.Wait()
	return b, failed, ferr
}

// decideOne decides, seals and folds write i into b.
func (s *Store) decideOne(ctx context.Context, w domain.Write, je *journalEntry, b *decidedBatch, i int) error {
	if _, erasing := w.Command.(domain.ErasePerson); erasing {
		return domain.Invalid(domain.FieldError{Field: "type", Message: "an erasure is not imported: it also shreds the person's key"})
	}
	e, err := domain.Decide(je.j, w.Command, w.Meta)
	if err != nil {
		return err
	}
	data, err := s.sealEvent(ctx, &e)
	if err != nil {
		return err
	}
	je.j.Evolve(e)
	m := nats.NewMsg(Subject(e.PersonID, e.Type))
	m.Data = data
	b.events[i], b.msgs[i] = e, m
	return nil
}

// refusedInBatch handles a refusal of write i: the touched journals are
// reloaded, and when the refused one had moved on in the stream the batch
// is decided again (retry); otherwise the refusal stands.
func (s *Store) refusedInBatch(ctx context.Context, ws []domain.Write, entries map[uuid.UUID]*journalEntry, i int, err error) (bool, error) {
	if domain.KindOf(err) == domain.KindInternal {
		err = s.unavailable("seal", err)
	}
	if i < 0 || domain.KindOf(err) == domain.KindUnavailable {
		forget(entries)
		return false, err
	}
	je := entries[ws[i].PersonID]
	before := je.lastSeq
	forget(entries)
	if lerr := s.loadJournals(ctx, entries); lerr != nil {
		return false, s.unavailable("reload journals", lerr)
	}
	return je.lastSeq != before, err
}

// forget drops the cached state of the journals: they are reloaded from
// the stream before their next decision.
func forget(entries map[uuid.UUID]*journalEntry) {
	for _, je := range entries {
		je.j = nil
	}
}

// stored gives the events the sequences of the committed batch ending at
// last and moves each journal's last sequence.
func (s *Store) stored(ws []domain.Write, entries map[uuid.UUID]*journalEntry, events []domain.Event, last uint64) {
	base := last - uint64(len(events)) + 1
	for i := range events {
		events[i].Sequence = base + uint64(i)
		entries[ws[i].PersonID].lastSeq = events[i].Sequence
	}
}
