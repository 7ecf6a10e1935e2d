package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Journals is what the API needs of the event store.
type Journals interface {
	// Execute decides and appends one command; see domain.Write for its options.
	// Errors are *domain.Error of any kind.
	Execute(ctx context.Context, w domain.Write) (domain.Written, error)
	// Verify recomputes the hash chains of one journal, or all with nil.
	Verify(ctx context.Context, personID *uuid.UUID) (domain.ChainReport, error)
	// VerifyJournal checks one journal's chain as Verify does, reading only
	// what was appended since this process last checked it (the pages'
	// badge), and nothing when it has checked at least the shown events
	// already (0: ask the stream). Errors: KindUnavailable.
	VerifyJournal(ctx context.Context, personID uuid.UUID, shown uint64) (domain.ChainReport, error)
	// LastSequence is the stream's last sequence; KindUnavailable when unreachable.
	LastSequence(ctx context.Context) (uint64, error)
	// WritableHead is LastSequence for /readyz: also KindUnavailable while
	// a replicated stream has no leader, and so takes no writes.
	WritableHead(ctx context.Context) (uint64, error)
	// Connected reports whether the store is reachable now; while it is not,
	// reads serve the last known projections marked stale.
	Connected() bool
	// Writable is nil when the store can take writes as far as it knows
	// (no write failed for a reason of the store's since the last success
	// or recovery probe); /readyz follows it. Errors: KindUnavailable.
	Writable() error
	// Events reads one page of the whole stream in order. Errors: KindUnavailable.
	Events(ctx context.Context, q domain.EventQuery) (domain.EventPage, error)
	// Follow calls h for every event stored after sequence after, in order,
	// then for each new one, until ctx is done. Errors: KindUnavailable.
	Follow(ctx context.Context, after uint64, h func(seq uint64, e domain.Event, err error)) error
	// Tail is Follow for a client's live tail: when the store cannot give
	// it a consumer it answers KindUnavailable at once instead of retrying.
	// Otherwise h is already consuming; wait returns once ctx is done.
	Tail(ctx context.Context, after uint64, h func(seq uint64, e domain.Event, err error)) (wait func() error, err error)
	// Import decides the writes in order and appends their events in
	// consecutive atomic batches of up to 1,000 (each all or none),
	// stopping at the first that fails; it returns the events stored and
	// the index of a refused write, else -1. Errors: the kinds of Execute.
	Import(ctx context.Context, ws []domain.Write) (events []domain.Event, failed int, err error)
	// MarkNudgeRead records that reader (a token subject) read nudge nid,
	// and NudgesRead returns the ids reader marked. Errors: KindUnavailable.
	MarkNudgeRead(ctx context.Context, reader, nid string) error
	NudgesRead(ctx context.Context, reader string) (map[string]bool, error)
	// ParkedNudges lists the nudge deliveries given up, and ReplayNudge
	// delivers one again, once. Errors: KindNotFound, KindUnavailable.
	ParkedNudges(ctx context.Context) ([]domain.ParkedNudge, error)
	ReplayNudge(ctx context.Context, seq uint64) error
	// NudgePrefs and SetNudgePrefs keep a person's nudge preferences
	// (nudges.Prefs as JSON; nil: none set). Errors: KindUnavailable.
	NudgePrefs(ctx context.Context, key string) ([]byte, error)
	SetNudgePrefs(ctx context.Context, key string, prefs []byte) error
}

// Config tunes the server.
type Config struct {
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ReadWait bounds how long a read waits for X-Min-Sequence and a write
	// for its own event to reach the projections; default 2s.
	ReadWait time.Duration
	// ReadyLag is how many stream sequences the projections may trail the
	// stream before /readyz answers 503; default DefaultReadyLag.
	ReadyLag uint64
	// Registry receives the API's Prometheus metrics, served at /metrics;
	// nil means a new registry of its own.
	Registry *prometheus.Registry
	// PseudonymKey keys the pseudonyms of the analysts' event feed (at
	// least 32 bytes; DATA_DIR/pseudonym.key in serve). Without it the
	// feed answers analysts 503. It is never shown.
	PseudonymKey []byte
	// Heartbeat is the interval of the live tail's keep-alive comments; default 15s.
	Heartbeat time.Duration
	// Security: rate limits, client IP, CORS, request deadline (security.go).
	Security Security
	// ReadCacheBytes bounds the cache of encoded scorecards, boards,
	// timeline pages and commitment histories (readcache.go), and as much
	// again of the UI's rendered pages (web's page cache); 0 means
	// DefaultReadCacheBytes, a negative value turns both caches off.
	ReadCacheBytes int64
}

