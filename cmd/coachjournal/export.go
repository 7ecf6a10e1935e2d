package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/export"
	"github.com/coachjournal/coachjournal/service"
)

// exportFlags are export's own flags.
type exportFlags struct {
	storeFlags
	format, typ, from, to, out, keyFile string
	clear, scorecards                   bool
}

// exportCommand replays the stream as it is when the command starts (up to its
// last sequence) into NDJSON, CSV or Parquet, pseudonymized unless --clear
// (package export does the work).
func exportCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	var f exportFlags
	f.register(fs)
	fs.StringVar(&f.format, "format", "ndjson", "ndjson, csv or parquet")
	fs.StringVar(&f.typ, "type", "", "only this event type, or types with this prefix ending in '.' (e.g. commitment.)")
	fs.StringVar(&f.from, "from", "", "only events that occurred at or after this RFC 3339 time or date")
	fs.StringVar(&f.to, "to", "", "only events that occurred before this RFC 3339 time or date")
	fs.StringVar(&f.out, "out", "-", "ndjson: the file ('-': stdout); csv, parquet: the prefix of PREFIX.metrics.EXT and PREFIX.events.EXT (and PREFIX.scorecards.EXT)")
	fs.BoolVar(&f.scorecards, "scorecards", false, "csv, parquet: also write PREFIX.scorecards.EXT, every exported person-month's actual, target and attainment per metric (memory grows with the submissions)")
	fs.BoolVar(&f.clear, "clear", false, "export person ids and personal text in clear (admin use; the default is pseudonymized)")
	fs.StringVar(&f.keyFile, "pseudonym-key", "", "pseudonym key file (default DATA_DIR/pseudonym.key, shared with serve so pseudonyms match the API's)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	q, err := f.query()
	if err != nil {
		fmt.Fprintln(stderr, "export:", err)
		return exitCode(2)
	}
	prog := newProgress(stderr)
	x := &export.Exporter{Query: q, Progress: prog.at}
	if !f.clear {
		if x.Pseudo, err = f.pseudonymizer(); err != nil {
			return err
		}
	}
	out, err := export.Files(f.format, f.out, f.scorecards, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "export:", err)
		return exitCode(2)
	}
	store, release, err := service.OpenTool(ctx, f.config(), "export")
	if err != nil {
		out.Abort()
		return err
	}
	defer release()
	st, err := x.Run(ctx, store, out)
	prog.done()
	if err != nil {
		out.Abort()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if st.Undecodable > 0 {
		fmt.Fprintf(stderr, "export: skipped %d undecodable messages (run verify)\n", st.Undecodable)
	}
	fmt.Fprintf(stderr, "exported %d events (%d metric rows, %d scorecard rows) in %s\n", st.Events, st.MetricRows, st.ScorecardRows, st.Took.Round(time.Millisecond))
	return nil
}

func (f *exportFlags) query() (domain.EventQuery, error) {
	q := domain.EventQuery{Type: f.typ}
	if !domain.ValidType(q.Type) {
		return q, fmt.Errorf("--type %q is not an event type or a prefix ending in '.'", f.typ)
	}
	for _, b := range []struct {
		name, raw string
		t         *time.Time
	}{{"from", f.from, &q.From}, {"to", f.to, &q.To}} {
		var ok bool
		if *b.t, ok = export.ParseTime(b.raw); b.raw != "" && !ok {
			return q, fmt.Errorf("--%s %q is not an RFC 3339 time or a date", b.name, b.raw)
		}
	}
	return q, nil
}

// pseudonymKeyFile is where serve and export keep the pseudonym key.
func (f *storeFlags) pseudonymKeyFile() string { return filepath.Join(f.dataDir, "pseudonym.key") }

func (f *exportFlags) pseudonymizer() (*domain.Pseudonymizer, error) {
	path := f.keyFile
	if path == "" {
		path = f.pseudonymKeyFile()
	}
	key, err := api.LoadOrCreateKey(path)
	if err != nil {
		return nil, fmt.Errorf("pseudonym key: %w", err)
	}
	return domain.NewPseudonymizer(key)
}
