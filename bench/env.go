package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/coachjournal/coachjournal/service"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/nats-io/nats.go/jetstream"
)

// rawStream is the bench's own stream for the raw engine's figures: same
// server, same storage and durability as the journal stream.
const rawStream = "BENCHRAW"

// benchEnv is the service under test in this process: the store on an
// embedded server with its default durability (fsync on every write), the
// projections following it, the real API on a loopback port, and a bare
// Echo server (no-op POST, static GET) for the HTTP ceiling.
type benchEnv struct {
	dir     string
	store   *eventstore.Store
	views   *projections.Set
	api     string       // base URL of the real API, its read cache on (the default budget)
	apiCold string       // base URL of the same API, same store and projections, its read cache off
	cold    http.Handler // the API behind apiCold
	noop    string       // base URL of the bare Echo server
	token   string       // an admin token
	hrToken string       // an HR token (the PIP page as HR sees it)
	raw     jetstream.Stream
	svc     *service.Service
	stop    []func()
	stopAPI []func() // the API servers, stopped before the service
	keepDir bool     // close leaves the directory
}

func startBenchEnv(ctx context.Context) (*benchEnv, error) {
	return startBenchEnvOn(ctx, "", 0)
}

// startBenchEnvOn is startBenchEnv on the NATS servers of natsURL (empty:
// the embedded one), the journal and raw streams with replicas replicas
// (0: the store's default).
func startBenchEnvOn(ctx context.Context, natsURL string, replicas int) (*benchEnv, error) {
	dir, err := os.MkdirTemp("", "coachjournal-bench-")
	if err != nil {
		return nil, err
	}
	env := &benchEnv{dir: dir}
	if err := env.start(ctx, natsURL, replicas); err != nil {
		env.close()
		return nil, err
	}
	env.noop, err = serveLoopback("noop", noopEcho(), &env.stop)
	if err != nil {
		env.close()
		return nil, err
	}
	return env, nil
}

// start starts the service as serve does (package service), with default
// settings, the projections rebuilt from the stream and no snapshot kept,
// serves its API and the same API with its read cache off, and creates the
// raw stream with as many replicas as the journal stream.
func (env *benchEnv) start(ctx context.Context, natsURL string, replicas int) error {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	tokens, err := api.NewTokens(key)
	if err != nil {
		return err
	}
	if env.token, err = tokens.Mint("bench", domain.RoleAdmin, 24*time.Hour); err != nil {
		return err
	}
	if env.hrToken, err = tokens.Mint("bench-hr", domain.RoleHR, 24*time.Hour); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	env.svc, err = service.Start(ctx, service.Config{
		Store:  eventstore.Config{DataDir: filepath.Join(env.dir, "data"), NATSURL: natsURL, Replicas: replicas},
		Tokens: tokens, Log: log, API: api.Config{Logger: log, PseudonymKey: key},
	})
	if err != nil {
		return err
	}
	env.store, env.views = env.svc.Store, env.svc.Views
	env.raw, err = env.store.JetStream().CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: rawStream, Subjects: []string{"benchraw.>"}, Storage: jetstream.FileStorage, AllowAtomicPublish: true, Replicas: max(1, replicas),
	})
	if err != nil {
		return err
	}
	if env.api, err = serveLoopback("api", env.svc.Handler, &env.stopAPI); err != nil {
		return err
	}
	// The same service with its read cache off, as serve
	// --read-cache-mib 0 runs it: the pages' cold rows.
	env.cold = api.New(env.store, env.views, tokens, api.Config{Logger: log, PseudonymKey: key, ReadCacheBytes: -1})
	env.apiCold, err = serveLoopback("cold", env.cold, &env.stopAPI)
	return err
}

func (env *benchEnv) close() {
	for _, f := range env.stopAPI {
		f()
	}
	if env.svc != nil {
		_ = env.svc.Close()
	}
	for i := len(env.stop) - 1; i >= 0; i-- {
		env.stop[i]()
	}
	if !env.keepDir {
		os.RemoveAll(env.dir)
	}
}

