package api

import (
	"math"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// maxLimiterKeys bounds the limiter's memory: past it, idle callers (a full
// bucket, the same as a new one) are dropped, and if that frees nothing,
// everyone starts afresh rather than the map growing without end.
const maxLimiterKeys = 100_000

// limiter is a token bucket per caller.
type limiter struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

func newLimiter(perSecond float64, burst int) *limiter {
	if burst <= 0 {
		burst = max(20, int(math.Ceil(2*perSecond)))
	}
	return &limiter{rate: rate.Limit(perSecond), burst: burst, buckets: map[string]*rate.Limiter{}}
}

// allow takes one request from key's bucket, or says how long to wait.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxLimiterKeys {
			l.sweep(now)
		}
		b = rate.NewLimiter(l.rate, l.burst)
		l.buckets[key] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxLimiterKeys {
		clear(l.buckets)
	}
}

// rateLimit answers 429 rate_limited with Retry-After to a caller over its
// rate. The caller is the subject of a valid token (bearer header, or the
// UI's session cookie), so one person's budget is shared by all their
// tokens; any other request is anonymous and counted by client IP, so a
// flood of invalid tokens cannot buy fresh buckets.
func (s *Server) rateLimit(l *limiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ok, wait := l.allow(s.callerKey(c), time.Now())
			if ok {
				return next(c)
			}
			p := httperr.New(httperr.KindRateLimited, "too many requests; slow down")
			p.RetryAfter = int(math.Ceil(wait.Seconds()))
			return p
		}
	}
}

// probePaths are the liveness, readiness and metrics probes: each client
// address has a bucket of its own for them, so that anonymous API traffic
// from the address a prober shares (a node, a NAT) cannot starve them and
// a restart loop does not follow from a flood.
var probePaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// callerKey names the bucket of a request.
func (s *Server) callerKey(c echo.Context) string {
	if probePaths[c.Request().URL.Path] {
		return "probe:" + ipKey(c.RealIP())
	}
	if tok := s.presentedToken(c); tok != "" && len(tok) <= maxTokenLen {
		if p, err := s.tokens.Parse(tok); err == nil {
			return "sub:" + string(p.Role) + ":" + p.Sub
		}
	}
	return "ip:" + ipKey(c.RealIP())
}

// presentedToken is the bearer token of the request, or the UI's session
// cookie (named when the UI is mounted: web_mount.go).
func (s *Server) presentedToken(c echo.Context) string {
	if scheme, tok, ok := strings.Cut(c.Request().Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return tok
	}
	if s.sessionCookie == "" {
		return ""
	}
	if ck, err := c.Cookie(s.sessionCookie); err == nil {
		return ck.Value
	}
	return ""
}

// ipKey is an IPv4 address, or the /64 of an IPv6 one (a single client
// usually holds a whole /64).
func ipKey(raw string) string {
	ip := net.ParseIP(raw)
	if ip == nil {
		return raw
	}
	if ip.To4() != nil {
		return ip.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
