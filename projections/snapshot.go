package projections

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// SnapshotVersion is the version of the snapshot format and of the fold it
// feeds. ReadSnapshot refuses any other version, and the caller rebuilds
// from the stream: bump it whenever the format or what the fold derives
// from the steps changes. Version 2: each block of steps stands alone (its
// deltas start from zero), so that blocks decode in parallel.
const SnapshotVersion = 2

// ErrSnapshotVersion is returned by ReadSnapshot for a snapshot written by
// another SnapshotVersion.
var ErrSnapshotVersion = errors.New("projections: snapshot of another version")

const (
	snapMagic      = "coachjournal projections"
	snapTrailer    = "end"
	snapBlockSteps = 4096 // steps per block
)

// A snapshot holds the Set's primary data only: every stored step (the
// event as applied, erased data already swapped in), which journal it
// belongs to, each journal's version and the sequence. Everything else
// (people, commitments, PIPs, the scorecard and cadence indexes) is derived
// by the fold, so ReadSnapshot re-folds the steps into a fresh Set: the
// format cannot drift from the models, and the fold from memory costs a
// fraction of decoding the stream.

// snapView is what WriteSnapshot copies under the read lock. Stored steps
// are never rewritten except their data (erasure swaps it), so the rest
// of each step is read after the lock is released.
type snapView struct {
	seq     uint64
	n       uint32
	chunks  []*[chunkSize]step
	data    []domain.Data
	actors  []domain.Actor
	people  []snapPerson
	oddHash map[uint32]string
}

type snapPerson struct {
	id      uuid.UUID
	version uint64
	steps   []uint32
}

// view copies what a snapshot needs; Apply waits only for this.
func (s *Set) view() *snapView {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := &snapView{seq: s.seq, n: s.steps.n, chunks: slices.Clone(s.steps.chunks), actors: s.actors,
		data: make([]domain.Data, s.steps.n), people: make([]snapPerson, len(s.order)), oddHash: maps.Clone(s.oddHash)}
	for i := range v.data {
		v.data[i] = s.steps.at(uint32(i)).data
	}
	for k, p := range s.order {
		v.people[k] = snapPerson{id: p.ID, version: p.Version, steps: p.steps}
	}
	return v
}

func (v *snapView) at(i uint32) *step { return &v.chunks[i>>chunkBits][i&(chunkSize-1)] }

// WriteSnapshot writes the Set's state to w in the snapshot format
// (SnapshotVersion). It holds the read lock only while copying the step
// data references, so Apply and readers go on while it encodes. The
// output holds personal text in clear: encrypt it.
func (s *Set) WriteSnapshot(w io.Writer) error {
	v := s.view()
	personOf := make([]uint32, v.n)
	for k, p := range v.people {
		for _, i := range p.steps {
			personOf[i] = uint32(k)
		}
	}
	sw := &snapWriter{keySets: map[*[]string]uint64{}}
	var sets []*[]string
	for _, d := range v.data {
		if m, ok := d.(*metricsData); ok && m.shape.keys != nil && sw.keySets[m.shape.keys] == 0 {
			sets = append(sets, m.shape.keys)
			sw.keySets[m.shape.keys] = uint64(len(sets))
		}
	}
	v.writeHeader(sw, sets)
	if err := sw.flush(w); err != nil {
		return err
	}
	var prev step
	for i := range v.n {
		st := v.at(i)
		if i%snapBlockSteps == 0 {
			if i > 0 {
				if err := sw.flush(w); err != nil {
					return err
				}
			}
			sw.uvarint(uint64(min(snapBlockSteps, v.n-i)))
			prev = step{} // a block's deltas start from zero: it decodes alone
		}
		sw.uvarint(uint64(personOf[i]))
		writeStep(sw, st, &prev)
		if !sw.data(v.data[i]) {
			return fmt.Errorf("projections: snapshot: unknown data type %T", v.data[i])
		}
		// Only the delta bases: st.data may be swapped by an erasure
		// meanwhile, and v.data holds the reference taken under the lock.
		prev.seq, prev.occ, prev.rec = st.seq, st.occ, st.rec
	}
	if v.n > 0 {
		if err := sw.flush(w); err != nil {
			return err
		}
	}
	sw.str(snapTrailer)
	return sw.flush(w)
}

func (v *snapView) writeHeader(w *snapWriter, sets []*[]string) {
	w.str(snapMagic)
	w.uvarint(SnapshotVersion)
	w.uvarint(v.seq)
	w.uvarint(uint64(v.n))
	w.uvarint(uint64(len(v.actors)))
	for _, a := range v.actors {
		w.str(a.ID)
		w.str(string(a.Role))
	}
	w.uvarint(uint64(len(v.people)))
	for _, p := range v.people {
		w.uuid(p.id)
		w.uvarint(p.version)
	}
	w.uvarint(uint64(len(v.oddHash)))
	for _, i := range slices.Sorted(maps.Keys(v.oddHash)) {
		w.uvarint(uint64(i))
		w.str(v.oddHash[i])
	}
	w.uvarint(uint64(len(sets)))
	for _, set := range sets {
		w.uvarint(uint64(len(*set)))
		for _, k := range *set {
			w.str(k)
		}
	}
}

// writeStep writes a step's envelope fields; sequences and seconds as
// deltas from the previous step.
func writeStep(w *snapWriter, st, prev *step) {
	w.uvarint(st.seq - prev.seq)
	w.uuid(st.id)
	w.varint(st.occ - prev.occ)
	w.uvarint(uint64(st.occNs))
	w.varint(st.rec - prev.rec)
	w.uvarint(uint64(st.recNs))
	w.uvarint(uint64(st.actor))
	w.bool(st.hashOK)
	if st.hashOK {
		w.b = append(w.b, st.hash[:]...)
	}
}