// serveLoopback serves h on 127.0.0.1 and appends its shutdown to stops.
// While a CPU profile is taken (--cpuprofile), each request's samples carry
// the labels server=name, route=the path's first two segments, path=the
// path with its ids as {id}, and after_write=yes when the request waits
// for a write (X-Min-Sequence), so that one server's pages can be told
// apart in the whole run's profile:
//
//	go tool pprof -tagfocus server=cold -tagfocus route=/ui/teams coachjournal cpu.prof
//	go tool pprof -tagfocus after_write=yes -tagfocus path=/v1/people/{id}/commitment-history coachjournal cpu.prof
func serveLoopback(name string, h http.Handler, stops *[]func()) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	if profiling.Load() {
		h = labelled(name, h)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 120 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	*stops = append(*stops, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String(), nil
}

// noopEcho is the HTTP ceiling: Echo with a POST that reads the body and
// answers 201 with a small JSON object, a GET with a static object, and
// GET /static/bytes/:n, n bytes of HTML from memory sent as a page is
// (with its length, in one write): what shipping a page's bytes costs.
func noopEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	type written struct {
		ID       string `json:"id"`
		Sequence uint64 `json:"sequence"`
		Version  uint64 `json:"version"`
	}
	e.POST("/noop/:id", func(c echo.Context) error {
		if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, written{ID: c.Param("id"), Sequence: 1, Version: 1})
	})
	static := map[string]any{"person_id": "0193a0c4-1f0e-7000-8000-000000000000", "period": "2026-10", "metrics": []int{1, 2, 3}}
	e.GET("/static", func(c echo.Context) error { return c.JSON(http.StatusOK, static) })
	var sized sync.Map // n → n bytes of HTML
	e.GET("/static/bytes/:n", func(c echo.Context) error {
		n, err := strconv.Atoi(c.Param("n"))
		if err != nil || n < 0 || n > 1<<20 {
			return echo.ErrBadRequest
		}
		body, ok := sized.Load(n)
		if !ok {
			body, _ = sized.LoadOrStore(n, htmlOf(n))
		}
		c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(n))
		return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, body.([]byte))
	})
	return e
}

// htmlOf returns n bytes of table rows, as a page's body.
func htmlOf(n int) []byte {
	const row = `<tr><th scope="row"><a href="/ui/people/0193a0c4-1f0e-7000-8000-000000000000?period=2026-11">Ana Lima</a></th><td class="cell low"><span class="v">62%</span></td></tr>`
	return []byte(strings.Repeat(row, n/len(row)+1)[:n])
}

// waitViews waits until the projections have applied the stream's last event.
func (env *benchEnv) waitViews(ctx context.Context) error {
	last, err := env.store.LastSequence(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := env.views.WaitFor(ctx, last); err != nil {
		return fmt.Errorf("projections did not reach %d: %w", last, err)
	}
	return nil
}

// profiling is set while the run takes a CPU profile.
var profiling atomic.Bool

// labelled serves h with the profile labels serveLoopback describes.
func labelled(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route := r.URL.Path
		if i := strings.IndexByte(route[1:], '/'); i >= 0 {
			if j := strings.IndexByte(route[i+2:], '/'); j >= 0 {
				route = route[:i+2+j]
			}
		}
		segs := strings.Split(r.URL.Path, "/")
		for i, seg := range segs {
			if _, err := uuid.Parse(seg); err == nil {
				segs[i] = "{id}"
			}
		}
		fresh := "no"
		if r.Header.Get("X-Min-Sequence") != "" {
			fresh = "yes"
		}
		pprof.Do(r.Context(), pprof.Labels("server", name, "route", route, "path", strings.Join(segs, "/"), "after_write", fresh), func(ctx context.Context) {
			h.ServeHTTP(w, r.WithContext(ctx))
		})
	})
}
