package main

import (
	"context"
	"sort"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

// exporter replays the stream once, folding who manages whom (for the
// manager column of the metrics table) and writing what q selects.
type exporter struct {
	q      domain.EventQuery
	pseudo *domain.Pseudonymizer // nil: clear

	managers    map[uuid.UUID]*uuid.UUID // as of the event being exported
	labels      map[uuid.UUID]string     // person id → pseudonym (or id in clear)
	undecodable int
	metricRows  int
	took        time.Duration
}

// run follows the stream from its start up to its last sequence at the
// time of the call, in order, and returns how many events it wrote.
func (x *exporter) run(ctx context.Context, store *eventstore.Store, sink sink, prog *progress) (int, error) {
	start := time.Now()
	defer func() { x.took = time.Since(start) }()
	last, err := store.LastSequence(ctx)
	if err != nil || last == 0 {
		return 0, err
	}
	x.managers, x.labels = map[uuid.UUID]*uuid.UUID{}, map[uuid.UUID]string{}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var n int
	var werr error
	var reached bool
	err = store.Follow(ctx, 0, func(seq uint64, e domain.Event, err error) {
		if seq > last || werr != nil {
			cancel()
			return
		}
		prog.at(seq, last)
		if err != nil {
			x.undecodable++
		} else if x.q.Match(e) {
			n++
			werr = x.write(sink, e)
		} else {
			x.fold(e)
		}
		if seq == last {
			reached = true
			cancel()
		}
	})
	prog.done()
	switch {
	case err != nil:
		return n, err
	case werr != nil:
		return n, werr
	case !reached:
		return n, errInterrupted
	}
	return n, nil
}

// fold keeps the reporting lines current.
func (x *exporter) fold(e domain.Event) {
	switch d := e.Data.(type) {
	case *domain.PersonRegistered:
		x.managers[e.PersonID] = d.ManagerID
	case *domain.ManagerChanged:
		x.managers[e.PersonID] = d.ManagerID
	}
}

// label is how a person appears in the tables.
func (x *exporter) label(id uuid.UUID) string {
	l, ok := x.labels[id]
	if !ok {
		l = id.String()
		if x.pseudo != nil {
			l = x.pseudo.Of(id)
		}
		x.labels[id] = l
	}
	return l
}

func (x *exporter) write(s sink, e domain.Event) error {
	x.fold(e)
	who := x.label(e.PersonID)
	row := eventRow{Sequence: int64(e.Sequence), Type: e.Type, Pseudonym: who, OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt}
	if err := s.event(row, func() any { return x.envelope(e) }); err != nil {
		return err
	}
	m, ok := e.Data.(*domain.MetricsSubmitted)
	if !ok {
		return nil
	}
	var mgr *string
	if id := x.managers[e.PersonID]; id != nil {
		l := x.label(*id)
		mgr = &l
	}
	keys := make([]string, 0, len(m.Values))
	for k := range m.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		x.metricRows++
		if err := s.metric(metricRow{
			Pseudonym: who, ManagerPseudonym: mgr, Period: m.Period.String(), Month: m.Period.Month().String(),
			Metric: k, Value: m.Values[k], RecordedAt: e.RecordedAt, Source: m.Source, Sequence: int64(e.Sequence),
		}); err != nil {
			return err
		}
	}
	return nil
}

// clearEnvelope is an exported envelope in clear, with its sequence.
type clearEnvelope struct {
	Sequence uint64 `json:"sequence"`
	domain.Event
}

// envelope is the NDJSON line of e: pseudonymized (text emptied in place)
// unless clear.
func (x *exporter) envelope(e domain.Event) any {
	if x.pseudo == nil {
		return clearEnvelope{e.Sequence, e}
	}
	return x.pseudo.Event(e)
}
