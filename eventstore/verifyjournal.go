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
// Errors: KindUnavailable.
func (s *Store) VerifyJournal(ctx context.Context, id uuid.UUID) (domain.ChainReport, error) {
	head, err := s.journalHead(ctx, id)
	if err != nil {
		return domain.ChainReport{}, s.unavailable("verify", err)
	}
	c := s.verified.of(id)
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
