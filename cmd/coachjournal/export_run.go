package main

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections"
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

	// For the scorecards table (--scorecards): a projection set fed with
	// what a scorecard reads, and the months of the submissions exported.
	cards         *projections.Set
	cardMonths    map[uuid.UUID]map[domain.Period]bool
	scorecardRows int
}

// scorecardInput are the event types a scorecard is computed from: the
// org tree, the standards and the numbers. Only they go into x.cards, so
// the export's memory grows with the submissions, not with every event.
var scorecardInput = map[string]bool{
	domain.TypePersonRegistered: true, domain.TypeManagerChanged: true,
	domain.TypeStandardSet: true, domain.TypeMetricsSubmitted: true,
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
	if sink.wantsScorecards() {
		x.cards, x.cardMonths = projections.NewSet(), map[uuid.UUID]map[domain.Period]bool{}
	}
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
		if err == nil && x.cards != nil && scorecardInput[e.Type] {
			x.cards.Apply(seq, e, nil)
		}
		switch {
		case errors.Is(err, eventstore.ErrMarker): // an org marker: no event
		case err != nil:
			x.undecodable++
		case x.q.Match(e):
			n++
			werr = x.write(sink, e)
		default:
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
	return n, x.writeScorecards(sink)
}

// writeScorecards writes the scorecard of every person and month that an
// exported submission counts in, ordered by person (as labelled) and month.
func (x *exporter) writeScorecards(s sink) error {
	if x.cards == nil {
		return nil
	}
	ids := make([]uuid.UUID, 0, len(x.cardMonths))
	for id := range x.cardMonths {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return x.label(ids[a]) < x.label(ids[b]) })
	for _, id := range ids {
		months := make([]domain.Period, 0, len(x.cardMonths[id]))
		for m := range x.cardMonths[id] {
			months = append(months, m)
		}
		sort.Slice(months, func(a, b int) bool { return months[a].Start().Before(months[b].Start()) })
		for _, m := range months {
			card := x.cards.Scorecard(id, m, time.Time{})
			for _, r := range card.Metrics {
				x.scorecardRows++
				if err := s.scorecard(scorecardRow{Pseudonym: x.label(id), Month: m.String(), Metric: r.Metric, Kind: r.Kind,
					Derived: r.Derived, Target: r.Target, Actual: r.Actual, Attainment: r.Attainment}); err != nil {
					return err
				}
			}
		}
	}
	return nil
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
	if x.cardMonths != nil {
		if x.cardMonths[e.PersonID] == nil {
			x.cardMonths[e.PersonID] = map[domain.Period]bool{}
		}
		x.cardMonths[e.PersonID][m.Period.Month()] = true
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
