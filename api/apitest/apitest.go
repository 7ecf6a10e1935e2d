// Package apitest starts the real service in process for tests, as serve
// does (package service): an embedded JetStream in a temp dir, the
// projections following it, and the real Echo router on a loopback port,
// with a small JSON client.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/coachjournal/coachjournal/projections/snapshot"
	"github.com/coachjournal/coachjournal/service"
)

// Env is one running service.
type Env struct {
	t       testing.TB
	DataDir string
	URL     string
	// Handler is the router itself, for benchmarks that leave the network out.
	Handler http.Handler
	Store   *eventstore.Store
	Views   *projections.Set
	Tokens  *api.Tokens
	// FollowedFrom is the sequence the projections resumed after: the
	// snapshot's (DATA_DIR/snapshots), or 0 when they were rebuilt.
	FollowedFrom uint64
	opts         Options
	stop         func()
	hold         sync.RWMutex // held for writing: the projections apply nothing (HoldProjections)
}

// HoldProjections stops this replica's projections from applying what the
// follower delivers, as a replica that has fallen behind, until release
// is called: writes are still stored, reads show the state before them.
func (e *Env) HoldProjections() (release func()) {
	e.hold.Lock()
	var once sync.Once
	return func() { once.Do(e.hold.Unlock) }
}

// Options vary the service a test starts.
type Options struct {
	// NATSURL, when set, uses that server or cluster instead of an embedded one.
	NATSURL string
	// Replicas of the stream and key bucket (default: 3 on a cluster, else 1).
	Replicas int
	// KeyDir, when set, holds the signing and master keys, so that several
	// replicas share them; default the data dir.
	KeyDir string
	// Security: rate limits, trusted proxies, CORS (default: none of them).
	Security api.Security
	// IdentityProvider also accepts an identity provider's tokens.
	IdentityProvider api.TokenOptions
	// Logger receives the server's and the store's logs; default discard.
	Logger *slog.Logger
	// NoGroupCommit publishes every write alone (eventstore.Config.NoGroupCommit).
	NoGroupCommit bool
	// WriteTimeout bounds each write (eventstore.Config.WriteTimeout);
	// default the store's.
	WriteTimeout time.Duration
	// DataDir, when set, is the data dir to start on (a stream seeded
	// beforehand); default a fresh temp dir.
	DataDir string
	// ReadWait bounds how long a write waits for the projections and a
	// read for X-Min-Sequence (api.Config.ReadWait); default the API's.
	ReadWait time.Duration
	// ReadCacheBytes is api.Config.ReadCacheBytes (negative: the read cache
	// and the page cache off); default the API's.
	ReadCacheBytes int64
}

// Start runs the service on a fresh temp dir; it stops with the test.
func Start(t testing.TB) *Env { return StartWith(t, Options{}) }

// StartWith runs the service with options.
func StartWith(t testing.TB, o Options) *Env {
	t.Helper()
	e := &Env{t: t, DataDir: o.DataDir, opts: o}
	if e.DataDir == "" {
		e.DataDir = t.TempDir()
	}
	e.open()
	t.Cleanup(e.Close)
	return e
}

func (e *Env) open() {
	e.t.Helper()
	ctx := context.Background()
	keyDir := e.opts.KeyDir
	if keyDir == "" {
		keyDir = e.DataDir
	}
	key, err := api.LoadOrCreateKey(filepath.Join(keyDir, "signing.key"))
	if err != nil {
		e.t.Fatalf("signing key: %v", err)
	}
	e.Tokens, _ = api.NewTokens(key)
	if err := e.Tokens.UseIdentityProvider(e.opts.IdentityProvider); err != nil {
		e.t.Fatalf("identity provider: %v", err)
	}
	pkey, err := api.LoadOrCreateKey(filepath.Join(e.DataDir, "pseudonym.key"))
	if err != nil {
		e.t.Fatalf("pseudonym key: %v", err)
	}
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	svc, err := service.Start(startCtx, service.Config{
		Store: eventstore.Config{DataDir: e.DataDir, NATSURL: e.opts.NATSURL, Replicas: e.opts.Replicas, Logger: e.opts.Logger,
			MasterKeyFile: filepath.Join(keyDir, "master.key"), DuplicateWindow: 24 * time.Hour, WriteTimeout: e.opts.WriteTimeout, NoGroupCommit: e.opts.NoGroupCommit},
		SnapshotDir: snapshot.Dir(e.DataDir),
		Tokens:      e.Tokens,
		API: api.Config{Now: clock.Now, PseudonymKey: pkey, Security: e.opts.Security, Logger: e.opts.Logger,
			ReadWait: e.opts.ReadWait, ReadCacheBytes: e.opts.ReadCacheBytes},
		Hold: &e.hold,
	})
	if err != nil {
		e.t.Fatalf("start the service: %v", err)
	}
	e.Store, e.Views, e.Handler, e.FollowedFrom = svc.Store, svc.Views, svc.Handler, svc.FollowedFrom
	srv := httptest.NewServer(e.Handler)
	e.URL = srv.URL
	e.stop = func() {
		srv.Close()
		if err := svc.Close(); err != nil { // as serve does on shutdown: the final snapshot, then the store
			e.t.Errorf("stop the service: %v", err)
		}
	}
}

// Close stops the service (idempotent).
func (e *Env) Close() {
	if e.stop != nil {
		e.stop()
		e.stop = nil
	}
}

// Restart stops the service and starts it again on the same data dir.
func (e *Env) Restart() {
	e.t.Helper()
	e.Close()
	e.open()
}

// Token mints a token for sub with role.
func (e *Env) Token(sub string, role domain.Role) string {
	e.t.Helper()
	tok, err := e.Tokens.Mint(sub, role, time.Hour)
	if err != nil {
		e.t.Fatalf("mint: %v", err)
	}
	return tok
}

// LastSeq returns the stream's last sequence.
func (e *Env) LastSeq() uint64 {
	e.t.Helper()
	seq, err := e.Store.LastSequence(context.Background())
	if err != nil {
		e.t.Fatalf("last sequence: %v", err)
	}
	return seq
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the body into v, failing the test on error.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map returns the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.Decode(t, &m)
	return m
}

// Do sends a request. body may be nil, a []byte or string sent as is, or a
// value encoded as JSON; headers are name, value pairs.
func (e *Env) Do(method, path, token string, body any, headers ...string) *Response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Must sends a request and fails the test unless it answers want.
func (e *Env) Must(want int, method, path, token string, body any, headers ...string) *Response {
	e.t.Helper()
	r := e.Do(method, path, token, body, headers...)
	if r.Status != want {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// Created sends a write that must answer 201 and returns the created id.
func (e *Env) Created(method, path, token string, body any, headers ...string) string {
	e.t.Helper()
	var w struct {
		ID string `json:"id"`
	}
	e.Must(http.StatusCreated, method, path, token, body, headers...).Decode(e.t, &w)
	return w.ID
}
