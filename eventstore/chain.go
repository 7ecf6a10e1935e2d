package eventstore

import (
	"encoding/json"
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
	if reason := check(journal, subject, tip, stored); reason != "" {
		c.broken[journal] = true
		c.report.Broken = append(c.report.Broken, domain.ChainBreak{PersonID: journal, Sequence: seq, Reason: reason})
		return
	}
	var head struct {
		Hash    string `json:"hash"`
		Version uint64 `json:"version"`
	}
	_ = json.Unmarshal(stored, &head) // check already decoded it
	c.last[journal] = chainTip{hash: head.Hash, version: head.Version}
}

// Report returns what was found so far.
func (c *ChainCheck) Report() domain.ChainReport {
	r := c.report
	if r.Broken == nil {
		r.Broken = []domain.ChainBreak{}
	}
	return r
}

func check(journal, subject string, tip chainTip, stored []byte) string {
	if _, err := uuid.Parse(journal); err != nil {
		return fmt.Sprintf("subject %q does not name a journal", subject)
	}
	ok, prev, _, err := eventjson.VerifyHash(stored)
	if err != nil {
		return "not an event envelope: " + err.Error()
	}
	if !ok {
		return "hash does not match the envelope's content"
	}
	if prev != tip.hash {
		return "prev_hash does not link to the journal's previous event"
	}
	e, err := eventjson.Decode(stored)
	switch {
	case err != nil:
		return err.Error()
	case e.PersonID.String() != journal:
		return "person_id does not match the subject's journal"
	case subjectPrefix+journal+"."+e.Type != subject:
		return "type does not match the subject"
	case e.Version != tip.version+1:
		return fmt.Sprintf("version %d does not follow %d", e.Version, tip.version)
	}
	return ""
}
