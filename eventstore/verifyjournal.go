package eventstore

import (
	"context"
	"sync"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"
)

// maxVerifiedJournals bounds the journals whose verified chain tip is
// remembered; past it the memory starts again empty (each entry is a few
// hundred bytes).
const maxVerifiedJournals = 200_000

// verifiedChains remembers, per journal, how far its chain has been
// verified, for VerifyJournal.
type verifiedChains struct {
	mu       sync.Mutex
	journals map[uuid.UUID]*verifiedChain
}

// verifiedChain is one journal's chain checked up to seq.
type verifiedChain struct {
	mu    sync.Mutex // one reader of the journal at a time
	check *ChainCheck
	seq   uint64 // the last sequence added to check
}

// size is how many journals are remembered.
func (v *verifiedChains) size() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.journals)
}

func (v *verifiedChains) of(id uuid.UUID) *verifiedChain {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.journals == nil || len(v.journals) >= maxVerifiedJournals {
		v.journals = map[uuid.UUID]*verifiedChain{}
	}
	c, ok := v.journals[id]
	if !ok {
		c = &verifiedChain{check: NewChainCheck()}
		v.journals[id] = c
	}
	return c
}

// VerifyJournal checks one journal's hash chain as Verify does, but
// incrementally: what this process verified of the journal before, it
// remembers (in memory), and it reads only what was appended since, after
// asking the stream for the journal's last sequence (an index lookup). A
// page that shows the chain's state on every view (the PIP page) costs a
// full read of the journal once per process, then almost nothing; on a
// stream of a million events the full read of one sparse journal is what
// made that page slow. Verify and `coachjournal verify` still re-read
// every stored message, for an audit that trusts nothing remembered.
//
// shown is how many of the journal's events the caller shows (the
// person's version in the projections; 0: all there are). When this
// process has already verified at least that many, the answer comes from
// memory without asking the stream: it vouches for every event the page
// is built from. A message stored since then that the projections did not
// apply (a foreign one) is found at the next view after the journal's
// version moves, by `coachjournal verify`, and by the pass at a start;
// with shown 0 it is found at once. Errors: KindUnavailable.
func (s *Store) VerifyJournal(ctx context.Context, id uuid.UUID, shown uint64) (domain.ChainReport, error) {
	c := s.verified.of(id)
	if r, ok := c.covering(shown); ok {
		return r, nil
	}
	head, err := s.journalHead(ctx, id)
	if err != nil {
		return domain.ChainReport{}, s.unavailable("verify", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if head > c.seq {
		err := s.scan(ctx, JournalSubjects(id), c.seq, func(m *jetstream.RawStreamMsg) {
			c.check.Add(m.Sequence, m.Subject, m.Data)
			c.seq = m.Sequence
		})
		if err != nil {
			return domain.ChainReport{}, s.unavailable("verify", err)
		}
	}
	return c.check.Report(), nil
}

// covering returns c's report when it covers at least shown events
// (shown > 0).
func (c *verifiedChain) covering(shown uint64) (domain.ChainReport, bool) {
	if shown == 0 {
		return domain.ChainReport{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.check.Report()
	return r, uint64(r.Events) >= shown
}

// WarmChains reads the whole journal stream once, in order, into the
// memory VerifyJournal keeps: every journal's chain is then verified up to
// where the pass read it, and a PIP page's first view after a start costs
// an index lookup instead of a walk of the stream for one sparse journal.
// serve runs it in the background after the projections have caught up;
// it reads as a full Verify does (its cost is in docs/performance.md) and
// returns what it found, which the caller logs: a start-up integrity check
// as a side effect. A journal VerifyJournal reads during the pass is left
// to it (the pass adds only what lies past what was verified), and a
// journal whose memory was dropped meanwhile (the bound) is left for its
// next view. Errors: KindUnavailable, or ctx's.
func (s *Store) WarmChains(ctx context.Context) (domain.ChainReport, error) {
	fed := map[string]*verifiedChain{} // this pass's checks, by journal
	var report domain.ChainReport
	feed := func(seq uint64, subject string, data []byte) {
		j := journalOf(subject)
		c, seen := fed[j]
		if !seen {
			if id, err := uuid.Parse(j); err == nil && s.verified.size() < maxVerifiedJournals {
				c = s.verified.of(id)
			}
			fed[j] = c // nil: a subject that names no journal, or no room
		}
		if c == nil {
			return
		}
		c.mu.Lock()
		if seq > c.seq {
			c.check.Add(seq, subject, data)
			c.seq = seq
		}
		c.mu.Unlock()
	}
	if err := s.readAll(ctx, AllJournals, feed); err != nil {
		if ctx.Err() != nil {
			return report, ctx.Err()
		}
		return report, s.unavailable("verify", err)
	}
	report.Broken = []domain.ChainBreak{}
	for _, c := range fed {
		if c == nil {
			continue
		}
		c.mu.Lock()
		r := c.check.Report()
		c.mu.Unlock()
		report.Journals += r.Journals
		report.Events += r.Events
		report.Broken = append(report.Broken, r.Broken...)
	}
	return report, nil
}

// readAll passes every message on subjects filter stored when it starts
// (up to the filter's last message on the stream's leader) to fn, in
// stream order, through an ordered consumer: the stream read as the
// projections read it. (A direct batch get filtered with a wildcard makes
// the server count what is left of the filter for each message it sends:
// many times slower on every journal, and slower too on the org's person
// events; measured in docs/performance.md.) If the consumer is served by
// a replica that has not stored the leader's last message yet, it waits
// for it (bounded by ctx). The consumer is deleted once read: the org is
// folded this way at every start.
func (s *Store) readAll(ctx context.Context, filter string, fn func(seq uint64, subject string, data []byte)) error {
	last, err := s.leaderHead(ctx, filter) // the last message now
	if err != nil || last == 0 {
		return err
	}
	cons, err := s.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
	if err != nil {
		return err
	}
	defer s.dropConsumer(cons)
	it, err := cons.Messages(jetstream.PullMaxMessages(readBatch))
	if err != nil {
		return err
	}
	defer it.Stop()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		meta, err := m.Metadata()
		if err != nil {
			return err
		}
		fn(meta.Sequence.Stream, m.Subject(), m.Data())
		if meta.Sequence.Stream >= last {
			return nil
		}
	}
}
