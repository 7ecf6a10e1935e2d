package projections

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// A block of steps fills whole chunks of the step store, so that each
// decoder writes only its own chunks.
const _ = -(snapBlockSteps % chunkSize) // compile error unless 0

// ReadSnapshot reads a snapshot written by WriteSnapshot into a new Set,
// re-folding its steps: the result answers every read as the written Set
// did. A snapshot of another version is ErrSnapshotVersion; a truncated or
// corrupt one is an error. One goroutine folds the steps in order (about
// half of the work) while the other cores decode blocks ahead of it, so r
// is read ahead of the fold.
func ReadSnapshot(r io.Reader) (*Set, error) {
	return readSnapshot(r, runtime.GOMAXPROCS(0)-1)
}

// readSnapshot is ReadSnapshot with workers decoding goroutines.
func readSnapshot(r io.Reader, workers int) (*Set, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 256<<10)
	}
	s := NewSet()
	rd := &snapReading{br: br, s: s, strs: &internTable{s: s}}
	if err := rd.readHeader(); err != nil {
		return nil, err
	}
	if err := rd.steps(workers); err != nil {
		return nil, err
	}
	for _, p := range rd.people {
		if sp := s.people[p.id]; sp != nil {
			sp.Version = p.version
		}
	}
	s.seq = rd.seq
	return s, nil
}

// snapReading is the state of one ReadSnapshot.
type snapReading struct {
	br      *bufio.Reader
	s       *Set
	strs    *internTable
	keySets []*[]string
	seq     uint64
	n       uint64
	people  []snapPerson
	folded  []*person // by index in people, once registered
	odd     map[uint32]string
}

// internTable interns the snapshot's short strings in the Set for every
// decoding goroutine; each keeps a cache of its own in front of it.
type internTable struct {
	mu sync.Mutex
	s  *Set
}

func (t *internTable) get(b []byte) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if v, ok := t.s.strings[string(b)]; ok {
		return v
	}
	return t.s.intern(string(b))
}

func (rd *snapReading) reader() *snapReader {
	return &snapReader{strs: rd.strs, local: map[string]string{}, keySets: rd.keySets, shapes: map[metricsShape]*metricsShape{}}
}

func (rd *snapReading) readHeader() error {
	r := rd.reader()
	if _, err := r.next(rd.br, rd.br, nil); err != nil {
		return err
	}
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
	s := rd.s
	for range r.int(len(r.b)) {
		s.internActor(domain.Actor{ID: r.str(), Role: domain.Role(r.str())})
	}
	rd.people = make([]snapPerson, r.int(len(r.b)/17))
	for k := range rd.people {
		rd.people[k] = snapPerson{id: r.uuid(), version: r.uvarint()}
	}
	rd.folded = make([]*person, len(rd.people))
	s.people = make(map[uuid.UUID]*person, len(rd.people))
	rd.odd = map[uint32]string{}
	for range r.int(len(r.b)) {
		i := r.int(1<<32 - 1)
		rd.odd[uint32(i)] = r.str()
	}
	rd.keySets = make([]*[]string, r.int(len(r.b)))
	for k := range rd.keySets {
		rd.keySets[k] = keySet(r, s)
	}
	if r.err != nil || len(r.b) != 0 {
		return errCorrupt
	}
	if rd.n > 0 && (len(rd.people) == 0 || len(s.actors) == 0) {
		return errCorrupt // a step needs a journal and an actor
	}
	return nil
}

// keySet reads one metric key set and interns it in the Set, as
// compactMetrics would have.
func keySet(r *snapReader, s *Set) *[]string {
	keys := make([]string, r.int(len(r.b)))
	var buf []byte
	for k := range keys {
		keys[k] = r.enum()
		buf = appendKey(buf, keys[k])
	}
	if set, ok := s.keySets[string(buf)]; ok {
		return set
	}
	s.keySets[string(buf)] = &keys
	return &keys
}

// appendKey appends one key of a key set as compactMetrics spells it.
func appendKey(buf []byte, k string) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(k))), k...)
}
