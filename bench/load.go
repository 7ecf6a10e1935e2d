package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// loadResult is one timed run of c concurrent workers.
type loadResult struct {
	ops    int
	errs   int
	firstE error
	dur    time.Duration
	lat    []time.Duration // sorted
	// What the whole process (servers, client, NATS) spent while the run
	// was measured: bytes allocated on the heap, and CPU of the collector.
	// Per operation, they say what a request costs beyond its own code.
	allocs uint64
	gcCPU  float64 // seconds
	cpu    float64 // seconds, user and system: what the run cost the process
	read   int64   // bytes of answers the clients read (drain)
}

func (r loadResult) rate() float64 { return float64(r.ops) / r.dur.Seconds() }

// perOp is the heap allocated (KiB) and the collector's CPU (µs) per
// operation of the run, both of the whole process.
func (r loadResult) perOp() (kib, gcMicros float64) {
	if r.ops == 0 {
		return 0, 0
	}
	return float64(r.allocs) / 1024 / float64(r.ops), r.gcCPU * 1e6 / float64(r.ops)
}

// gcNote says perOp in words, for a row's note, with the process's CPU
// per request and the answers' mean size. The CPU against the cores the
// run had tells a row that computes from one that waits: 2 cores at 8,000
// requests a second leave 250 µs a request.
func (r loadResult) gcNote() string {
	kib, gc := r.perOp()
	answer, cpu := 0.0, 0.0
	if r.ops > 0 {
		answer = float64(r.read) / 1024 / float64(r.ops)
		cpu = r.cpu * 1e6 / float64(r.ops)
	}
	return fmt.Sprintf("%.1f KiB allocated, %.0f µs of CPU of which %.0f µs the collector's, per request (whole process), answers of %.1f KiB", kib, cpu, gc, answer)
}

// drained counts the bytes of every answer drain reads.
var drained atomic.Int64

// drain reads an answer's body to its end, as load generators do (through
// io.Discard's pooled buffer: buffering each answer whole would charge the
// client's copying to the larger answers), and counts its bytes.
func drain(body io.Reader) error {
	n, err := io.Copy(io.Discard, body)
	drained.Add(n)
	return err
}

// gcSample reads the process's heap allocation total and the collector's
// CPU so far (runtime/metrics), and the process's CPU (processCPU).
func gcSample() (allocs uint64, gcCPU, cpu float64) {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		allocs = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindFloat64 {
		gcCPU = s[1].Value.Float64()
	}
	return allocs, gcCPU, processCPU()
}

// pct returns the p-th percentile latency in milliseconds.
func (r loadResult) pct(p float64) float64 {
	if len(r.lat) == 0 {
		return 0
	}
	i := min(len(r.lat)-1, int(p*float64(len(r.lat))))
	return float64(r.lat[i]) / float64(time.Millisecond)
}

// runLoad runs op on c workers for d after a short warm-up; op's i counts
// the worker's calls. Only calls that start and end within d count.
func runLoad(ctx context.Context, c int, warm, d time.Duration, op func(worker, i int) error) loadResult {
	return runLoadTimed(ctx, c, warm, d, func(w, i int) (time.Duration, error) {
		t0 := time.Now()
		err := op(w, i)
		return time.Since(t0), err
	})
}

// runLoadTimed is runLoad where op reports the latency to record: the part
// of the call being measured (a read that follows an untimed write).
func runLoadTimed(ctx context.Context, c int, warm, d time.Duration, op func(worker, i int) (time.Duration, error)) loadResult {
	var measuring atomic.Bool
	var wg sync.WaitGroup
	lats := make([][]time.Duration, c)
	errs := make([]int, c)
	firsts := make([]error, c)
	stop := make(chan struct{})
	for w := range c {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				counted := measuring.Load()
				el, err := op(w, i)
				if counted && measuring.Load() {
					if err != nil {
						errs[w]++
						if firsts[w] == nil {
							firsts[w] = err
						}
						continue
					}
					lats[w] = append(lats[w], el)
				}
			}
		})
	}
	sleepCtx(ctx, warm)
	a0, gc0, cpu0 := gcSample()
	r0 := drained.Load()
	measuring.Store(true)
	t0 := time.Now()
	sleepCtx(ctx, d)
	measuring.Store(false)
	dur := time.Since(t0)
	a1, gc1, cpu1 := gcSample()
	r1 := drained.Load()
	close(stop)
	wg.Wait()
	r := merged(dur, lats, errs, firsts)
	// The answers read while measuring: the calls in flight at either
	// edge, not counted in ops, make their mean size approximate, by a few
	// in thousands.
	r.allocs, r.gcCPU, r.cpu, r.read = a1-a0, gc1-gc0, cpu1-cpu0, r1-r0
	return r
}

// merged is one load's result from its workers' latencies, failures and
// first errors.
func merged(dur time.Duration, lats [][]time.Duration, errs []int, firsts []error) loadResult {
	r := loadResult{dur: dur}
	for w := range lats {
		r.lat = append(r.lat, lats[w]...)
		r.errs += errs[w]
		if r.firstE == nil {
			r.firstE = firsts[w]
		}
	}
	r.ops = len(r.lat)
	slices.Sort(r.lat)
	return r
}

// eachOnce runs op once for each of n items on c workers, for at most d
// (0: no bound); the rate is items done over the time they took.
func eachOnce(ctx context.Context, c, n int, d time.Duration, op func(i int) error) loadResult {
	var next atomic.Int64
	lats := make([][]time.Duration, c)
	errs := make([]int, c)
	firsts := make([]error, c)
	a0, gc0, cpu0 := gcSample()
	r0 := drained.Load()
	t0 := time.Now()
	var wg sync.WaitGroup
	for w := range c {
		wg.Go(func() {
			for ctx.Err() == nil && (d == 0 || time.Since(t0) < d) {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				s := time.Now()
				if err := op(i); err != nil {
					errs[w]++
					if firsts[w] == nil {
						firsts[w] = err
					}
					continue
				}
				lats[w] = append(lats[w], time.Since(s))
			}
		})
	}
	wg.Wait()
	r := merged(time.Since(t0), lats, errs, firsts)
	a1, gc1, cpu1 := gcSample()
	r.allocs, r.gcCPU, r.cpu, r.read = a1-a0, gc1-gc0, cpu1-cpu0, drained.Load()-r0
	return r
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// benchClient is a keep-alive HTTP client for c concurrent workers.
func benchClient(c int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: c + 8, MaxIdleConnsPerHost: c + 8, MaxConnsPerHost: 0, IdleConnTimeout: time.Minute, DisableCompression: true,
	}}
}

// do sends one request and drains the answer; a status other than want is an error.
func do(cl *http.Client, method, url, token string, body []byte, want int) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := cl.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, bytes.TrimSpace(b))
	}
	return drain(resp.Body)
}
