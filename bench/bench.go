// Package bench is the side-by-side performance harness behind
// `coachjournal bench`: the service measured against the raw engine
// (JetStream publishes and reads, a static HTTP GET, optionally a
// PostgreSQL table) in the same interleaved rounds, reported as ratios.
// docs/performance.md holds the figures and the commands that made them.
package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// benchOpts sizes a bench run.
type benchOpts struct {
	json, quick bool
	rounds      int
	people      int           // people of the generated org
	small       int           // events of the first rebuild point
	large       int           // events of the second (rebuild, reads, cold start, memory)
	importN     int           // lines of one bulk import
	dur, warm   time.Duration // of one load run
	only        map[string]bool
	pages       map[string]bool // the page kinds the pages scenario measures; empty: all
	cpuProfile  string
	memProfile  string // heap profile taken while the memory scenario's set is held, or at the end of a run without it
	postgres    string // DSN of the PostgreSQL baseline; empty: none
	pgBin       string // PostgreSQL server binaries for the cluster scenario's primary and standbys; empty: none
}

// benchRow is one line of the table and of --json.
type benchRow struct {
	Scenario string  `json:"scenario"`
	Value    float64 `json:"value"`
	Unit     string  `json:"unit"`
	Baseline float64 `json:"baseline"`
	Base     string  `json:"baseline_of"`
	Ratio    float64 `json:"ratio"`
	Target   string  `json:"target"`
	Met      *bool   `json:"met"`
	P50      float64 `json:"p50_ms,omitempty"`
	P99      float64 `json:"p99_ms,omitempty"`
	Note     string  `json:"note,omitempty"`
}

// Scenarios are the scenarios of a default run, in the order they run.
const Scenarios = "appends,import,rebuild,reads,pages,afterwrite,coldstart,memory"

// ClusterScenario is the opt-in scenario that runs last: durable appends
// on a three-node JetStream cluster of nats-server processes it builds
// and starts, against PostgreSQL replicating synchronously to two standbys
// (Options.PGBin).
const ClusterScenario = "cluster"

// Options ask for a run; a zero size or duration takes its default (or
// --quick's).
type Options struct {
	JSON      bool // one JSON object per row instead of a table
	Quick     bool // small sizes and short runs
	Rounds    int
	People    int           // of the generated org
	Events    int           // of the large data set
	Duration  time.Duration // of one load run
	Scenarios []string
	// Pages names the page kinds the pages scenario measures (team_board,
	// rep_page, one_on_one, pip_page); empty: all four.
	Pages      []string
	CPUProfile string // of the whole run
	MemProfile string // taken while the memory scenario holds its set, or at the end of a run without it
	Postgres   string // DSN of the PostgreSQL baseline; empty: none
	// PGBin is a directory of PostgreSQL server binaries (initdb, pg_ctl,
	// pg_basebackup): the cluster scenario starts a primary and two
	// synchronous standbys from them. Empty: the cluster has no PostgreSQL
	// rows.
	PGBin string
}

// Run runs the side-by-side harness: the service against the raw engine
// and a bare HTTP server, measured in the same process. The table (or the
// JSON rows) goes to stdout, progress to progress.
func Run(ctx context.Context, opts Options, stdout, progress io.Writer) error {
	o := benchOpts{json: opts.JSON, quick: opts.Quick, rounds: opts.Rounds, people: opts.People, large: opts.Events, dur: opts.Duration,
		cpuProfile: opts.CPUProfile, memProfile: opts.MemProfile, postgres: opts.Postgres, pgBin: opts.PGBin, only: map[string]bool{}}
	o.defaults()
	for _, s := range opts.Scenarios {
		o.only[strings.TrimSpace(s)] = true
	}
	for _, k := range opts.Pages {
		if k = strings.TrimSpace(k); k != "" {
			if o.pages == nil {
				o.pages = map[string]bool{}
			}
			o.pages[k] = true
		}
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
		profiling.Store(true)
		defer profiling.Store(false)
	}
	b := &benchRun{opts: o, progress: progress}
	err := b.run(ctx)
	if err == nil && o.memProfile != "" && !o.only["memory"] {
		// Without the memory scenario, the heap profile is the run's own:
		// its alloc_space is what every request allocated, by call stack
		// (go tool pprof -sample_index=alloc_space -focus 'ui..board$').
		err = writeHeapProfile(o.memProfile)
	}
	b.print(stdout)
	return err
}

