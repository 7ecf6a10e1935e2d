package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
)

// consumerHosts returns the names of the JOURNAL stream's consumers and
// the server each one lives on.
func consumerHosts(t *testing.T, r *apitest.Env) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := r.Store.JetStream().Stream(ctx, "JOURNAL")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	l := st.ListConsumers(ctx)
	for info := range l.Info() {
		if info.Cluster != nil {
			out[info.Name] = info.Cluster.Leader
		}
	}
	if err := l.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestClusterFollowerFailover kills the server that holds one replica's
// projection follower (its ordered consumer lives on one server only) while
// the other replica keeps writing. The follower must notice and move to a
// live server within seconds. On main it waited for two missed idle
// heartbeats of nats.go's ordered-consumer default (5 s apart), 5 to 10 s
// after the kill, during which that replica's reads answered from a stale
// view and its writes waited for projections that did not move.
//
// The killed server is chosen to lead neither the stream nor the cluster's
// metadata, so no election adds its own seconds to what is measured: the
// follower is started again until its consumer lands on such a server.
func TestClusterFollowerFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster")
	}
	c := startCluster(t)
	opts := apitest.Options{NATSURL: strings.Join(c.urls, ","), KeyDir: t.TempDir()}
	writer := apitest.StartWith(t, opts)
	admin := writer.Token("admin-service", domain.RoleAdmin)
	ana := writer.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": "Ana Lima", "email": "ana@example.com"})
	var follower *apitest.Env
	var victim *server.Server
	for attempt := 0; victim == nil; attempt++ {
		if attempt == 20 {
			t.Fatal("the follower's consumer never landed on a server that leads nothing")
		}
		before := consumerHosts(t, writer)
		follower = apitest.StartWith(t, opts)
		host := newConsumerHost(t, follower, before)
		if s := serverNamed(c, host); !s.JetStreamIsLeader() && host != streamLeader(t, writer) {
			victim = s
		} else {
			follower.Close()
		}
	}
	t.Logf("killing %s, which holds the follower's consumer", victim.Name())
	victim.Shutdown()
	killed := time.Now()
	for n := 0; n < 10; {
		resp := writer.Do(http.MethodPost, "/v1/people/"+ana+"/commitments", admin, map[string]any{"text": "call", "due_on": "2030-01-01"})
		switch resp.Status {
		case http.StatusCreated, http.StatusAccepted:
			n++
		case http.StatusServiceUnavailable, http.StatusConflict:
			time.Sleep(100 * time.Millisecond)
		default:
			t.Fatalf("write: %d %s", resp.Status, resp.Body)
		}
		if time.Since(killed) > 30*time.Second {
			t.Fatal("writes did not resume after the kill")
		}
	}
	last, err := writer.Store.LastSequence(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Two missed heartbeats of the old default took at least 5 s.
	ctx, cancel := context.WithDeadline(context.Background(), killed.Add(5*time.Second))
	defer cancel()
	if err := follower.Views.WaitFor(ctx, last); err != nil {
		t.Fatalf("the follower's projections are at %d, the stream at %d, %s after the kill",
			follower.Views.Sequence(), last, time.Since(killed).Round(time.Millisecond))
	}
	t.Logf("the follower reached sequence %d %s after the kill", last, time.Since(killed).Round(time.Millisecond))
}

// newConsumerHost waits for r's follower to create its consumer (one not
// in before) and returns the server it lives on.
func newConsumerHost(t *testing.T, r *apitest.Env, before map[string]string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for name, host := range consumerHosts(t, r) {
			if _, ok := before[name]; !ok {
				return host
			}
		}
	}
	t.Fatal("the replica's follower consumer was not found")
	return ""
}

func serverNamed(c *cluster, name string) *server.Server {
	for _, s := range c.servers {
		if s.Name() == name {
			return s
		}
	}
	return nil
}

// streamLeader names the server leading the JOURNAL stream.
func streamLeader(t *testing.T, r *apitest.Env) string {
	t.Helper()
	return journalCluster(t, r).Leader
}

// journalCluster is the JOURNAL stream's cluster info: its leader and
// replicas.
func journalCluster(t *testing.T, r *apitest.Env) *jetstream.ClusterInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := r.Store.JetStream().Stream(ctx, "JOURNAL")
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil || info.Cluster == nil {
		t.Fatalf("stream info: %v", err)
	}
	return info.Cluster
}
