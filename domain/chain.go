package domain

// The hash chain links each journal's events: every event's hash covers
// its stored envelope and its predecessor's hash (SPEC §2). The store
// checks the chains (eventstore.ChainCheck); these are its findings.

// ChainBreak names the first broken link of one journal's hash chain.
type ChainBreak struct {
	PersonID string `json:"person_id"` // the journal, as the store names it
	Sequence uint64 `json:"sequence"`
	Reason   string `json:"reason"`
}

// ChainReport is the result of checking hash chains.
type ChainReport struct {
	Journals int          `json:"journals"`
	Events   int          `json:"events"`
	Broken   []ChainBreak `json:"broken"`
}

// OK reports whether every chain verified.
func (r ChainReport) OK() bool { return len(r.Broken) == 0 }
