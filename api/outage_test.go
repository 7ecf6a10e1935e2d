package api_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/nats-io/nats-server/v2/server"
)

// startNATS runs a JetStream server on a fixed loopback port and store dir,
// so that a test can stop it and bring it back where clients reconnect.
func startNATS(t *testing.T, dir string, port int) *server.Server {
	t.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir,
		SyncAlways: true, NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	return srv
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestNATSOutage: with NATS down, writes answer 503 with Retry-After (never
// a 2xx), reads serve the last known projections marked stale and /readyz
// is not ready; when NATS is back the service recovers without a restart.
func TestNATSOutage(t *testing.T) {
	dir, port := t.TempDir(), freePort(t)
	ns := startNATS(t, dir, port)
	env := apitest.StartWith(t, apitest.Options{NATSURL: ns.ClientURL()})
	admin := env.Token("admin-service", domain.RoleAdmin)
	ana := env.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": "Ana Lima", "email": "ana@example.com"})
	commit := map[string]any{"text": "call ten prospects", "due_on": "2030-01-01"}

	ns.Shutdown()
	ns.WaitForShutdown()
	r := env.Do(http.MethodPost, "/v1/people/"+ana+"/commitments", admin, commit)
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || r.Map(t)["code"] != "unavailable" {
		t.Fatalf("write during outage: %d %v %s", r.Status, r.Header, r.Body)
	}
	r = env.Must(http.StatusOK, http.MethodGet, "/v1/people/"+ana, admin, nil)
	if r.Header.Get("X-Projections-Stale") != "true" {
		t.Errorf("read during outage is not marked stale: %v", r.Header)
	}
	env.Must(http.StatusServiceUnavailable, http.MethodGet, "/readyz", "", nil)

	// A follower started while NATS is away waits for it instead of giving up.
	late := projections.NewSet()
	ctx, cancel := context.WithCancel(context.Background())
	followed := make(chan error, 1)
	go func() { followed <- env.Store.Follow(ctx, 0, late.Apply) }()
	t.Cleanup(func() { cancel(); <-followed })

	startNATS(t, dir, port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		r = env.Do(http.MethodPost, "/v1/people/"+ana+"/commitments", admin, commit)
		if r.Status == http.StatusCreated {
			break
		}
		if r.Status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("after NATS came back: %d %s", r.Status, r.Body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	env.Must(http.StatusOK, http.MethodGet, "/readyz", "", nil)
	waitCtx, cancelWait := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancelWait()
	if err := late.WaitFor(waitCtx, env.LastSeq()); err != nil {
		t.Fatalf("a follower started during the outage is stuck at %d", late.Sequence())
	}
	if r := env.Must(http.StatusOK, http.MethodGet, "/v1/people/"+ana+"/commitments", admin, nil); r.Header.Get("X-Projections-Stale") != "" {
		t.Errorf("still stale after recovery")
	}
}
