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

// scorecardRow is one row of the scorecards table: one metric of one
// person's month, as the scorecard shows it once the whole stream is read
// (corrections and monthly submissions applied, the standard in force on
// the month's first day).
type scorecardRow struct {
	Pseudonym  string   `parquet:"pseudonym"`
	Month      string   `parquet:"month"`
	Metric     string   `parquet:"metric"`
	Kind       *string  `parquet:"kind,optional"` // leading or lagging; null for a metric of unknown kind
	Derived    bool     `parquet:"derived"`       // win_rate and avg_deal_size, computed from the sums
	Target     *float64 `parquet:"target,optional"`
	Actual     *float64 `parquet:"actual,optional"`
	Attainment *float64 `parquet:"attainment,optional"` // actual / target
}

// The CSV headers; the Parquet columns have the same names.
var (
	metricsHeader    = []string{"pseudonym", "manager_pseudonym", "period", "month", "metric", "value", "recorded_at", "source", "sequence"}
	eventsHeader     = []string{"sequence", "type", "pseudonym", "occurred_at", "recorded_at"}
	scorecardsHeader = []string{"pseudonym", "month", "metric", "kind", "derived", "target", "actual", "attainment"}
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

func (r scorecardRow) csv() []string {
	kind := ""
	if r.Kind != nil {
		kind = *r.Kind
	}
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', -1, 64)
	}
	return []string{r.Pseudonym, r.Month, r.Metric, kind, strconv.FormatBool(r.Derived), num(r.Target), num(r.Actual), num(r.Attainment)}
}

func (r eventRow) csv() []string {
	return []string{strconv.FormatInt(r.Sequence, 10), r.Type, r.Pseudonym,
		r.OccurredAt.UTC().Format(csvTime), r.RecordedAt.UTC().Format(csvTime)}
}

// sink receives the export; abort removes what it wrote.
type sink interface {
	event(r eventRow, envelope func() any) error
	metric(r metricRow) error
	scorecard(r scorecardRow) error
	wantsScorecards() bool
	close() error
	abort()
}

// openSink creates the output files of format: each is written under a
// temporary name and renamed into place by close, so a failed or
// interrupted export leaves no partial file behind.
func openSink(format, out string, scorecards bool, stdout io.Writer) (sink, error) {
	switch format {
	case "ndjson":
		if scorecards {
			return nil, fmt.Errorf("--scorecards is a table: use --format csv or parquet")
		}
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
			return nil, fmt.Errorf("--format %s writes a file per table: give --out PREFIX", format)
		}
		prefix := strings.TrimSuffix(out, "."+format)
		paths := []string{prefix + ".metrics." + format, prefix + ".events." + format}
		if scorecards {
			paths = append(paths, prefix+".scorecards."+format)
		}
		return openTables(format, paths)
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

func (s *ndjsonSink) metric(metricRow) error       { return nil }
func (s *ndjsonSink) scorecard(scorecardRow) error { return nil }
func (s *ndjsonSink) wantsScorecards() bool        { return false }

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
