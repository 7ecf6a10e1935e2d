package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/nats-io/nats-server/v2/server"
)

// cluster is JetStream servers routed into one cluster on loopback.
type cluster struct {
	servers []*server.Server
	opts    []*server.Options // each server's, to start it again (restart)
	urls    []string
}

// startCluster starts a cluster of three servers.
func startCluster(t *testing.T) *cluster { return startClusterOf(t, 3) }

// startClusterOf starts a cluster of n servers. freePort's ports are free
// when chosen, not when a server listens: another test's connection can
// take one in between, and that server then never listens. So a cluster
// whose servers are not all ready is shut down and started again on fresh
// ports, up to three times.
func startClusterOf(t *testing.T, n int) *cluster {
	t.Helper()
	for attempt := 1; ; attempt++ {
		c := tryCluster(t, n)
		ready := true
		for _, s := range c.servers {
			ready = ready && s.ReadyForConnections(15*time.Second)
		}
		if ready {
			return c
		}
		for _, s := range c.servers {
			s.Shutdown()
		}
		if attempt == 3 {
			t.Fatal("cluster node did not start, three times on fresh ports")
		}
		t.Logf("a cluster node did not start (attempt %d): again on fresh ports", attempt)
	}
}

func tryCluster(t *testing.T, n int) *cluster {
	t.Helper()
	clientPorts, routePorts := make([]int, n), make([]int, n)
	for i := range n {
		clientPorts[i], routePorts[i] = freePort(t), freePort(t)
	}
	var routes []*url.URL
	for _, p := range routePorts {
		routes = append(routes, &url.URL{Scheme: "nats", Host: "127.0.0.1:" + strconv.Itoa(p)})
	}
	c := &cluster{}
	for i := range n {
		c.opts = append(c.opts, &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1), Host: "127.0.0.1", Port: clientPorts[i],
			JetStream: true, StoreDir: t.TempDir(), SyncAlways: true, NoSigs: true, NoLog: true,
			Cluster: server.ClusterOpts{Name: "coachjournal", Host: "127.0.0.1", Port: routePorts[i]},
			Routes:  routes,
		})
		c.servers = append(c.servers, nil)
		c.start(t, i)
		c.urls = append(c.urls, c.servers[i].ClientURL())
	}
	return c
}

// start starts server i (again, after a Shutdown: same name, ports and
// store directory).
func (c *cluster) start(t *testing.T, i int) {
	t.Helper()
	srv, err := server.NewServer(c.opts[i])
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	c.servers[i] = srv
}

