package projections

import (
	"bufio"
	"encoding/binary"
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
// from the steps changes.
const SnapshotVersion = 1

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
		if m, ok := d.(*metricsData); ok && m.keys != nil && sw.keySets[m.keys] == 0 {
			sets = append(sets, m.keys)
			sw.keySets[m.keys] = uint64(len(sets))
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
		}
		sw.uvarint(uint64(personOf[i]))
		writeStep(sw, st, &prev)
		if !sw.data(v.data[i]) {
			return fmt.Errorf("projections: snapshot: unknown data type %T", v.data[i])
		}
		prev = *st
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

// ReadSnapshot reads a snapshot written by WriteSnapshot into a new Set,
// re-folding its steps: the result answers every read as the written Set
// did. A snapshot of another version is ErrSnapshotVersion; a truncated or
// corrupt one is an error.
func ReadSnapshot(r io.Reader) (*Set, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 256<<10)
	}
	rd := &snapReading{br: br, r: snapReader{s: NewSet()}}
	if err := rd.run(); err != nil {
		return nil, err
	}
	return rd.r.s, nil
}

// snapReading is the state of one ReadSnapshot.
type snapReading struct {
	br      *bufio.Reader
	r       snapReader
	scratch []byte
	seq     uint64
	n       uint64
	people  []snapPerson
	odd     map[uint32]string
}

func (rd *snapReading) next() error {
	var err error
	rd.scratch, err = rd.r.next(rd.br, rd.br, rd.scratch)
	return err
}

func (rd *snapReading) run() error {
	if err := rd.next(); err != nil {
		return err
	}
	if err := rd.readHeader(); err != nil {
		return err
	}
	s := rd.r.s
	var prev step
	for done := uint64(0); done < rd.n; {
		if err := rd.next(); err != nil {
			return err
		}
		k := rd.r.int(snapBlockSteps)
		if k == 0 || done+uint64(k) > rd.n {
			return errCorrupt
		}
		for range k {
			if err := rd.restore(&prev); err != nil {
				return err
			}
		}
		if len(rd.r.b) != 0 {
			return errCorrupt
		}
		done += uint64(k)
	}
	if err := rd.next(); err != nil {
		return err
	}
	if rd.r.str() != snapTrailer || rd.r.err != nil || prev.seq > rd.seq {
		return errCorrupt
	}
	for _, p := range rd.people {
		if sp := s.people[p.id]; sp != nil {
			sp.Version = p.version
		}
	}
	s.seq = rd.seq
	return nil
}

func (rd *snapReading) readHeader() error {
	r := &rd.r
	if r.str() != snapMagic {
		return errCorrupt
	}
	if v := r.uvarint(); r.err == nil && v != SnapshotVersion {
		return fmt.Errorf("%w: %d, want %d", ErrSnapshotVersion, v, SnapshotVersion)
	}
	rd.seq, rd.n = r.uvarint(), r.uvarint()
	if rd.n >= 1<<32 {
		return errCorrupt
	}
	s := r.s
	for range r.int(len(r.b)) {
		s.internActor(domain.Actor{ID: r.str(), Role: domain.Role(r.str())})
	}
	rd.people = make([]snapPerson, r.int(len(r.b)/17))
	for k := range rd.people {
		rd.people[k] = snapPerson{id: r.uuid(), version: r.uvarint()}
	}
	rd.odd = map[uint32]string{}
	for range r.int(len(r.b)) {
		i := r.int(1<<32 - 1)
		rd.odd[uint32(i)] = r.str()
	}
	r.keySets = make([]*[]string, r.int(len(r.b)))
	for k := range r.keySets {
		r.keySets[k] = rd.keySet()
	}
	if r.err != nil || len(r.b) != 0 {
		return errCorrupt
	}
	return nil
}

// keySet reads one metric key set and interns it in the Set, as
// compactMetrics would have.
func (rd *snapReading) keySet() *[]string {
	r := &rd.r
	keys := make([]string, r.int(len(r.b)))
	var buf []byte
	for k := range keys {
		keys[k] = r.enum()
		buf = appendKey(buf, keys[k])
	}
	if set, ok := r.s.keySets[string(buf)]; ok {
		return set
	}
	r.s.keySets[string(buf)] = &keys
	return &keys
}

// appendKey appends one key of a key set as compactMetrics spells it.
func appendKey(buf []byte, k string) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(k))), k...)
}

// restore reads one step, stores it and folds it.
func (rd *snapReading) restore(prev *step) error {
	r, s := &rd.r, rd.r.s
	if len(rd.people) == 0 || len(s.actors) == 0 {
		return errCorrupt
	}
	who := r.int(len(rd.people) - 1)
	i, st := s.steps.add()
	st.seq = prev.seq + r.uvarint()
	st.id = r.uuid()
	st.occ, st.occNs = prev.occ+r.varint(), uint32(r.int(1e9-1))
	st.rec, st.recNs = prev.rec+r.varint(), uint32(r.int(1e9-1))
	st.actor = uint32(r.int(len(s.actors) - 1))
	if st.hashOK = r.bool(); st.hashOK {
		copy(st.hash[:], r.bytes(32))
	} else if h, ok := rd.odd[i]; ok {
		s.oddHash[i] = h
	}
	data := r.data()
	if r.err != nil || st.seq <= prev.seq {
		return errCorrupt
	}
	st.data, st.typ = data, s.typeIndex[data.EventType()]
	*prev = *st
	e := domain.Event{PersonID: rd.people[who].id, Actor: s.actors[st.actor]}
	p := s.people[e.PersonID]
	reg, registering := data.(*domain.PersonRegistered)
	switch {
	case registering && p != nil, !registering && p == nil:
		return errCorrupt
	case registering:
		e.RecordedAt = st.recordedAt()
		p = s.register(st.seq, &e, reg)
	}
	p.steps = append(p.steps, i)
	s.fold(p, i, &e, data)
	return nil
}