// Server holds the API's dependencies.
type Server struct {
	journals Journals
	views    *projections.Set
	tokens   *Tokens
	log      *slog.Logger
	now      func() time.Time
	readWait time.Duration
	readyLag uint64
	head     streamHead // the stream's last sequence, for the lag reads report (reads.go)
	metrics  *metrics
	feed     feedConfig
	reads    *readCache // nil: off
	streams  *streamCaps
	exports  *streamCaps
	// sessionCookie names the web UI's session cookie, once it is mounted.
	sessionCookie string
}

// New returns the Echo router with every route of the API.
func New(journals Journals, views *projections.Set, tokens *Tokens, cfg Config) *echo.Echo {
	s := &Server{journals: journals, views: views, tokens: tokens, log: cfg.Logger, now: cfg.Now, readWait: cfg.ReadWait,
		reads: newReadCache(cfg.ReadCacheBytes)}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.readWait <= 0 {
		s.readWait = 2 * time.Second
	}
	if s.readyLag = cfg.ReadyLag; s.readyLag == 0 {
		s.readyLag = DefaultReadyLag
	}
	s.feed = newFeedConfig(cfg, s.log)
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	s.metrics = newMetrics(reg, s)
	s.streams = newStreamCaps(cfg.Security)
	s.exports = newExportCaps(cfg.Security)
	reg.MustRegister(s.streams.gauge, s.exports.gauge)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(s.log)
	e.Use(s.observe)
	s.harden(e, cfg.Security) // headers first, then the limits
	e.Pre(limitBody(MaxBody))
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", s.ready)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	e.GET("/openapi.json", serveOpenAPI)
	v1 := e.Group("/v1", tokens.authenticate, s.minSequence)
	s.routes(v1)
	s.mountWeb(e)
	return e
}

func (s *Server) routes(g *echo.Group) {
	g.POST("/people", s.registerPerson)
	g.GET("/people", s.listPeople)
	g.GET("/people/:id", s.getPerson)
	g.POST("/people/:id/manager", s.changeManager)
	g.POST("/people/:id/departure", s.depart)
	g.POST("/people/:id/erasure", s.erase)
	s.coachingRoutes(g)
	s.scorecardRoutes(g)
	g.GET("/people/:id/commitments", s.listCommitments)
	g.GET("/people/:id/commitments/:cid", s.getCommitment)
	g.GET("/people/:id/meetings/:mid", s.getMeeting)
	g.GET("/people/:id/commitment-history", s.commitmentHistory)
	g.GET("/managers/:id/cadence", s.managerCadence)
	g.GET("/people/:id/pips/:pid", s.getPIP)
	g.GET("/pips", s.listPIPs)
	g.GET("/people/:id/timeline", s.timeline)
	g.GET("/audit/verify", s.verify)
	g.GET("/events", s.events)
	g.GET("/events/stream", s.eventStream)
	g.POST("/import", s.importNDJSON)
	g.GET("/trends", s.trends)
	g.GET("/me/nudges", s.myNudges)
	g.POST("/me/nudges/:nid/read", s.readNudge)
	g.GET("/me/nudge-preferences", s.nudgePrefs)
	g.PUT("/me/nudge-preferences", s.setNudgePrefs)
	g.GET("/admin/nudges/parked", s.parkedNudges)
	g.POST("/admin/nudges/parked/:seq/replay", s.replayNudge)
	g.GET("/export", s.exportStream)
}

// limitBody rejects a declared body over limit before any handler runs,
// and caps what is actually read (chunked bodies, UI forms); readBody
// answers 413 when a JSON body runs over.
func limitBody(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Request().ContentLength > limit && c.Request().URL.Path != importPath {
				return httperr.New(httperr.KindTooLarge, "the body is too large")
			}
			if c.Request().URL.Path != importPath { // every other body, UI forms too, stops at limit
				c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, limit)
			}
			return next(c)
		}
	}
}
