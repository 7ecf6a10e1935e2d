package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// DefaultReadyLag is how far (in stream sequences) the projections may
// trail the stream before /readyz answers 503 (serve --ready-lag): about a
// second of a busy replica's writes.
const DefaultReadyLag = 1000

// metrics are the API's Prometheus series.
type metrics struct {
	requests        *prometheus.HistogramVec
	observers       sync.Map // requestLabels → prometheus.Observer of requests
	writes          *prometheus.CounterVec
	readCacheHits   prometheus.Counter
	readCacheMisses prometheus.Counter
	livesReused     prometheus.Counter
	livesBuilt      prometheus.Counter
	pageCache       *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry, s *Server) *metrics {
	m := &metrics{
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "coachjournal_http_request_duration_seconds", Help: "HTTP request latency by route, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method", "status"}),
		writes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coachjournal_writes_total", Help: "Journal writes by outcome: appended, replayed (idempotent repeat), conflict, refused, unavailable (nothing stored), outcome_unknown (sent, not acknowledged).",
		}, []string{"outcome"}),
	}
	reads := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "coachjournal_read_cache_total", Help: "Cacheable reads (scorecard, board, timeline, commitment history) by result: hit, or miss (computed and encoded).",
	}, []string{"result"})
	m.readCacheHits, m.readCacheMisses = reads.WithLabelValues("hit"), reads.WithLabelValues("miss")
	lives := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "coachjournal_read_cache_lives_total", Help: "Commitment lives in the commitment histories of read cache misses: reused from the cached answer they replace, or built.",
	}, []string{"result"})
	m.livesReused, m.livesBuilt = lives.WithLabelValues("reused"), lives.WithLabelValues("built")
	m.pageCache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "coachjournal_page_cache_total", Help: "Cacheable UI pages (team board, rep page, 1-on-1 workspace) by result: hit, or miss (rendered).",
	}, []string{"result"})
	lag := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "coachjournal_projection_lag_sequences", Help: "Stream sequences this replica's projections have not applied yet.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, _ := s.lag(ctx, s.journals.LastSequence)
		return float64(n)
	})
	applied := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "coachjournal_projection_sequence", Help: "Last stream sequence applied to this replica's projections.",
	}, func() float64 { return float64(s.views.Sequence()) })
	reg.MustRegister(m.requests, m.writes, reads, lives, m.pageCache, lag, applied)
	return m
}

// requestLabels are the labels of one series of requests.
type requestLabels struct {
	route, method string
	status        int
}

// observer returns the requests histogram's series for the labels, looked
// up once: the label set is bounded (routes × methods × statuses).
func (m *metrics) observer(route, method string, status int) prometheus.Observer {
	k := requestLabels{route, method, status}
	if o, ok := m.observers.Load(k); ok {
		return o.(prometheus.Observer)
	}
	o := m.requests.WithLabelValues(route, method, strconv.Itoa(status))
	m.observers.Store(k, o)
	return o
}

// lag returns how many sequences the projections trail the stream, whose
// last sequence head reads (Journals.LastSequence or WritableHead).
func (s *Server) lag(ctx context.Context, head func(context.Context) (uint64, error)) (uint64, error) {
	last, err := head(ctx)
	if err != nil {
		return 0, err
	}
	s.head.set(last)
	if applied := s.views.Sequence(); applied < last {
		return last - applied, nil
	}
	return 0, nil
}

// ready answers 200 when the stream is reachable, the store can take
// writes (a full disk, a store that stopped answering or, on a cluster, a
// journal stream without a leader makes it 503 until the store recovers by
// itself) and the projections are caught up within readyLag sequences
// (Config.ReadyLag), else 503.
func (s *Server) ready(c echo.Context) error {
	if err := s.journals.Writable(); err != nil {
		return notReady(err.Error())
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	lag, err := s.lag(ctx, s.journals.WritableHead)
	switch {
	case err != nil:
		return notReady(err.Error()) // unavailable, or the stream has no leader
	case lag > s.readyLag:
		return notReady("projections are catching up: " + strconv.FormatUint(lag, 10) + " sequences behind")
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ready", "sequence": s.views.Sequence()})
}

// notReady is /readyz's 503 (unavailable): probers poll on their own
// period, so it sends no Retry-After.
func notReady(detail string) error {
	p := httperr.New(domain.KindUnavailable, detail)
	p.RetryAfter = 0
	return p
}

// observe gives every request an id (X-Request-Id, kept from the client
// when it is a short printable token), times it into the histogram, and
// logs one line: method, route, status, duration, request id, caller, and
// the client IP (from the configured extractor, security.go). It
// never logs bodies, tokens or personal text.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		rid := c.Request().Header.Get(echo.HeaderXRequestID)
		if !validRequestID(rid) {
			rid = uuid.NewString()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, rid)
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		method := c.Request().Method
		s.metrics.observer(route, method, status).Observe(d.Seconds())
		p := principal(c)
		s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request", slog.String("request_id", rid), slog.String("method", method),
			slog.String("route", route), slog.Int("status", status), slog.Float64("duration_ms", float64(d.Microseconds())/1000),
			slog.String("sub", p.Sub), slog.String("role", string(p.Role)), slog.String("ip", c.RealIP()))
		return nil
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return true
}

// countWrite records a write's outcome.
func (s *Server) countWrite(outcome string) { s.metrics.writes.WithLabelValues(outcome).Inc() }
