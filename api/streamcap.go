package api

import (
	"fmt"
	"net/http"
	"sync"

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

// streamRetryAfter is the Retry-After, in seconds, of a stream refused for
// a cap: streams are long-lived, so a slot frees when one is closed, not on
// a clock; a few seconds keeps a reconnecting client from hammering.
const streamRetryAfter = 5

// streamCaps counts the open live tails per caller and in total.
type streamCaps struct {
	perCaller, total int // <= 0: no cap

	mu       sync.Mutex
	open     int
	byCaller map[string]int
	gauge    prometheus.GaugeFunc
}

func newStreamCaps(sec Security) *streamCaps {
	c := &streamCaps{perCaller: sec.StreamsPerCaller, total: sec.Streams, byCaller: map[string]int{}}
	if c.perCaller == 0 {
		c.perCaller = DefaultStreamsPerCaller
	}
	if c.total == 0 {
		c.total = DefaultStreams
	}
	c.gauge = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "coachjournal_event_streams_open", Help: "Live tails (GET /v1/events/stream) open now, every caller together.",
	}, func() float64 {
		c.mu.Lock()
		defer c.mu.Unlock()
		return float64(c.open)
	})
	return c
}

// acquire takes a stream slot for caller, or answers 429 rate_limited with
// Retry-After when the caller or the server is at its cap. release gives
// the slot back; call it once.
func (c *streamCaps) acquire(caller string) (release func(), err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.perCaller > 0 && c.byCaller[caller] >= c.perCaller:
		return nil, streamsRefused(fmt.Sprintf("you have %d live event streams open, the most one caller may; close one first", c.byCaller[caller]))
	case c.total > 0 && c.open >= c.total:
		return nil, streamsRefused("every live event stream of this server is in use; retry later")
	}
	c.open++
	c.byCaller[caller]++
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.open--
		if c.byCaller[caller]--; c.byCaller[caller] == 0 {
			delete(c.byCaller, caller) // the map holds only callers with a stream open
		}
	}, nil
}

func streamsRefused(detail string) *Problem {
	p := problem(http.StatusTooManyRequests, "rate_limited", detail)
	p.retryAfter = streamRetryAfter
	return p
}
