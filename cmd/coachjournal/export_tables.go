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

// tablesSink writes the metrics and events tables.
type tablesSink struct {
	metrics table[metricRow]
	events  table[eventRow]
	files   []*tempFile
}

func openTables(format, metricsPath, eventsPath string) (*tablesSink, error) {
	s := &tablesSink{}
	mf, err := createTemp(metricsPath)
	if err != nil {
		return nil, err
	}
	ef, err := createTemp(eventsPath)
	if err != nil {
		mf.abort()
		return nil, err
	}
	s.files = []*tempFile{mf, ef}
	if format == "csv" {
		s.metrics, s.events = newCSVTable[metricRow](mf, metricsHeader), newCSVTable[eventRow](ef, eventsHeader)
	} else {
		s.metrics, s.events = newParquetTable[metricRow](mf), newParquetTable[eventRow](ef)
	}
	return s, nil
}

func (s *tablesSink) event(r eventRow, _ func() any) error { return s.events.write(r) }
func (s *tablesSink) metric(r metricRow) error             { return s.metrics.write(r) }

func (s *tablesSink) close() error {
	for _, err := range []error{s.metrics.close(), s.events.close()} {
		if err != nil {
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
