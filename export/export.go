// Package export replays the event stream into files an analyst opens in
// a notebook or DuckDB: NDJSON envelopes, or CSV and Parquet tables of
// metrics, events and scorecards, by time range and type, pseudonymized
// unless an admin asks for clear text. The CLI (coachjournal export)
// writes files; the API (GET /v1/export) streams one of them to a client.
//
// The export streams: it reads the stream once, in order, and holds only
// the reporting lines (for the manager column) and a buffer per table, so
// its memory does not grow with the history. The scorecards table is the
// exception: it holds what the scorecards are computed from (about 300
// bytes per metrics submission) until the end.
package export

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
)

// Source is the stream an export reads: the event store (eventstore.Store,
// api.Journals).
type Source interface {
	// LastSequence is the stream's last sequence; KindUnavailable when unreachable.
	LastSequence(ctx context.Context) (uint64, error)
	// Follow calls h for every event stored after sequence after, in
	// order, then for each new one, until ctx is done.
	Follow(ctx context.Context, after uint64, h func(seq uint64, e domain.Event, err error)) error
}

// ErrInterrupted is Run's error when the stream ended (ctx done, the
// client gone) before its last sequence at the start.
var ErrInterrupted = errors.New("export interrupted before the end of the stream; no output written")

// Exporter replays the stream once, folding who manages whom (for the
// manager column of the metrics table) and writing what Query selects.
type Exporter struct {
	Query    domain.EventQuery
	Pseudo   *domain.Pseudonymizer  // nil: person ids and text in clear
	Progress func(seq, last uint64) // nil: none; called for every sequence read

	managers map[uuid.UUID]*uuid.UUID // as of the event being exported
	labels   map[uuid.UUID]string     // person id → pseudonym (or id in clear)
	stats    Stats

	// For the scorecards table: a projection set fed with what a scorecard
	// reads, and the months of the submissions exported.
	cards      *projections.Set
	cardMonths map[uuid.UUID]map[domain.Period]bool
}

// Stats says what an export wrote.
type Stats struct {
	Last          uint64 // the stream's last sequence when the export started: it reads up to here
	Events        int    // events that matched the query
	MetricRows    int
	ScorecardRows int
	Undecodable   int // messages skipped (run verify)
	Took          time.Duration
}

// scorecardInput are the event types a scorecard is computed from: the
// org tree, the standards and the numbers. Only they go into x.cards, so
// the export's memory grows with the submissions, not with every event.
var scorecardInput = map[string]bool{
	domain.TypePersonRegistered: true, domain.TypeManagerChanged: true,
	domain.TypeStandardSet: true, domain.TypeMetricsSubmitted: true,
}

// Run follows src from its start up to its last sequence at the time of
// the call, in order, and writes what the query selects to out; the caller
// then closes out (or aborts it on an error). Errors: src's, out's
// writers', and ErrInterrupted when ctx ends first.
func (x *Exporter) Run(ctx context.Context, src Source, out *Output) (Stats, error) {
	start := time.Now()
	err := x.run(ctx, src, out)
	x.stats.Took = time.Since(start)
	return x.stats, err
}

func (x *Exporter) run(ctx context.Context, src Source, out *Output) error {
	last, err := src.LastSequence(ctx)
	x.stats.Last = last
	if err != nil || last == 0 {
		return err
	}
	x.managers, x.labels = map[uuid.UUID]*uuid.UUID{}, map[uuid.UUID]string{}
	if out.scorecards != nil {
		x.cards, x.cardMonths = projections.NewSet(), map[uuid.UUID]map[domain.Period]bool{}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var werr error
	var reached bool
	err = src.Follow(ctx, 0, func(seq uint64, e domain.Event, err error) {
		if seq > last || werr != nil {
			cancel()
			return
		}
		if x.Progress != nil {
			x.Progress(seq, last)
		}
		if err == nil && x.cards != nil && scorecardInput[e.Type] {
			x.cards.Apply(seq, e, nil)
		}
		var marker interface{ NotAnEvent() bool }
		switch {
		case errors.As(err, &marker) && marker.NotAnEvent(): // an org marker (eventstore.ErrMarker): no event
		case err != nil:
			x.stats.Undecodable++
		case x.Query.Match(e):
			x.stats.Events++
			werr = x.write(out, e)
		default:
			x.fold(e)
		}
		if seq == last {
			reached = true
			cancel()
		}
	})
	switch {
	case err != nil:
		return err
	case werr != nil:
		return werr
	case !reached:
		return ErrInterrupted
	}
	return x.writeScorecards(out)
}

// writeScorecards writes the scorecard of every person and month that an
// exported submission counts in, ordered by person (as labelled) and month.
func (x *Exporter) writeScorecards(out *Output) error {
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
				x.stats.ScorecardRows++
				if err := out.scorecard(ScorecardRow{Pseudonym: x.label(id), Month: m.String(), Metric: r.Metric, Kind: r.Kind,
					Derived: r.Derived, Target: r.Target, Actual: r.Actual, Attainment: r.Attainment}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// fold keeps the reporting lines current.
func (x *Exporter) fold(e domain.Event) {
	switch d := e.Data.(type) {
	case *domain.PersonRegistered:
		x.managers[e.PersonID] = d.ManagerID
	case *domain.ManagerChanged:
		x.managers[e.PersonID] = d.ManagerID
	}
}

// label is how a person appears in the tables.
func (x *Exporter) label(id uuid.UUID) string {
	l, ok := x.labels[id]
	if !ok {
		l = id.String()
		if x.Pseudo != nil {
			l = x.Pseudo.Of(id)
		}
		x.labels[id] = l
	}
	return l
}

func (x *Exporter) write(out *Output, e domain.Event) error {
	x.fold(e)
	who := x.label(e.PersonID)
	row := EventRow{Sequence: int64(e.Sequence), Type: e.Type, Pseudonym: who, OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt}
	if err := out.event(row, func() any { return x.envelope(e) }); err != nil {
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
	if out.metrics == nil {
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
		x.stats.MetricRows++
		if err := out.metrics.write(MetricRow{
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
func (x *Exporter) envelope(e domain.Event) any {
	if x.Pseudo == nil {
		return clearEnvelope{e.Sequence, e}
	}
	return x.Pseudo.Event(e)
}
