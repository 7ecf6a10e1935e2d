package projections

import (
	"github.com/google/uuid"
)

// fixIDs gives every event of f a fixed id, derived from its position, so
// that outputs holding event ids are deterministic.
func fixIDs(f *feed) {
	ns := uuid.MustParse("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
	for k := range f.events {
		f.events[k].ID = uuid.NewSHA1(ns, []byte{byte(k >> 8), byte(k)})
	}
}

// fixedID returns a deterministic id for name.
func fixedID(name string) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("coachjournal-test/"+name))
}
