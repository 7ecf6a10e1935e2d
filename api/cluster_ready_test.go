package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
)

// TestReadyWithoutStreamLeader: on a five-node cluster, two of the three
// servers holding the journal stream stop. The stream then has no leader
// and takes no writes, although the cluster (three of five servers) still
// answers and the stream's last replica still answers what it holds:
// /readyz must say 503 for as long as that lasts, and 200 again, without a
// restart, once the two are back and a leader is elected.
func TestReadyWithoutStreamLeader(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a five-node cluster")
	}
	c := startClusterOf(t, 5)
	r := apitest.StartWith(t, apitest.Options{NATSURL: strings.Join(c.urls, ","), KeyDir: t.TempDir()})
	r.Must(http.StatusOK, http.MethodGet, "/readyz", "", nil)
	admin := r.Token("admin-service", domain.RoleAdmin)
	r.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": "Ana Lima", "email": "ana@example.com"})

	leader := func() (string, []string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		st, err := r.Store.JetStream().Stream(ctx, "JOURNAL")
		if err != nil {
			return "", nil, err
		}
		info, err := st.Info(ctx)
		if err != nil {
			return "", nil, err
		}
		peers := []string{info.Cluster.Leader}
		for _, p := range info.Cluster.Replicas {
			peers = append(peers, p.Name)
		}
		return info.Cluster.Leader, peers, nil
	}
	lead, peers, err := leader()
	if err != nil || lead == "" || len(peers) != 3 {
		t.Fatalf("journal stream: leader %q, peers %v, %v", lead, peers, err)
	}
	var stopped []int
	for i, s := range c.servers {
		if len(stopped) < 2 && slices.Contains(peers, s.Name()) {
			s.Shutdown()
			s.WaitForShutdown()
			stopped = append(stopped, i)
		}
	}
	stoppedAt := time.Now()
	t.Logf("stopped %d of the stream's servers %v", len(stopped), peers)

	// Wait until the stream's last replica answers without a leader.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if lead, _, err := leader(); err == nil && lead == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the journal stream kept a leader (or its replica never answered) with two of its three servers stopped")
		}
	}
	t.Logf("leaderless after %v", time.Since(stoppedAt).Round(time.Millisecond))
	for range 5 {
		if got := r.Do(http.MethodGet, "/readyz", "", nil); got.Status != http.StatusServiceUnavailable {
			t.Fatalf("readyz with no stream leader: %d %s, want 503", got.Status, got.Body)
		}
		time.Sleep(200 * time.Millisecond)
	}

	for _, i := range stopped {
		c.start(t, i)
	}
	restarted := time.Now()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		if got := r.Do(http.MethodGet, "/readyz", "", nil); got.Status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("readyz did not recover once the stream's servers were back")
		}
	}
	t.Logf("ready %v after the restart", time.Since(restarted).Round(time.Millisecond))
	r.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": "Ben Okafor", "email": "ben@example.com"})
}
