package api

import (
	"fmt"
	"sync"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/prometheus/client_golang/prometheus"
)

// Default caps of the live tail (GET /v1/events/stream). Each open stream
// holds a consumer on the JetStream server, which copies every new event
// to it: a thousand streams of one token exhausted the server's consumers
// and slowed every write to seconds. A dashboard needs one stream, a
// reconnecting one a second; 64 together keep a write's fan-out small.
const (
	DefaultStreamsPerCaller = 4
	DefaultStreams          = 64
)

// Default caps of the export (GET /v1/export). An export reads the whole
// stream and keeps a core busy while it lasts (6-17 s a million events,
// docs/performance.md): one at a time per caller, and two together, leave
// the other requests a core on a two-core server.
const (
	DefaultExportsPerCaller = 1
	DefaultExports          = 2
)

// streamRetryAfter is the Retry-After, in seconds, of a stream refused for
// a cap: streams are long-lived, so a slot frees when one is closed, not on
// a clock; a few seconds keeps a reconnecting client from hammering.
const streamRetryAfter = 5

// streamCaps counts the open long requests of one kind (live tails,
// exports) per caller and in total.
type streamCaps struct {
	perCaller, total int    // <= 0: no cap
	what             string // "live event streams", "exports"

	mu       sync.Mutex
	open     int
	byCaller map[string]int
	gauge    prometheus.GaugeFunc
}

func newStreamCaps(sec Security) *streamCaps {
	return newCaps("live event streams", sec.StreamsPerCaller, DefaultStreamsPerCaller, sec.Streams, DefaultStreams,
		prometheus.GaugeOpts{Name: "coachjournal_event_streams_open", Help: "Live tails (GET /v1/events/stream) open now, every caller together."})
}

func newExportCaps(sec Security) *streamCaps {
	return newCaps("exports", sec.ExportsPerCaller, DefaultExportsPerCaller, sec.Exports, DefaultExports,
		prometheus.GaugeOpts{Name: "coachjournal_exports_running", Help: "Exports (GET /v1/export) running now, every caller together."})
}

// newCaps caps what per caller and in total; 0 takes the default, a
// negative value means no cap.
func newCaps(what string, perCaller, defPerCaller, total, defTotal int, gauge prometheus.GaugeOpts) *streamCaps {
	c := &streamCaps{perCaller: perCaller, total: total, what: what, byCaller: map[string]int{}}
	if c.perCaller == 0 {
		c.perCaller = defPerCaller
	}
	if c.total == 0 {
		c.total = defTotal
	}
	c.gauge = prometheus.NewGaugeFunc(gauge, func() float64 {
		c.mu.Lock()
		defer c.mu.Unlock()
		return float64(c.open)
	})
	return c
}

// acquire takes a slot for caller, or answers 429 rate_limited with
// Retry-After when the caller or the server is at its cap. release gives
// the slot back; call it once.
func (c *streamCaps) acquire(caller string) (release func(), err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.perCaller > 0 && c.byCaller[caller] >= c.perCaller:
		return nil, streamsRefused(fmt.Sprintf("you have %d %s open, the most one caller may; wait for one to end first", c.byCaller[caller], c.what))
	case c.total > 0 && c.open >= c.total:
		return nil, streamsRefused(fmt.Sprintf("every slot for %s on this server is in use; retry later", c.what))
	}
	c.open++
	c.byCaller[caller]++
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.open--
		if c.byCaller[caller]--; c.byCaller[caller] == 0 {
			delete(c.byCaller, caller) // the map holds only callers with a slot taken
		}
	}, nil
}

func streamsRefused(detail string) *Problem {
	p := httperr.New(httperr.KindRateLimited, detail)
	p.RetryAfter = streamRetryAfter
	return p
}
