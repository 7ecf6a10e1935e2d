package projections

import (
	"sync"

	"github.com/coachjournal/coachjournal/domain"
)

// snapBlock is one block of steps on its way from the file to the fold.
type snapBlock struct {
	first  uint32             // the Set's index of its first step
	count  int                // its steps: snapBlockSteps but in the last block
	buf    []byte             // what it was read into, for reuse
	body   []byte             // its bytes, checksum verified
	chunks []*[chunkSize]step // its steps, decoded in place
	who    []uint32           // each step's journal, an index into the header's people
	err    error              // of reading or decoding it
	done   chan struct{}      // closed once decoded (or failed)
}

// steps reads the blocks of steps and the trailer. One goroutine reads
// blocks off the file, workers decode them (envelope fields and data, into
// chunks of their own), and this goroutine folds them in stream order: the
// fold is sequential, decoding is not. At most 2×workers+2 blocks are in
// flight.
func (rd *snapReading) steps(workers int) error {
	nBlocks := int((rd.n + snapBlockSteps - 1) / snapBlockSteps)
	workers = max(1, min(workers, nBlocks))
	ordered := make(chan *snapBlock, 2*workers+2)
	work := make(chan *snapBlock, 2*workers+2)
	free := make(chan []byte, 2*workers+4)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait() // no goroutine outlives the read
	defer close(quit)
	wg.Go(func() { rd.split(nBlocks, ordered, work, free, quit) })
	for range workers {
		wg.Go(func() {
			r := rd.reader()
			for b := range work {
				rd.decode(r, b)
				select {
				case free <- b.buf:
				default:
				}
				b.buf, b.body = nil, nil
				close(b.done)
			}
		})
	}
	var lastSeq uint64
	for b := range ordered {
		<-b.done
		if b.err != nil {
			return b.err
		}
		if b.count == 0 { // the trailer, checked by split
			if lastSeq > rd.seq {
				return errCorrupt
			}
			return nil
		}
		if err := rd.fold(b, &lastSeq); err != nil {
			return err
		}
	}
	return errCorrupt // split stopped early: unreachable without an error block
}

// split reads nBlocks blocks of steps, hands each to the decoders and,
// in order, to the fold; then it reads the trailer and hands on a block
// with count 0 (or an error).
func (rd *snapReading) split(nBlocks int, ordered, work chan<- *snapBlock, free chan []byte, quit <-chan struct{}) {
	defer close(ordered)
	defer close(work)
	send := func(c chan<- *snapBlock, b *snapBlock) bool {
		select {
		case c <- b:
			return true
		case <-quit:
			return false
		}
	}
	var rb rbuf
	for k := range nBlocks {
		b := &snapBlock{first: uint32(k * snapBlockSteps), count: int(min(snapBlockSteps, rd.n-uint64(k)*snapBlockSteps)), done: make(chan struct{})}
		select {
		case b.buf = <-free:
		default:
		}
		b.buf, b.err = rb.next(rd.br, rd.br, b.buf)
		if b.err != nil {
			close(b.done)
			send(ordered, b)
			return
		}
		b.body = rb.b
		b.chunks = make([]*[chunkSize]step, (b.count+chunkSize-1)/chunkSize)
		for c := range b.chunks {
			b.chunks[c] = new([chunkSize]step)
		}
		if !send(ordered, b) || !send(work, b) {
			return
		}
	}
	end := &snapBlock{done: make(chan struct{})}
	close(end.done)
	if _, end.err = rb.next(rd.br, rd.br, nil); end.err == nil {
		if rb.str() != snapTrailer || rb.err != nil || len(rb.b) != 0 {
			end.err = errCorrupt
		}
	}
	send(ordered, end)
}

// decode reads block b's steps into its chunks.
func (rd *snapReading) decode(r *snapReader, b *snapBlock) {
	r.b, r.err = b.body, nil
	if r.int(snapBlockSteps) != b.count {
		b.err = errCorrupt
		return
	}
	b.who = make([]uint32, b.count)
	nPeople, nActors := len(rd.people), len(rd.s.actors)
	var prev step
	for j := range b.count {
		st := &b.chunks[j/chunkSize][j%chunkSize]
		b.who[j] = uint32(r.int(nPeople - 1))
		st.seq = prev.seq + r.uvarint()
		st.id = r.uuid()
		st.occ, st.occNs = prev.occ+r.varint(), uint32(r.int(1e9-1))
		st.rec, st.recNs = prev.rec+r.varint(), uint32(r.int(1e9-1))
		st.actor = uint32(r.int(nActors - 1))
		if st.hashOK = r.bool(); st.hashOK {
			copy(st.hash[:], r.bytes(32))
		}
		data := r.data()
		if r.err != nil || st.seq <= prev.seq {
			b.err = errCorrupt
			return
		}
		st.data, st.typ = data, rd.s.typeIndex[data.EventType()]
		prev.seq, prev.occ, prev.rec = st.seq, st.occ, st.rec
	}
	if len(r.b) != 0 {
		b.err = errCorrupt
	}
}

// fold adds block b's chunks to the Set and folds its steps, in order.
func (rd *snapReading) fold(b *snapBlock, lastSeq *uint64) error {
	s := rd.s
	s.steps.chunks = append(s.steps.chunks, b.chunks...)
	for j := range b.count {
		i := b.first + uint32(j)
		st := s.steps.at(i)
		if st.seq <= *lastSeq {
			return errCorrupt
		}
		*lastSeq = st.seq
		s.steps.n = i + 1
		if h, ok := rd.odd[i]; ok && !st.hashOK {
			s.oddHash[i] = h
		}
		who := b.who[j]
		e := domain.Event{PersonID: rd.people[who].id, Actor: s.actors[st.actor]}
		p := rd.folded[who]
		reg, registering := st.data.(*domain.PersonRegistered)
		switch {
		case registering && (p != nil || s.people[e.PersonID] != nil), !registering && p == nil:
			return errCorrupt
		case registering:
			e.RecordedAt = st.recordedAt()
			p = s.register(st.seq, &e, reg)
			// The journal's version bounds its steps: one allocation.
			p.steps = make([]uint32, 0, min(rd.people[who].version, rd.n-uint64(i)))
			rd.folded[who] = p
		}
		p.addStep(i, st.seq)
		s.fold(p, i, &e, st.data)
	}
	return nil
}