// TestCluster: two API replicas on a three-node cluster with a stream of
// three replicas (the default there); cross-replica read-your-writes,
// idempotency and writes decided on the other replica's acknowledged
// state; the stream leader killed mid-load loses no acknowledged write and
// both replicas converge to identical projections.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster")
	}
	c := startCluster(t)
	keys := t.TempDir()
	// No replicas configured: on a cluster the default is three (SPEC §2).
	opts := apitest.Options{NATSURL: strings.Join(c.urls, ","), KeyDir: keys}
	r1, r2 := apitest.StartWith(t, opts), apitest.StartWith(t, opts)
	for _, name := range []string{"JOURNAL", "KV_JOURNAL_KEYS", eventstore.AuditStream} {
		st, err := r1.Store.JetStream().Stream(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if n := st.CachedInfo().Config.Replicas; n != 3 {
			t.Fatalf("stream %s has %d replicas on a cluster, want 3", name, n)
		}
	}
	admin := r1.Token("admin-service", domain.RoleAdmin)

	ana := r1.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": "Ana Lima", "email": "ana@example.com"})
	w := r1.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+ana+"/commitments", admin,
		map[string]any{"text": "first", "due_on": "2030-01-01"}, "Idempotency-Key", "x-1")
	seq := w.Header.Get("X-Journal-Sequence")
	got := r2.Must(http.StatusOK, http.MethodGet, "/v1/people/"+ana+"/commitments", admin, nil, "X-Min-Sequence", seq)
	if !strings.Contains(string(got.Body), `"first"`) {
		t.Fatalf("replica 2 does not read replica 1's write: %s", got.Body)
	}
	again := r2.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+ana+"/commitments", admin,
		map[string]any{"text": "first", "due_on": "2030-01-01"}, "Idempotency-Key", "x-1")
	if string(again.Body) != string(w.Body) {
		t.Fatalf("idempotency across replicas: %s, want %s", again.Body, w.Body)
	}

	// A write acknowledged by one replica is the state the other replica's
	// next write on the journal is decided against, though its cached
	// journal is stale and a stream replica may answer its reads.
	for i := range 40 {
		a, b := r1, r2
		if i%2 == 1 {
			a, b = r2, r1
		}
		cid := a.Created(http.MethodPost, "/v1/people/"+ana+"/commitments", admin, map[string]any{"text": "call", "due_on": "2030-01-01"})
		b.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+ana+"/commitments/"+cid+"/resolution", admin, map[string]any{"status": "kept"})
	}

	// Load on both replicas while the stream leader dies.
	acked := load(t, []*apitest.Env{r1, r2}, admin, ana, func() { killLeader(t, c, r1) })
	// Writes succeed again, but a stream info request can still meet the
	// tail of the election: ask again, for a bounded time.
	var last uint64
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		seq, err := r1.Store.LastSequence(context.Background())
		if err == nil {
			last = seq
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("last sequence after the failover: %v", err)
		}
	}
	for _, r := range []*apitest.Env{r1, r2} {
		// Followers recreate their consumers after the failover: allow them
		// time to converge (bounded), then compare.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := r.Views.WaitFor(ctx, last); err != nil {
			t.Fatalf("%s: projections stuck at %d, stream at %d", r.URL, r.Views.Sequence(), last)
		}
		cancel()
	}
	for _, r := range []*apitest.Env{r1, r2} {
		ids := map[string]bool{}
		var page struct{ Items []struct{ ID string } }
		r.Must(http.StatusOK, http.MethodGet, "/v1/people/"+ana+"/commitments?limit=500", admin, nil,
			"X-Min-Sequence", strconv.FormatUint(last, 10)).Decode(t, &page)
		for _, it := range page.Items {
			ids[it.ID] = true
		}
		for id := range acked {
			if !ids[id] {
				t.Errorf("%s: acknowledged commitment %s lost", r.URL, id)
			}
		}
	}
	tl1 := r1.Must(http.StatusOK, http.MethodGet, "/v1/people/"+ana+"/timeline?limit=500", admin, nil, "X-Min-Sequence", strconv.FormatUint(last, 10))
	tl2 := r2.Must(http.StatusOK, http.MethodGet, "/v1/people/"+ana+"/timeline?limit=500", admin, nil, "X-Min-Sequence", strconv.FormatUint(last, 10))
	if string(tl1.Body) != string(tl2.Body) {
		t.Errorf("replicas diverge:\n%s\n%s", tl1.Body, tl2.Body)
	}
	t.Logf("%d writes acknowledged across a leader failover", len(acked))
}

// load writes commitments from both replicas; after a few successes it
// calls fail, then keeps writing until writes have succeeded again for a
// while. 503s during the election are expected; it returns the ids of
// every write that got a 201.
func load(t *testing.T, replicas []*apitest.Env, token, person string, fail func()) map[string]bool {
	t.Helper()
	var mu sync.Mutex
	acked := map[string]bool{}
	var afterFail int
	failed := false
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := replicas[w%len(replicas)]
			for i := 0; ctx.Err() == nil; i++ {
				resp := r.Do(http.MethodPost, "/v1/people/"+person+"/commitments", token,
					map[string]any{"text": fmt.Sprintf("w%d-%d", w, i), "due_on": "2030-01-01"})
				mu.Lock()
				// 202: stored, not yet visible on that replica (its
				// follower was cut off by the kill): acknowledged all the same.
				if resp.Status == http.StatusCreated || resp.Status == http.StatusAccepted {
					acked[resp.Map(t)["id"].(string)] = true
					if failed {
						afterFail++
					}
				} else if resp.Status != http.StatusServiceUnavailable && resp.Status != http.StatusConflict {
					t.Errorf("unexpected status %d: %s", resp.Status, resp.Body)
				}
				switch {
				case !failed && len(acked) >= 20:
					failed = true
					mu.Unlock()
					fail()
					continue
				case failed && afterFail >= 20:
					cancel()
				}
				mu.Unlock()
				if resp.Status != http.StatusCreated && resp.Status != http.StatusAccepted {
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	if afterFail < 20 {
		t.Fatalf("writes did not resume after the leader was killed (%d after)", afterFail)
	}
	return acked
}

// killLeader shuts down the server leading the JOURNAL stream.
func killLeader(t *testing.T, c *cluster, r *apitest.Env) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := r.Store.JetStream().Stream(ctx, "JOURNAL")
	if err != nil {
		t.Errorf("stream: %v", err)
		return
	}
	info, err := st.Info(ctx)
	if err != nil || info.Cluster == nil {
		t.Errorf("stream info: %v", err)
		return
	}
	for _, s := range c.servers {
		if s.Name() == info.Cluster.Leader {
			t.Logf("killing stream leader %s", s.Name())
			s.Shutdown()
			return
		}
	}
	t.Errorf("leader %q not found", info.Cluster.Leader)
}
