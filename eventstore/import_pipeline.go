package eventstore

import (
	"context"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// Import appends ws as consecutive atomic batches of up to MaxImportBatch
// writes, in order, and stops at the first batch that fails: the batches
// before it are stored, it and the rest are not. Each batch is all or
// nothing, as in ImportBatch. While one batch waits for the disk, the next
// is decided and sealed: the journals of the whole import stay locked
// until it ends, so nothing else changes them in between. It returns the
// events stored (whole batches, in order); on a refusal, failed is the
// index into ws of the refused write, else -1.
// Errors: those of ImportBatch.
func (s *Store) Import(ctx context.Context, ws []domain.Write) (events []domain.Event, failed int, err error) {
	if len(ws) == 0 {
		return nil, -1, domain.Errorf(domain.KindInvalid, "nothing to import")
	}
	defer s.trim() // after the unlock below
	entries := s.lockJournals(ws)
	defer unlockJournals(entries)
	if structural(ws) {
		// An import that changes the org decides each batch against the
		// org as the batches before it left it, and publishes it with the
		// org marker: one batch at a time, without deciding ahead.
		s.org.mu.Lock() // after the journals', as Execute takes them
		defer s.org.mu.Unlock()
		return s.importRest(ctx, ws, entries, 0, make([]domain.Event, 0, len(ws)))
	}
	if err := s.loadJournals(ctx, entries); err != nil {
		return nil, -1, s.unavailable("load journals", err)
	}
	s.warmKeys(ctx, ws, entries)
	events = make([]domain.Event, 0, len(ws))
	next, stop := s.decideAhead(ctx, ws, entries)
	for p := range next {
		if p.err == nil {
			p.err = s.publishBatch(ctx, ws[p.lo:p.hi], entries, p.batch)
		}
		if p.err == nil {
			events = append(events, p.batch.events...)
			continue
		}
		// A refusal, a lost race or a failed publish: stop deciding ahead
		// and go on one batch at a time from this one, with the retries.
		stop()
		forget(entries)
		if !wrongLastSequence(p.err) && p.failed < 0 && domain.KindOf(p.err) == domain.KindInternal {
			return events, -1, s.unavailable("publish batch", p.err)
		}
		return s.importRest(ctx, ws, entries, p.lo, events)
	}
	return events, -1, nil
}

// ahead is a batch decided ahead of its publication.
type ahead struct {
	lo, hi int
	batch  decidedBatch
	failed int
	err    error
}

// decideAhead decides the batches of ws in order on its own goroutine, at
// most one ahead of the publisher. stop ends it and returns once it is
// done with the journals.
func (s *Store) decideAhead(ctx context.Context, ws []domain.Write, entries map[uuid.UUID]*journalEntry) (<-chan ahead, func()) {
	next := make(chan ahead)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(next)
		for lo := 0; lo < len(ws); lo += MaxImportBatch {
			hi := min(lo+MaxImportBatch, len(ws))
			b, failed, err := s.decideBatch(ctx, ws[lo:hi], entries)
			if failed >= 0 {
				failed += lo
			}
			select {
			case next <- ahead{lo: lo, hi: hi, batch: b, failed: failed, err: err}:
			case <-quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	stop := func() {
		close(quit)
		for range next { // unblock and drain
		}
		<-done
	}
	return next, stop
}

// importRest stores ws[lo:] one batch at a time, with ImportBatch's
// retries, after the events already stored.
func (s *Store) importRest(ctx context.Context, ws []domain.Write, entries map[uuid.UUID]*journalEntry, lo int, events []domain.Event) ([]domain.Event, int, error) {
	for ; lo < len(ws); lo += MaxImportBatch {
		hi := min(lo+MaxImportBatch, len(ws))
		got, failed, err := s.importOne(ctx, ws[lo:hi], subset(entries, ws[lo:hi]))
		if err != nil {
			if failed >= 0 {
				failed += lo
			}
			return events, failed, err
		}
		events = append(events, got...)
	}
	return events, -1, nil
}

// subset returns the entries of the journals ws writes to.
func subset(entries map[uuid.UUID]*journalEntry, ws []domain.Write) map[uuid.UUID]*journalEntry {
	out := make(map[uuid.UUID]*journalEntry, len(ws))
	for _, w := range ws {
		out[w.PersonID] = entries[w.PersonID]
	}
	return out
}
