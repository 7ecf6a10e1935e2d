package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// Each cold start runs in a process of its own, as a serve's start does.
// By the time of the cold starts the bench's own process has held 10,000
// people's projections, servers and hundreds of MiB of heap, and a start
// inside it was measured against that process's collector and leftovers,
// not a fresh one's: the same start moved by a factor of two with the
// scenarios run before it (docs/performance.md, "The read audit kept
// between starts"). The child is this executable again, told what to do by
// ColdStartChildEnv; it reports its times and its peak resident set as one
// JSON line. The process's own start (exec, the runtime's init) is not
// counted: the window is the one coldStartOnce always measured.

// ColdStartChildEnv is the environment variable that makes a coachjournal
// binary, or the bench's test binary, run one cold start and exit
// (RunColdStartChild). Its value is the JSON of a coldStartRequest.
const ColdStartChildEnv = "COACHJOURNAL_BENCH_COLD_START"

type coldStartRequest struct {
	Dir     string `json:"dir"`
	SnapDir string `json:"snap_dir"`
}

type coldStartReply struct {
	Total, Open, Resume, Load, Follow float64
	Last                              uint64
	PeakRSS                           int64 // KiB, the child's VmHWM; 0 where /proc has none
}

// RunColdStartChild runs one cold start and exits if ColdStartChildEnv is
// set, and returns at once otherwise. main calls it first thing, and so
// does the bench's TestMain.
func RunColdStartChild() {
	spec := os.Getenv(ColdStartChildEnv)
	if spec == "" {
		return
	}
	var req coldStartRequest
	if err := json.Unmarshal([]byte(spec), &req); err != nil {
		fmt.Fprintln(os.Stderr, "cold start child:", err)
		os.Exit(2)
	}
	t, last, err := coldStartOnce(context.Background(), req.Dir, req.SnapDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cold start child:", err)
		os.Exit(1)
	}
	_ = json.NewEncoder(os.Stdout).Encode(coldStartReply{Total: t.total, Open: t.open, Resume: t.resume, Load: t.load, Follow: t.follow, Last: last, PeakRSS: peakRSS()})
	os.Exit(0)
}

// coldStartChild runs coldStartOnce in a child process.
func coldStartChild(ctx context.Context, dir, snapDir string) (coldTimes, uint64, error) {
	exe, err := os.Executable()
	if err != nil {
		return coldTimes{}, 0, err
	}
	spec, err := json.Marshal(coldStartRequest{Dir: dir, SnapDir: snapDir})
	if err != nil {
		return coldTimes{}, 0, err
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), ColdStartChildEnv+"="+string(spec))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return coldTimes{}, 0, fmt.Errorf("cold start in a child process: %w: %s", err, bytes.TrimSpace(errb.Bytes()))
	}
	var r coldStartReply
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return coldTimes{}, 0, fmt.Errorf("cold start in a child process: %w: %q", err, out.Bytes())
	}
	return coldTimes{total: r.Total, open: r.Open, resume: r.Resume, load: r.Load, follow: r.Follow, peakRSS: r.PeakRSS}, r.Last, nil
}

// peakRSS is this process's peak resident set in KiB (Linux's VmHWM), or 0.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