func (o *benchOpts) defaults() {
	if o.quick {
		o.rounds = cmp0(o.rounds, 2)
		o.people = cmp0(o.people, 1000)
		o.large = cmp0(o.large, 50_000)
		o.small, o.importN = o.large/5, min(10_000, o.large/5)
		o.dur, o.warm = cmpDur(o.dur, 500*time.Millisecond), 100*time.Millisecond
		return
	}
	o.rounds = cmp0(o.rounds, 3)
	o.people = cmp0(o.people, 10_000)
	o.large = cmp0(o.large, 1_000_000)
	o.small, o.importN = o.large/10, min(50_000, o.large/10)
	o.dur, o.warm = cmpDur(o.dur, 3*time.Second), 500*time.Millisecond
}

func cmpDur(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

func cmp0(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// benchRun collects the rows of one run.
type benchRun struct {
	opts     benchOpts
	progress io.Writer
	rows     []benchRow
}

func (b *benchRun) logf(format string, args ...any) {
	if !b.opts.json {
		fmt.Fprintf(b.progress, "bench: "+format+"\n", args...)
	}
}

func (b *benchRun) run(ctx context.Context) error {
	b.logf("machine: %d CPUs, GOMAXPROCS %d, load %s", runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAvg())
	if b.opts.only["appends"] || b.opts.only["import"] {
		env, err := startBenchEnv(ctx)
		if err != nil {
			return err
		}
		err = b.writeScenarios(ctx, env)
		env.close()
		if err != nil {
			return err
		}
	}
	if b.opts.only["rebuild"] || b.opts.only["reads"] || b.opts.only["pages"] || b.opts.only["afterwrite"] || b.opts.only["coldstart"] || b.opts.only["memory"] {
		if err := b.dataScenarios(ctx); err != nil {
			return err
		}
	}
	if b.opts.only[ClusterScenario] {
		if err := b.cluster(ctx); err != nil { // cluster.go
			return fmt.Errorf("cluster: %w", err)
		}
	}
	return nil
}

func (b *benchRun) writeScenarios(ctx context.Context, env *benchEnv) error {
	if b.opts.only["appends"] {
		if err := b.appends(ctx, env); err != nil {
			return fmt.Errorf("appends: %w", err)
		}
	}
	if b.opts.only["import"] {
		if err := b.bulkImport(ctx, env); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	return nil
}

// add records a row; with a target it decides met: ratio ≥ min (or
// value ≤ max for "≤" targets, given through met).
func (b *benchRun) add(r benchRow) {
	if r.Baseline != 0 && r.Ratio == 0 {
		r.Ratio = r.Value / r.Baseline
	}
	b.rows = append(b.rows, r)
	if b.opts.json {
		return
	}
	met := ""
	if r.Met != nil {
		met = map[bool]string{true: "met", false: "MISSED"}[*r.Met]
	}
	b.logf("%-34s %12s %-9s ratio %.3f %s", r.Scenario, num(r.Value), r.Unit, r.Ratio, met)
}

func metIf(ok bool) *bool { return &ok }

func (b *benchRun) print(w io.Writer) {
	if b.opts.json {
		enc := json.NewEncoder(w)
		for _, r := range b.rows {
			_ = enc.Encode(r)
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "scenario\tvalue\tunit\tbaseline\tbaseline of\tratio\ttarget\tmet\tp50 ms\tp99 ms\t")
	for _, r := range b.rows {
		met := ""
		if r.Met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*r.Met]
		}
		lat := func(v float64) string {
			if v == 0 {
				return ""
			}
			return fmt.Sprintf("%.2f", v)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.3f\t%s\t%s\t%s\t%s\t\n", r.Scenario, num(r.Value), r.Unit, num(r.Baseline), r.Base,
			r.Ratio, r.Target, met, lat(r.P50), lat(r.P99))
	}
	tw.Flush()
	for _, r := range b.rows {
		if r.Note != "" {
			fmt.Fprintf(w, "%s: %s\n", r.Scenario, r.Note)
		}
	}
}

func num(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.4f", v)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// medianLoad runs rounds loads and returns the one of median rate.
func medianLoad(rounds int, run func() loadResult) loadResult {
	return interleavedLoads(rounds, run)[0]
}

// interleavedLoads runs rounds rounds of every load in turn (one of each,
// then again) and returns the run of median rate of each: a baseline and
// the service measured alternately see the same drift of a shared
// machine, where measured one after the other they may not.
func interleavedLoads(rounds int, runs ...func() loadResult) []loadResult {
	all := make([][]loadResult, len(runs))
	for range rounds {
		for k, run := range runs {
			all[k] = append(all[k], run())
		}
	}
	out := make([]loadResult, len(runs))
	for k, rs := range all {
		slices.SortFunc(rs, func(a, b loadResult) int { return cmp.Compare(a.rate(), b.rate()) })
		out[k] = rs[len(rs)/2]
	}
	return out
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
