package eventstore

import (
	"strings"

	"github.com/google/uuid"

	"github.com/coachjournal/coachjournal/domain"
)

// The stream stores each event on its journal's subject,
// journal.<person_id>.<type>: the server filters by journal and by type, and
// a journal's last subject sequence is the optimistic lock of its appends.
// Domain knows journals and event types; the subjects are the store's.

// subjectPrefix begins every journal subject.
const subjectPrefix = "journal."

// Subject returns the subject of an event of this type in id's journal.
func Subject(personID uuid.UUID, eventType string) string {
	return subjectPrefix + personID.String() + "." + eventType
}

// AllJournals is the subject filter of every journal's events. The stream
// also holds org markers (org.go), which are outside it.
const AllJournals = subjectPrefix + ">"

// JournalSubjects returns the wildcard subject of one person's journal.
func JournalSubjects(personID uuid.UUID) string {
	return subjectPrefix + personID.String() + ".>"
}

// querySubjects returns the subject filter of q's Type: the server filters
// by type; without one, every journal (not the org markers). Type must be
// valid (domain.ValidType).
func querySubjects(q domain.EventQuery) string {
	switch {
	case q.Type == "":
		return AllJournals
	case strings.HasSuffix(q.Type, "."):
		return subjectPrefix + "*." + q.Type + ">"
	}
	return subjectPrefix + "*." + q.Type
}

// journalOf returns the person id part of journal.<id>.<type…>, or the
// whole subject when it is not a journal's.
func journalOf(subject string) string {
	rest, ok := strings.CutPrefix(subject, subjectPrefix)
	if !ok {
		return subject
	}
	id, _, _ := strings.Cut(rest, ".")
	return id
}
