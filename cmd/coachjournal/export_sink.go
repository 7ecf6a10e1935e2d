package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// metricRow is one row of the metrics table: one metric of one submission.
// With --clear the pseudonym columns hold person ids.
type metricRow struct {
	Pseudonym        string    `parquet:"pseudonym"`
	ManagerPseudonym *string   `parquet:"manager_pseudonym,optional"` // the manager when submitted; null at the top of the org
	Period           string    `parquet:"period"`                     // 2026-W47 or 2026-11
	Month            string    `parquet:"month"`                      // the month the period rolls into
	Metric           string    `parquet:"metric"`
	Value            float64   `parquet:"value"`
	RecordedAt       time.Time `parquet:"recorded_at,timestamp(microsecond)"`
	Source           string    `parquet:"source"`   // self, manager or import
	Sequence         int64     `parquet:"sequence"` // of the submission: a later one for a period replaces an earlier one
}

// eventRow is one row of the events table: one event.
type eventRow struct {
	Sequence   int64     `parquet:"sequence"`
	Type       string    `parquet:"type"`
	Pseudonym  string    `parquet:"pseudonym"`
	OccurredAt time.Time `parquet:"occurred_at,timestamp(microsecond)"`
	RecordedAt time.Time `parquet:"recorded_at,timestamp(microsecond)"`
}

// The CSV headers; the Parquet columns have the same names.
var (
	metricsHeader = []string{"pseudonym", "manager_pseudonym", "period", "month", "metric", "value", "recorded_at", "source", "sequence"}
	eventsHeader  = []string{"sequence", "type", "pseudonym", "occurred_at", "recorded_at"}
)

const csvTime = "2006-01-02T15:04:05.000000Z07:00"

func (r metricRow) csv() []string {
	mgr := ""
	if r.ManagerPseudonym != nil {
		mgr = *r.ManagerPseudonym
	}
	return []string{r.Pseudonym, mgr, r.Period, r.Month, r.Metric, strconv.FormatFloat(r.Value, 'g', -1, 64),
		r.RecordedAt.UTC().Format(csvTime), r.Source, strconv.FormatInt(r.Sequence, 10)}
}

func (r eventRow) csv() []string {
	return []string{strconv.FormatInt(r.Sequence, 10), r.Type, r.Pseudonym,
		r.OccurredAt.UTC().Format(csvTime), r.RecordedAt.UTC().Format(csvTime)}
}

// sink receives the export; abort removes what it wrote.
type sink interface {
	event(r eventRow, envelope func() any) error
	metric(r metricRow) error
	close() error
	abort()
}

// openSink creates the output files of format: each is written under a
// temporary name and renamed into place by close, so a failed or
// interrupted export leaves no partial file behind.
func openSink(format, out string, stdout io.Writer) (sink, error) {
	switch format {
	case "ndjson":
		if out == "-" {
			return &ndjsonSink{w: bufio.NewWriterSize(stdout, 1<<16)}, nil
		}
		f, err := createTemp(out)
		if err != nil {
			return nil, err
		}
		return &ndjsonSink{w: bufio.NewWriterSize(f, 1<<16), f: f}, nil
	case "csv", "parquet":
		if out == "-" || out == "" {
			return nil, fmt.Errorf("--format %s writes two files: give --out PREFIX", format)
		}
		prefix := strings.TrimSuffix(out, "."+format)
		return openTables(format, prefix+".metrics."+format, prefix+".events."+format)
	}
	return nil, fmt.Errorf("--format %q: want ndjson, csv or parquet", format)
}

// tempFile is an output file written under path+".tmp".
type tempFile struct {
	*os.File
	path string
}

func createTemp(path string) (*tempFile, error) {
	f, err := os.OpenFile(path+".tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	return &tempFile{File: f, path: path}, nil
}

func (f *tempFile) commit() error {
	if err := f.Sync(); err != nil {
		f.abort()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), f.path)
}

func (f *tempFile) abort() {
	f.Close()
	os.Remove(f.Name())
}

// ndjsonSink writes one envelope a line.
type ndjsonSink struct {
	w *bufio.Writer
	f *tempFile // nil: stdout
}

func (s *ndjsonSink) event(_ eventRow, envelope func() any) error {
	b, err := json.Marshal(envelope())
	if err != nil {
		return err
	}
	s.w.Write(b)
	return s.w.WriteByte('\n')
}

func (s *ndjsonSink) metric(metricRow) error { return nil }

func (s *ndjsonSink) close() error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if s.f != nil {
		return s.f.commit()
	}
	return nil
}

func (s *ndjsonSink) abort() {
	if s.f != nil {
		s.f.abort()
	}
}
