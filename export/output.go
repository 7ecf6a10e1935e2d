package export

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// Formats and tables.
const (
	NDJSON  = "ndjson"
	CSV     = "csv"
	Parquet = "parquet"

	Events     = "events"
	Metrics    = "metrics"
	Scorecards = "scorecards"
)

// Output is where an export goes: NDJSON envelopes, or any of the three
// tables in CSV or Parquet. Close finishes it (and renames files into
// place); Abort drops what was written.
type Output struct {
	nd         *bufio.Writer // NDJSON envelopes; nil: tables
	metrics    table[MetricRow]
	events     table[EventRow]
	scorecards table[ScorecardRow] // nil: not asked for, nor kept
	files      []*tempFile         // the files written, if any
}

// Stream is an Output of one file to w: the NDJSON envelopes (table empty
// or "events"), or one table in CSV or Parquet. Errors: a format or table
// that is none of these, or a table NDJSON does not hold, in words fit
// for a client.
func Stream(format, table string, w io.Writer) (*Output, error) {
	if format == NDJSON {
		if table != "" && table != Events {
			return nil, fmt.Errorf("ndjson holds the events' envelopes; ask csv or parquet for the %s table", table)
		}
		return &Output{nd: bufio.NewWriterSize(w, 1<<16)}, nil
	}
	if format != CSV && format != Parquet {
		return nil, fmt.Errorf("format %q: want ndjson, csv or parquet", format)
	}
	o := &Output{}
	switch table {
	case "", Events:
		o.events = newTable[EventRow](format, w, eventsHeader)
	case Metrics:
		o.metrics = newTable[MetricRow](format, w, metricsHeader)
	case Scorecards:
		o.scorecards = newTable[ScorecardRow](format, w, scorecardsHeader)
	default:
		return nil, fmt.Errorf("table %q: want events, metrics or scorecards", table)
	}
	return o, nil
}

// Files is the CLI's Output: NDJSON to the file out ("-": stdout), or for
// CSV and Parquet the files PREFIX.metrics.EXT and PREFIX.events.EXT (and
// PREFIX.scorecards.EXT when scorecards), out being PREFIX with or without
// .EXT. Each file is written under a temporary name and renamed into place
// by Close, so a failed or interrupted export leaves no partial file.
func Files(format, out string, scorecards bool, stdout io.Writer) (*Output, error) {
	switch format {
	case NDJSON:
		if scorecards {
			return nil, fmt.Errorf("--scorecards is a table: use --format csv or parquet")
		}
		if out == "-" {
			return &Output{nd: bufio.NewWriterSize(stdout, 1<<16)}, nil
		}
		f, err := createTemp(out)
		if err != nil {
			return nil, err
		}
		return &Output{nd: bufio.NewWriterSize(f, 1<<16), files: []*tempFile{f}}, nil
	case CSV, Parquet:
		if out == "-" || out == "" {
			return nil, fmt.Errorf("--format %s writes a file per table: give --out PREFIX", format)
		}
	default:
		return nil, fmt.Errorf("--format %q: want ndjson, csv or parquet", format)
	}
	prefix := strings.TrimSuffix(out, "."+format)
	names := []string{Metrics, Events}
	if scorecards {
		names = append(names, Scorecards)
	}
	o := &Output{}
	for _, name := range names {
		f, err := createTemp(prefix + "." + name + "." + format)
		if err != nil {
			o.Abort()
			return nil, err
		}
		o.files = append(o.files, f)
	}
	o.metrics = newTable[MetricRow](format, o.files[0], metricsHeader)
	o.events = newTable[EventRow](format, o.files[1], eventsHeader)
	if scorecards {
		o.scorecards = newTable[ScorecardRow](format, o.files[2], scorecardsHeader)
	}
	return o, nil
}

// ContentType is the media type of a Stream of format.
func ContentType(format string) string {
	switch format {
	case CSV:
		return "text/csv; charset=utf-8"
	case Parquet:
		return "application/vnd.apache.parquet"
	}
	return "application/x-ndjson"
}

func (o *Output) event(r EventRow, envelope func() any) error {
	if o.nd != nil {
		b, err := json.Marshal(envelope())
		if err != nil {
			return err
		}
		o.nd.Write(b)
		return o.nd.WriteByte('\n')
	}
	if o.events != nil {
		return o.events.write(r)
	}
	return nil
}

func (o *Output) scorecard(r ScorecardRow) error { return o.scorecards.write(r) }

// Close finishes every table (a Parquet footer, the last buffered bytes)
// and renames the files into place.
func (o *Output) Close() error {
	if o.nd != nil {
		if err := o.nd.Flush(); err != nil {
			o.Abort()
			return err
		}
	}
	for _, t := range []interface{ close() error }{o.metrics, o.events, o.scorecards} {
		if t == nil { // a table not asked for
			continue
		}
		if err := t.close(); err != nil {
			o.Abort()
			return err
		}
	}
	for _, f := range o.files {
		if err := f.commit(); err != nil {
			return err
		}
	}
	return nil
}

// Abort removes the files written, if any.
func (o *Output) Abort() {
	for _, f := range o.files {
		f.abort()
	}
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
