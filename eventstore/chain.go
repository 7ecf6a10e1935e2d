package eventstore

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventjson"
)

// ChainCheck recomputes hash chains from stored messages, fed in stream
// order: each event's hash over its envelope, its link to the journal's
// previous event, and that the subject it is stored on is its journal's and
// its type's.
type ChainCheck struct {
	last   map[string]chainTip
	broken map[string]bool
	report domain.ChainReport
}

type chainTip struct {
	hash    string
	version uint64
}

// NewChainCheck returns an empty check.
func NewChainCheck() *ChainCheck {
	return &ChainCheck{last: map[string]chainTip{}, broken: map[string]bool{}}
}

// Add checks one stored message: its subject names the journal
// (journal.<person_id>.<type>), its bytes are the envelope as stored.
func (c *ChainCheck) Add(seq uint64, subject string, stored []byte) {
	journal := journalOf(subject)
	tip, seen := c.last[journal]
	if !seen && !c.broken[journal] { // a journal broken at its first event has no tip
		c.report.Journals++
	}
	c.report.Events++
	if c.broken[journal] {
		return
	}
	next, reason := check(journal, subject, tip, stored)
	if reason != "" {
		c.broken[journal] = true
		c.report.Broken = append(c.report.Broken, domain.ChainBreak{PersonID: journal, Sequence: seq, Reason: reason})
		return
	}
	c.last[journal] = next
}

// Report returns what was found so far.
func (c *ChainCheck) Report() domain.ChainReport {
	r := c.report
	if r.Broken == nil {
		r.Broken = []domain.ChainBreak{}
	}
	return r
}

// check checks one stored message against its journal's tip; it returns
// the journal's new tip, or why the message breaks the chain.
func check(journal, subject string, tip chainTip, stored []byte) (chainTip, string) {
	if _, err := uuid.Parse(journal); err != nil {
		return chainTip{}, fmt.Sprintf("subject %q does not name a journal", subject)
	}
	ok, prev, hash, err := eventjson.VerifyHash(stored)
	if err != nil {
		return chainTip{}, "not an event envelope: " + err.Error()
	}
	if !ok {
		return chainTip{}, "hash does not match the envelope's content"
	}
	if prev != tip.hash {
		return chainTip{}, "prev_hash does not link to the journal's previous event"
	}
	e, err := eventjson.Decode(stored)
	switch {
	case err != nil:
		return chainTip{}, err.Error()
	case e.PersonID.String() != journal:
		return chainTip{}, "person_id does not match the subject's journal"
	case subjectPrefix+journal+"."+e.Type != subject:
		return chainTip{}, "type does not match the subject"
	case e.Version != tip.version+1:
		return chainTip{}, fmt.Sprintf("version %d does not follow %d", e.Version, tip.version)
	}
	return chainTip{hash: hash, version: e.Version}, ""
}
