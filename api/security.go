package api

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Security is the server's hardening against abuse (OWASP API4, API8).
// The zero value: no rate limit (tests, benchmarks; serve turns it on), the
// client IP is the direct peer's address, CORS off, 30 s per request, the
// default caps on live tails.
type Security struct {
	// RateLimit is the sustained requests per second allowed to each caller:
	// a valid token's subject, or else the client IP (an IPv6 client by its
	// /64). 0 disables the limiter.
	RateLimit float64
	// RateBurst is how many requests a caller may send at once; default
	// 2×RateLimit, at least 20.
	RateBurst int
	// TrustedProxies are the networks whose X-Forwarded-For is believed,
	// from the right; empty: the direct remote address is the client IP and
	// X-Forwarded-For is ignored.
	TrustedProxies []*net.IPNet
	// CORSOrigins allow-lists the origins that may call the API from a
	// browser (exact scheme://host[:port]); empty: CORS is off.
	CORSOrigins []string
	// RequestTimeout is the deadline of every request's context but the
	// live tail's and the export's; default 30s.
	RequestTimeout time.Duration
	// StreamsPerCaller caps the live tails (GET /v1/events/stream) one
	// caller, a token's subject, holds open at once; beyond it a new one
	// answers 429 rate_limited with Retry-After. Default (0)
	// DefaultStreamsPerCaller; negative: no cap.
	StreamsPerCaller int
	// Streams caps the live tails open at once on this server, every
	// caller together, likewise. Default (0) DefaultStreams; negative: no cap.
	Streams int
	// ExportsPerCaller caps the exports (GET /v1/export, the UI's
	// download) one caller runs at once, and Exports those of every caller
	// together; beyond either 429 rate_limited with Retry-After. Default
	// (0) DefaultExportsPerCaller and DefaultExports; negative: no cap.
	ExportsPerCaller, Exports int
}

// contentSecurityPolicy is every response's CSP: scripts, styles and
// images only from this origin (the UI keeps them in embedded files; its
// charts are inline SVG elements, which need no style-src), nothing framed,
// forms only to this origin.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// harden installs the security middleware on e: the client-IP extractor,
// security headers and CORS before routing; after it, the rate limit and
// the per-request deadline.
func (s *Server) harden(e *echo.Echo, sec Security) {
	e.IPExtractor = ipExtractor(sec.TrustedProxies)
	e.Pre(securityHeaders)
	if len(sec.CORSOrigins) > 0 {
		e.Pre(corsMiddleware(sec.CORSOrigins))
	}
	if sec.RateLimit > 0 {
		e.Use(s.rateLimit(newLimiter(sec.RateLimit, sec.RateBurst)))
	}
	timeout := sec.RequestTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	e.Use(deadline(timeout))
}

// ipExtractor is the one place the client IP comes from (logs, anonymous
// rate limits): the peer's address, or with trusted proxies the nearest
// X-Forwarded-For entry that is not one of them. Echo's defaults trust
// loopback and private networks; those are turned off here, so only the
// configured networks are believed.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// ParseCIDRs parses a comma-separated list of networks (a bare address is
// a /32 or /128), for --trusted-proxies.
func ParseCIDRs(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, raw := range strings.Split(list, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		if !strings.Contains(raw, "/") {
			if ip := net.ParseIP(raw); ip != nil && ip.To4() != nil {
				raw += "/32"
			} else {
				raw += "/128"
			}
		}
		_, n, err := net.ParseCIDR(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// securityHeaders sets the headers every response carries. HSTS only over
// TLS: a plain-HTTP answer cannot pin anything, and a TLS-terminating proxy
// in front sets its own. Responses are not cached unless a handler says so
// (the UI's static assets do): they hold personal data.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		for _, kv := range everyResponse {
			h[kv.key] = kv.value
		}
		if c.Request().TLS != nil {
			h["Strict-Transport-Security"] = hsts
		}
		return next(c)
	}
}

// headerValue is one header, its key canonical and its value shared by
// every response: len == cap, so an Add copies instead of writing into it.
type headerValue struct {
	key   string
	value []string
}

var (
	everyResponse = []headerValue{
		{"Content-Security-Policy", []string{contentSecurityPolicy}},
		{"X-Content-Type-Options", []string{"nosniff"}},
		{"X-Frame-Options", []string{"DENY"}},
		{"Referrer-Policy", []string{"no-referrer"}},
		{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
		{"Cross-Origin-Resource-Policy", []string{"same-origin"}},
		{"Cache-Control", []string{"no-store"}},
	}
	hsts = []string{"max-age=63072000; includeSubDomains"}
)

// corsMiddleware answers cross-origin API calls from the allow-listed
// origins only, without credentials (the API takes bearer tokens, not
// cookies); the UI is never cross-origin.
func corsMiddleware(origins []string) echo.MiddlewareFunc {
	return middleware.CORSWithConfig(middleware.CORSConfig{
		Skipper: func(c echo.Context) bool {
			p := c.Request().URL.Path
			return !strings.HasPrefix(p, "/v1/") && p != "/openapi.json"
		},
		AllowOrigins: origins,
		AllowMethods: []string{http.MethodGet, http.MethodPost, http.MethodHead},
		AllowHeaders: []string{"Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Min-Sequence", "X-Request-Id", "Last-Event-ID"},
		ExposeHeaders: []string{"ETag", "X-Journal-Sequence", "X-Request-Id", "Retry-After", "Idempotent-Replayed",
			"X-Projections-Stale", "Location"},
		MaxAge: 600,
	})
}

// liveTail is a route exempt from the request deadline: it streams for
// as long as the client listens.
const liveTail = "/v1/events/stream"

// unbounded are the routes exempt from the request deadline: the live
// tail, and the export and its download from the UI, which last as long as
// the stream takes to read; each is capped by count instead (streamcap.go).
var unbounded = map[string]bool{liveTail: true, exportPath: true, "/ui/analysis/export": true}

// deadline bounds every request's context, so that nothing a request waits
// for (the store, the projections) outlives it; http.Server's timeouts
// bound the connection itself.
func deadline(d time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if unbounded[c.Path()] {
				return next(c)
			}
			ctx, cancel := context.WithTimeout(c.Request().Context(), d)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}
