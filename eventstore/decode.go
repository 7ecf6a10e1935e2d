package eventstore

import (
	"fmt"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventjson"
	"github.com/google/uuid"
)

// decodeStored decodes a stored envelope and checks that it belongs where it
// is stored: journal.<person_id>.<type>. Text fields stay encrypted.
func decodeStored(subject string, data []byte) (domain.Event, error) {
	e, err := eventjson.Decode(data)
	if err != nil {
		return domain.Event{}, err
	}
	if !subjectMatches(subject, e.PersonID, e.Type) {
		return domain.Event{}, fmt.Errorf("event %s of %s (%s) is stored on subject %q", e.ID, e.PersonID, e.Type, subject)
	}
	return e, nil
}

// subjectMatches checks subject == Subject(id, typ) without allocating.
func subjectMatches(subject string, id uuid.UUID, typ string) bool {
	const idLen = 36
	p := len(subjectPrefix)
	if len(subject) != p+idLen+1+len(typ) || subject[:p] != subjectPrefix || subject[p+idLen] != '.' {
		return false
	}
	sid, err := uuid.Parse(subject[p : p+idLen])
	return err == nil && sid == id && subject[p+idLen+1:] == typ
}
