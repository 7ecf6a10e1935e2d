package main

import (
	"context"
	"flag"
	"io"
	"strings"

	"github.com/coachjournal/coachjournal/bench"
)

// benchCommand parses bench's flags and runs the harness (package bench).
func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var o bench.Options
	var only, pages string
	fs.BoolVar(&o.JSON, "json", false, "print one JSON object per scenario and line instead of a table")
	fs.BoolVar(&o.Quick, "quick", false, "small sizes and short runs (under a minute)")
	fs.IntVar(&o.Rounds, "rounds", 0, "rounds per measurement, the median is reported (default 3, --quick 2)")
	fs.StringVar(&only, "scenarios", bench.Scenarios, "comma-separated scenarios to run; "+bench.ClusterScenario+" (a three-node JetStream cluster against PostgreSQL with two synchronous standbys) only when named")
	fs.StringVar(&pages, "pages", "", "comma-separated page kinds the pages scenario measures (team_board, rep_page, one_on_one, pip_page); default all")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	fs.StringVar(&o.MemProfile, "memprofile", "", "write a heap profile to this file while the memory scenario holds its projection set (without that scenario: at the end of the run, whose allocations it shows)")
	fs.IntVar(&o.People, "people", 0, "people in the generated org (default 10000, --quick 1000)")
	fs.IntVar(&o.Events, "events", 0, "events of the large data set (default 1000000, --quick 50000)")
	fs.DurationVar(&o.Duration, "duration", 0, "length of one load run (default 3s, --quick 500ms)")
	fs.StringVar(&o.Postgres, "postgres", "", "PostgreSQL DSN: the appends also measure C clients inserting into an events table there, fsync and synchronous_commit on")
	fs.StringVar(&o.PGBin, "pg-bin", "", "directory of PostgreSQL server binaries (e.g. /usr/lib/postgresql/15/bin): the cluster scenario starts a primary and two synchronous standbys from them (as the postgres user when run as root)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	o.Scenarios = strings.Split(only, ",")
	if pages != "" {
		o.Pages = strings.Split(pages, ",")
	}
	return bench.Run(ctx, o, stdout, stderr)
}
