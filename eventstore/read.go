package eventstore

import (
	"context"
	"errors"
	"strconv"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// MaxScan bounds how many stored messages one Events call examines, so a
// page whose time filter matches little still answers quickly: it then
// holds fewer events than asked and its Last tells where to go on.
const MaxScan = 10_000

// Events returns one page of the whole stream in order: the events stored
// after q.After that match q's type (filtered by the server, by subject)
// and occurred_at range, at most q.Limit of them (MaxScan when q.Limit is
// 0 or more). Memory is bounded by the page. A message that does not decode
// is skipped and logged. Errors: KindUnavailable.
func (s *Store) Events(ctx context.Context, q domain.EventQuery) (domain.EventPage, error) {
	limit := q.Limit
	if limit <= 0 || limit > MaxScan {
		limit = MaxScan
	}
	page := domain.EventPage{Last: q.After}
	d := decrypter{keys: s.keys}
	timed := !q.From.IsZero() || !q.To.IsZero()
	for scanned := 0; len(page.Events) < limit && scanned < MaxScan; {
		want := limit - len(page.Events)
		if timed { // most may not match: read whole batches
			want = readBatch
		}
		want = min(want, readBatch, MaxScan-scanned)
		n, more, err := s.readPage(ctx, q, &d, want, limit, &page)
		if err != nil {
			return domain.EventPage{}, s.unavailable("read events", err)
		}
		scanned += n
		page.More = more
		if !more {
			break
		}
	}
	return page, nil
}

// readPage reads up to want messages after page.Last into page (stopping
// at limit events) and reports how many it read and whether more remain.
func (s *Store) readPage(ctx context.Context, q domain.EventQuery, d *decrypter, want, limit int, page *domain.EventPage) (int, bool, error) {
	opts := []jetstreamext.GetBatchOpt{jetstreamext.GetBatchSeq(page.Last + 1)}
	if f := querySubjects(q); f != "" {
		opts = append(opts, jetstreamext.GetBatchSubject(f))
	}
	msgs, err := jetstreamext.GetBatch(ctx, s.js, s.cfg.Stream, want, opts...)
	if err != nil {
		return 0, false, err
	}
	n, more := 0, false
	for m, err := range msgs {
		if errors.Is(err, jetstreamext.ErrNoMessages) {
			return n, false, nil
		}
		if err != nil {
			return n, false, err
		}
		n++
		page.Last = m.Sequence
		pending, _ := strconv.ParseUint(m.Header.Get("Nats-Num-Pending"), 10, 64)
		more = pending > 0
		if e, ok, err := s.decodeRead(ctx, q, d, m); err != nil {
			return n, false, err
		} else if ok {
			page.Events = append(page.Events, e)
			if len(page.Events) == limit {
				break
			}
		}
	}
	if n == 0 { // a batch get that times out just ends: no answer is not "no messages"
		return 0, false, errNoAnswer
	}
	return n, more, nil
}

// decodeRead decodes one message and reports whether it passes q.
func (s *Store) decodeRead(ctx context.Context, q domain.EventQuery, d *decrypter, m *jetstream.RawStreamMsg) (domain.Event, bool, error) {
	e, err := decodeStored(m.Subject, m.Data)
	if err != nil {
		s.log.Warn("skipping an undecodable event", "seq", m.Sequence, "err", err)
		return e, false, nil
	}
	e.Sequence = m.Sequence
	if !q.Match(e) {
		return e, false, nil
	}
	if q.Text {
		if err := d.open(ctx, &e); err != nil {
			return e, false, err
		}
	}
	return e, true, nil
}
