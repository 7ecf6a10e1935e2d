package eventstore

import (
	"context"
	"runtime"
	"sync"

	"github.com/coachjournal/coachjournal/domain"
)

// followBatchSize is how many messages a Follow worker decodes at a time.
const followBatchSize = 256

// Decoding an envelope costs far more than receiving it, so Follow decodes
// batches on every core and hands the results to h in stream order.
type followPipeline struct {
	jobs    chan *followBatch // to the workers
	order   chan *followBatch // to the deliverer, in stream order
	workers sync.WaitGroup
	done    chan struct{} // closed when the deliverer has returned
}

type followBatch struct {
	msgs []followMsg
	out  []followResult
	done chan struct{} // closed when out is complete
}

type followMsg struct {
	seq     uint64
	subject string
	data    []byte
}

type followResult struct {
	e   domain.Event
	err error
	ok  bool // false: skipped because ctx ended
}

func (s *Store) startPipeline(ctx context.Context, h func(uint64, domain.Event, error)) *followPipeline {
	n := runtime.GOMAXPROCS(0)
	p := &followPipeline{jobs: make(chan *followBatch, 2*n), order: make(chan *followBatch, 4*n), done: make(chan struct{})}
	for range n {
		p.workers.Go(func() {
			d := decrypter{keys: s.keys}
			for b := range p.jobs {
				s.decodeBatch(ctx, &d, b)
				close(b.done)
			}
		})
	}
	go func() {
		defer close(p.done)
		var passed uint64 // the last sequence passed on
		for b := range p.order {
			select {
			case <-b.done:
			case <-ctx.Done():
				continue // drain without calling h
			}
			for i, r := range b.out {
				if r.ok && ctx.Err() == nil {
					if r.err != nil && r.err != ErrMarker { // a marker is no damage (org.go)
						s.log.Warn("follow: a stored message cannot be read; it is passed on as an error", "sequence", b.msgs[i].seq, "err", r.err)
					}
					if seq := b.msgs[i].seq; passed != 0 && seq != passed+1 {
						s.log.Error("follow: passed on out of order", "after", passed, "sequence", seq)
					}
					passed = b.msgs[i].seq
					h(b.msgs[i].seq, r.e, r.err)
				}
			}
		}
	}()
	return p
}

// submit queues a batch for decoding and, in order, for delivery.
func (p *followPipeline) submit(ctx context.Context, b *followBatch) {
	select {
	case p.order <- b:
	case <-ctx.Done():
		return
	}
	select {
	case p.jobs <- b:
	case <-ctx.Done():
	}
}

// stop waits for the workers and the deliverer; no h runs after it returns.
func (p *followPipeline) stop() {
	close(p.jobs)
	close(p.order)
	p.workers.Wait()
	<-p.done
}

func (s *Store) decodeBatch(ctx context.Context, d *decrypter, b *followBatch) {
	b.out = make([]followResult, len(b.msgs))
	for i, m := range b.msgs {
		if IsMarker(m.subject) { // delivered for its sequence, not as an event (org.go)
			b.out[i] = followResult{err: ErrMarker, ok: true}
			continue
		}
		e, err := decodeStored(m.subject, m.data)
		if err != nil {
			b.out[i] = followResult{err: err, ok: true}
			continue
		}
		if !s.openPatiently(ctx, d, &e) {
			return
		}
		e.Sequence = m.seq
		b.out[i] = followResult{e: e, ok: true}
	}
}
