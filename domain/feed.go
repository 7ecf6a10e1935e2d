package domain

import (
	"regexp"
	"strings"
	"time"
)

// EventQuery selects events of the whole stream, in stream order, for the
// event feed, its live tail and exports.
type EventQuery struct {
	After uint64 // only events stored after this stream sequence
	Limit int    // at most this many events (a page); <= 0: no limit
	// Type is an exact event type ("commitment.made") or a prefix ending
	// in "." ("commitment."); empty: every type.
	Type     string
	From, To time.Time // by occurred_at, inclusive From, exclusive To; zero = unbounded
	// Text asks for the personal text in clear; without it text fields keep
	// what is stored (ciphertext), which suits readers that drop them.
	Text bool
}

// EventPage is one page of an EventQuery.
type EventPage struct {
	Events []Event
	// Last is the last stream sequence examined (at least After): the next
	// page starts after it, even when no event on this page matched.
	Last uint64
	// More reports whether the stream held messages after Last when read.
	More bool
}

var typeFilter = regexp.MustCompile(`^[a-z][a-z_]*(\.[a-z][a-z_]*)*\.?$`)

// ValidType reports whether t is a valid EventQuery.Type.
func ValidType(t string) bool { return t == "" || (len(t) <= 64 && typeFilter.MatchString(t)) }

// Match reports whether e passes q's filters (type and time; not the cursor).
func (q EventQuery) Match(e Event) bool {
	if q.Type != "" && e.Type != q.Type && !(strings.HasSuffix(q.Type, ".") && strings.HasPrefix(e.Type, q.Type)) {
		return false
	}
	return (q.From.IsZero() || !e.OccurredAt.Before(q.From)) && (q.To.IsZero() || e.OccurredAt.Before(q.To))
}
