package projections

import (
	"encoding/hex"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// Step is one event as shown in histories and the timeline.
type Step struct {
	Sequence   uint64       `json:"sequence"`
	EventID    uuid.UUID    `json:"event_id"`
	Type       string       `json:"type"`
	Actor      domain.Actor `json:"actor"`
	OccurredAt time.Time    `json:"occurred_at"`
	RecordedAt time.Time    `json:"recorded_at"`
	Hash       string       `json:"hash"`
	Summary    string       `json:"summary"` // one human line, built at read time
	Data       domain.Data  `json:"data"`
}

// step is a stored event, packed: times as Unix seconds and nanoseconds
// (read back in UTC), actor and type as indexes into intern tables, the
// hash as its 32 bytes.
type step struct {
	seq          uint64
	id           uuid.UUID
	occ, rec     int64
	occNs, recNs uint32
	actor        uint32
	typ          uint8
	hashOK       bool // hash holds the event's hash; else see Set.oddHash
	hash         [32]byte
	data         domain.Data
}

// chunkSize steps are allocated at once: the store grows without copying.
const chunkBits = 10
const chunkSize = 1 << chunkBits

// stepStore is an append-only array of steps, in chunks.
type stepStore struct {
	chunks []*[chunkSize]step
	n      uint32
}

func (st *stepStore) add() (uint32, *step) {
	i := st.n
	if int(i>>chunkBits) == len(st.chunks) {
		st.chunks = append(st.chunks, new([chunkSize]step))
	}
	st.n++
	return i, &st.chunks[i>>chunkBits][i&(chunkSize-1)]
}

func (st *stepStore) at(i uint32) *step { return &st.chunks[i>>chunkBits][i&(chunkSize-1)] }

// store records e as a new step and returns its index.
func (s *Set) store(seq uint64, e *domain.Event, data domain.Data) uint32 {
	i, st := s.steps.add()
	st.seq = seq
	st.id = e.ID
	st.occ, st.occNs = e.OccurredAt.Unix(), uint32(e.OccurredAt.Nanosecond())
	st.rec, st.recNs = e.RecordedAt.Unix(), uint32(e.RecordedAt.Nanosecond())
	st.actor = s.internActor(e.Actor)
	st.typ = s.typeIndex[data.EventType()]
	st.data = data
	if len(e.Hash) == 64 {
		if _, err := hex.Decode(st.hash[:], []byte(e.Hash)); err == nil && hex.EncodeToString(st.hash[:]) == e.Hash {
			st.hashOK = true
		}
	}
	if !st.hashOK && e.Hash != "" {
		s.oddHash[i] = e.Hash
	}
	return i
}

func (s *Set) internActor(a domain.Actor) uint32 {
	if i, ok := s.actorIndex[a]; ok {
		return i
	}
	i := uint32(len(s.actors))
	s.actors = append(s.actors, a)
	s.actorIndex[a] = i
	return i
}

func (st *step) occurredAt() time.Time { return time.Unix(st.occ, int64(st.occNs)).UTC() }
func (st *step) recordedAt() time.Time { return time.Unix(st.rec, int64(st.recNs)).UTC() }

// stepAt builds the public Step of stored step i.
func (s *Set) stepAt(i uint32) Step { return s.stepIn(i, isoWords) }

// stepIn is stepAt with its summary's dates and periods written by w.
func (s *Set) stepIn(i uint32, w Words) Step {
	st := s.steps.at(i)
	out := s.bareStep(st, w)
	out.Hash, out.Data = s.hashOf(i, st), exposed(st.data)
	return out
}

// pageStep is stepIn as a page shows it: no Hash, and no Data for a
// metrics submission (TimelineNewest).
func (s *Set) pageStep(i uint32, w Words) Step {
	st := s.steps.at(i)
	out := s.bareStep(st, w)
	if _, metrics := st.data.(*metricsData); !metrics {
		out.Data = st.data
	}
	return out
}

// bareStep is the public Step of st without its Hash and Data.
func (s *Set) bareStep(st *step, w Words) Step {
	return Step{
		Sequence:   st.seq,
		EventID:    st.id,
		Type:       s.types[st.typ],
		Actor:      s.actors[st.actor],
		OccurredAt: st.occurredAt(),
		RecordedAt: st.recordedAt(),
		Summary:    s.summaryOf(st.data, w),
	}
}

func (s *Set) hashOf(i uint32, st *step) string {
	if st.hashOK {
		return hex.EncodeToString(st.hash[:])
	}
	return s.oddHash[i]
}

// stepsAt builds the public Steps of stored steps idx, in a new slice.
func (s *Set) stepsAt(idx []uint32) []Step {
	out := make([]Step, len(idx))
	for k, i := range idx {
		out[k] = s.stepAt(i)
	}
	return out
}
