package main

import (
	"bufio"
	"encoding/csv"

	"github.com/parquet-go/parquet-go"
)

// table writes rows of one type to one file.
type table[T interface{ csv() []string }] interface {
	write(r T) error
	close() error
}

// tablesSink writes the metrics and events tables, and the scorecards
// table when asked.
type tablesSink struct {
	metrics    table[metricRow]
	events     table[eventRow]
	scorecards table[scorecardRow] // nil: not asked for
	files      []*tempFile
}

// openTables opens the tables at paths: metrics, events and, when a third
// path is given, scorecards.
func openTables(format string, paths []string) (*tablesSink, error) {
	s := &tablesSink{}
	for _, path := range paths {
		f, err := createTemp(path)
		if err != nil {
			s.abort()
			return nil, err
		}
		s.files = append(s.files, f)
	}
	if format == "csv" {
		s.metrics, s.events = newCSVTable[metricRow](s.files[0], metricsHeader), newCSVTable[eventRow](s.files[1], eventsHeader)
		if len(s.files) > 2 {
			s.scorecards = newCSVTable[scorecardRow](s.files[2], scorecardsHeader)
		}
	} else {
		s.metrics, s.events = newParquetTable[metricRow](s.files[0]), newParquetTable[eventRow](s.files[1])
		if len(s.files) > 2 {
			s.scorecards = newParquetTable[scorecardRow](s.files[2])
		}
	}
	return s, nil
}

func (s *tablesSink) event(r eventRow, _ func() any) error { return s.events.write(r) }
func (s *tablesSink) metric(r metricRow) error             { return s.metrics.write(r) }
func (s *tablesSink) scorecard(r scorecardRow) error       { return s.scorecards.write(r) }
func (s *tablesSink) wantsScorecards() bool                { return s.scorecards != nil }

func (s *tablesSink) close() error {
	tables := []interface{ close() error }{s.metrics, s.events}
	if s.scorecards != nil {
		tables = append(tables, s.scorecards)
	}
	for _, t := range tables {
		if err := t.close(); err != nil {
			s.abort()
			return err
		}
	}
	for _, f := range s.files {
		if err := f.commit(); err != nil {
			return err
		}
	}
	return nil
}

func (s *tablesSink) abort() {
	for _, f := range s.files {
		f.abort()
	}
}

// csvTable writes a header, then one line a row.
type csvTable[T interface{ csv() []string }] struct {
	bw      *bufio.Writer
	w       *csv.Writer
	header  []string
	started bool
}

func newCSVTable[T interface{ csv() []string }](f *tempFile, header []string) *csvTable[T] {
	bw := bufio.NewWriterSize(f, 1<<16)
	return &csvTable[T]{bw: bw, w: csv.NewWriter(bw), header: header}
}

func (t *csvTable[T]) write(r T) error {
	if !t.started {
		t.started = true
		if err := t.w.Write(t.header); err != nil {
			return err
		}
	}
	return t.w.Write(r.csv())
}

func (t *csvTable[T]) close() error {
	if !t.started {
		t.started = true
		_ = t.w.Write(t.header)
	}
	t.w.Flush()
	if err := t.w.Error(); err != nil {
		return err
	}
	return t.bw.Flush()
}

// parquetRowGroup bounds the rows the Parquet writer holds before it writes
// a row group, and so its memory.
const parquetRowGroup = 64 * 1024

// parquetTable writes typed rows in batches, one row group every
// parquetRowGroup rows.
type parquetTable[T any] struct {
	w   *parquet.GenericWriter[T]
	buf []T
}

func newParquetTable[T interface{ csv() []string }](f *tempFile) *parquetTable[T] {
	w := parquet.NewGenericWriter[T](f, parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(parquetRowGroup))
	return &parquetTable[T]{w: w, buf: make([]T, 0, 1024)}
}

func (t *parquetTable[T]) write(r T) error {
	t.buf = append(t.buf, r)
	if len(t.buf) < cap(t.buf) {
		return nil
	}
	return t.flush()
}

func (t *parquetTable[T]) flush() error {
	_, err := t.w.Write(t.buf)
	clear(t.buf)
	t.buf = t.buf[:0]
	return err
}

func (t *parquetTable[T]) close() error {
	if err := t.flush(); err != nil {
		return err
	}
	return t.w.Close()
}
