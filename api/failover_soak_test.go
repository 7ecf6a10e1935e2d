package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// soakRoundsEnv opts in to TestFailoverSoak and sets its round count.
const soakRoundsEnv = "COACHJOURNAL_SOAK_ROUNDS"

// natsProcess is one nats-server process of a three-node cluster.
type natsProcess struct {
	name, conf string
	log        string // the process's output
	client     string // nats://127.0.0.1:port
	monitor    string // http://127.0.0.1:port
	cmd        *exec.Cmd
}

// processCluster is three nats-server processes, built from the module
// graph, routed into one cluster, each fsyncing every write.
type processCluster struct {
	t      *testing.T
	binary string
	nodes  []*natsProcess
}

func startProcessCluster(t *testing.T) *processCluster {
	t.Helper()
	c := &processCluster{t: t, binary: filepath.Join(t.TempDir(), "nats-server")}
	if out, err := exec.Command("go", "build", "-o", c.binary, "github.com/nats-io/nats-server/v2").CombinedOutput(); err != nil {
		t.Fatalf("build nats-server: %v\n%s", err, out)
	}
	t.Cleanup(c.stop)
	// A port freePort found free may be taken before a server listens on
	// it (another test's connection, say): a cluster that does not come up
	// healthy is started again on fresh ports, logging what its servers
	// said, at most three times.
	const attempts = 3
	for attempt := 1; ; attempt++ {
		c.configure()
		for _, node := range c.nodes {
			c.start(node)
		}
		_, err := c.healthyWithin(30 * time.Second)
		if err == nil {
			return c
		}
		for _, node := range c.nodes {
			out, _ := os.ReadFile(node.log)
			t.Logf("attempt %d, %s said:\n%s", attempt, node.name, tail(out, 2000))
		}
		if attempt == attempts {
			t.Fatalf("the cluster did not start in %d attempts: %v", attempts, err)
		}
		t.Logf("attempt %d: %v; starting the cluster again on fresh ports", attempt, err)
		c.stop()
	}
}

// configure writes a configuration for each of three nodes, on fresh ports.
func (c *processCluster) configure() {
	t := c.t
	const n = 3
	var routes []string
	clusterPorts := make([]int, n)
	for i := range n {
		clusterPorts[i] = freePort(t)
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", clusterPorts[i]))
	}
	c.nodes = nil
	for i := range n {
		client, monitor, dir := freePort(t), freePort(t), t.TempDir()
		node := &natsProcess{name: fmt.Sprintf("n%d", i+1), conf: filepath.Join(dir, "nats.conf"), log: filepath.Join(dir, "nats.log"),
			client: fmt.Sprintf("nats://127.0.0.1:%d", client), monitor: fmt.Sprintf("http://127.0.0.1:%d", monitor)}
		conf := fmt.Sprintf(`server_name: %s
listen: 127.0.0.1:%d
http: 127.0.0.1:%d
jetstream { store_dir: %q, sync_interval: always }
cluster { name: coachjournal, listen: 127.0.0.1:%d, routes: [%s] }
`, node.name, client, monitor, filepath.Join(dir, "js"), clusterPorts[i], strings.Join(routes, ", "))
		if err := os.WriteFile(node.conf, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		c.nodes = append(c.nodes, node)
	}
}

// stop kills every node still running.
func (c *processCluster) stop() {
	for _, node := range c.nodes {
		if node.cmd != nil {
			_ = node.cmd.Process.Kill()
			_ = node.cmd.Wait()
			node.cmd = nil
		}
	}
}

// tail is the last n bytes of b.
func tail(b []byte, n int) []byte { return b[max(0, len(b)-n):] }

func (c *processCluster) start(node *natsProcess) {
	c.t.Helper()
	log, err := os.OpenFile(node.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		c.t.Fatal(err)
	}
	defer log.Close() // the process has its own descriptor
	node.cmd = exec.Command(c.binary, "-c", node.conf)
	node.cmd.Stdout, node.cmd.Stderr = log, log
	if err := node.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
}

// kill SIGKILLs node and waits for it to be gone; start brings it back.
func (c *processCluster) kill(node *natsProcess) {
	c.t.Helper()
	_ = node.cmd.Process.Kill()
	_ = node.cmd.Wait()
	node.cmd = nil
}

func (c *processCluster) urls() string {
	var out []string
	for _, node := range c.nodes {
		out = append(out, node.client)
	}
	return strings.Join(out, ",")
}

func (c *processCluster) named(name string) *natsProcess {
	for _, node := range c.nodes {
		if node.name == name {
			return node
		}
	}
	c.t.Fatalf("no node %q", name)
	return nil
}

// waitHealthy waits until every node answers its JetStream health check
// (streams and consumers current) and returns when that was.
func (c *processCluster) waitHealthy(limit time.Duration) time.Time {
	c.t.Helper()
	at, err := c.healthyWithin(limit)
	if err != nil {
		c.t.Fatal(err)
	}
	return at
}

// healthyWithin is waitHealthy's wait, with an error once limit passes.
func (c *processCluster) healthyWithin(limit time.Duration) (time.Time, error) {
	deadline := time.Now().Add(limit)
	for {
		healthy := true
		for _, node := range c.nodes {
			resp, err := http.Get(node.monitor + "/healthz")
			if err != nil {
				healthy = false
				break
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				healthy = false
				break
			}
		}
		if healthy {
			return time.Now(), nil
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("the cluster is not healthy after %s", limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// soakAck is one acknowledged commitment: its person, and the stream
// sequence, journal version and time of the 201.
type soakAck struct {
	person   uuid.UUID
	sequence uint64
	info     string
}

// soakWriter records the commitments a replica acknowledged.
type soakWriter struct {
	mu        sync.Mutex
	acked     map[uuid.UUID]soakAck // by commitment
	since     time.Time             // the last kill
	firstAck  time.Time             // the first acknowledgement after since
	unknown   int                   // 503 outcome_unknown: maybe stored, not counted
	refused   int                   // 503 unavailable, 409
	statusErr []string
}

// TestFailoverSoak: three nats-server processes, two API replicas, writers
// on both. Each round SIGKILLs one server (the stream leader, found from
// the stream's cluster info; a follower of the stream; or the server the
// first replica is connected to, in turn), starts it again, and checks:
// writes succeed again within 10 s of the kill; once the cluster is
// healthy both replicas converge within 5 s; and no acknowledged write is
// missing on either replica. Opt in with COACHJOURNAL_SOAK_ROUNDS=N (CI
// runs a few rounds; by hand, many); figures in docs/failover.md. By hand,
// SOAK_DEBUG=1 logs both replicas at debug level and SOAK_DUMP=file writes
// every goroutine's stack there when a replica fails to converge.
func TestFailoverSoak(t *testing.T) {
	rounds, _ := strconv.Atoi(os.Getenv(soakRoundsEnv))
	if rounds <= 0 {
		t.Skipf("set %s to run the failover soak", soakRoundsEnv)
	}
	c := startProcessCluster(t)
	opts := apitest.Options{NATSURL: c.urls(), KeyDir: t.TempDir(), WriteTimeout: 3 * time.Second}
	var replicas []*apitest.Env
	for i := range 2 {
		o := opts
		if os.Getenv("SOAK_DEBUG") != "" {
			o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("replica", i+1)
		}
		replicas = append(replicas, apitest.StartWith(t, o))
	}
	admin := replicas[0].Token("admin-service", domain.RoleAdmin)
	var people []string
	for i := range 4 {
		// A cluster just formed may still be electing the stream's leader:
		// the first writes are retried on 503, as a client following
		// Retry-After would (the soak measures failover, not the start).
		body := map[string]any{"name": fmt.Sprintf("Rep %d", i), "email": "rep@example.com"}
		r := replicas[0].Do(http.MethodPost, "/v1/people", admin, body)
		for deadline := time.Now().Add(15 * time.Second); r.Status == http.StatusServiceUnavailable && time.Now().Before(deadline); {
			time.Sleep(200 * time.Millisecond)
			r = replicas[0].Do(http.MethodPost, "/v1/people", admin, body)
		}
		var w struct {
			ID string `json:"id"`
		}
		if r.Status != http.StatusCreated {
			t.Fatalf("POST /v1/people: status %d, want 201; body %s", r.Status, r.Body)
		}
		r.Decode(t, &w)
		people = append(people, w.ID)
	}
	ready, cancelReady := context.WithTimeout(context.Background(), 10*time.Second)
	if err := replicas[1].Views.WaitFor(ready, soakLastSequence(t, replicas[0])); err != nil {
		t.Fatal(err)
	}
	cancelReady()
	writers := []*soakWriter{{acked: map[uuid.UUID]soakAck{}}, {acked: map[uuid.UUID]soakAck{}}}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i, r := range replicas {
		for g := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				soakWrite(ctx, t, r, admin, people[(2*i+g)%len(people)], writers[i])
			}()
		}
	}
	defer func() { stop(); wg.Wait() }()

	t.Logf("%-6s %-10s %-8s %12s %12s %10s", "round", "killed", "role", "write again", "converged", "acked")
	for round := range rounds {
		time.Sleep(time.Second) // load before the kill
		role := []string{"leader", "follower", "connected"}[round%3]
		victim := soakVictim(t, c, replicas[0], role)
		killed := time.Now()
		for _, w := range writers {
			w.arm(killed)
		}
		c.kill(victim)
		time.Sleep(2 * time.Second)
		c.start(victim)
		healthy := c.waitHealthy(60 * time.Second)
		// Writes succeed again within 10 s of the kill, on both replicas.
		var again time.Duration
		for i, w := range writers {
			for w.first().IsZero() {
				if time.Since(killed) > 10*time.Second {
					t.Fatalf("round %d (%s %s): replica %d has had no write acknowledged for %s", round, role, victim.name, i+1, time.Since(killed).Round(time.Millisecond))
				}
				time.Sleep(20 * time.Millisecond)
			}
			again = max(again, w.first().Sub(killed))
		}
		// Both replicas converge within 5 s of the cluster being healthy: they
		// reach the stream's last sequence and every sequence acknowledged so
		// far (a stream info answered during an election can be behind the
		// acknowledgements), and each holds every acknowledged commitment.
		// Writes go on meanwhile; later acknowledgements wait for the next
		// round.
		acks := map[uuid.UUID]soakAck{}
		last := soakLastSequence(t, replicas[0])
		for _, w := range writers {
			w.mu.Lock()
			for cid, a := range w.acked {
				acks[cid] = a
				last = max(last, a.sequence)
			}
			w.mu.Unlock()
		}
		for i, r := range replicas {
			wait, cancel := context.WithDeadline(context.Background(), healthy.Add(5*time.Second))
			err := r.Views.WaitFor(wait, last)
			cancel()
			if err != nil {
				if dump := os.Getenv("SOAK_DUMP"); dump != "" {
					buf := make([]byte, 64<<20)
					_ = os.WriteFile(dump, buf[:runtime.Stack(buf, true)], 0o600)
				}
				t.Fatalf("round %d (%s %s): replica %d is at %d, the stream at %d, 5 s after the cluster was healthy\n%s", round, role, victim.name, i+1, r.Views.Sequence(), last, soakState(replicas[0]))
			}
		}
		converged := time.Since(healthy)
		// No acknowledged write is missing on either replica.
		for cid, a := range acks {
			for i, r := range replicas {
				if _, ok := r.Views.Commitment(a.person, cid); !ok {
					t.Errorf("round %d: acknowledged commitment %s (%s) is not on replica %d: %s", round, cid, a.info, i+1, soakFind(r, a.person, cid))
				}
			}
		}
		acked := len(acks)
		t.Logf("%-6d %-10s %-8s %12s %12s %10d", round, victim.name, role, again.Round(time.Millisecond), converged.Round(time.Millisecond), acked)
		if t.Failed() {
			return
		}
	}
	stop()
	wg.Wait()
	// After the last round: every acknowledged commitment, those of the
	// last round's tail included, is on both replicas.
	var last uint64
	for _, w := range writers {
		for _, a := range w.acked {
			last = max(last, a.sequence)
		}
	}
	for i, r := range replicas {
		wait, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := r.Views.WaitFor(wait, last); err != nil {
			t.Errorf("after the rounds: replica %d is at %d, the acknowledged writes at %d", i+1, r.Views.Sequence(), last)
		}
		cancel()
		for _, w := range writers {
			for cid, a := range w.acked {
				if _, ok := r.Views.Commitment(a.person, cid); !ok {
					t.Errorf("after the rounds: acknowledged commitment %s (%s) is not on replica %d: %s", cid, a.info, i+1, soakFind(r, a.person, cid))
				}
			}
		}
	}
	for i, w := range writers {
		t.Logf("replica %d: %d acknowledged, %d outcome unknown, %d refused", i+1, len(w.acked), w.unknown, w.refused)
		for _, s := range w.statusErr {
			t.Error(s)
		}
	}
}

// arm starts waiting for the first acknowledgement after a kill.
func (w *soakWriter) arm(killed time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.since, w.firstAck = killed, time.Time{}
}

// first returns the first acknowledgement since arm (zero: none yet).
func (w *soakWriter) first() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.firstAck
}

// soakWrite makes commitments on person through r until ctx ends.
func soakWrite(ctx context.Context, t *testing.T, r *apitest.Env, token, person string, w *soakWriter) {
	for i := 0; ctx.Err() == nil; i++ {
		resp := r.Do(http.MethodPost, "/v1/people/"+person+"/commitments", token,
			map[string]any{"text": fmt.Sprintf("call %d", i), "due_on": "2030-01-01"})
		w.mu.Lock()
		switch {
		// 202: stored, but that replica's projections had not applied it
		// yet (its follower recovering from the kill): acknowledged too.
		case resp.Status == http.StatusCreated || resp.Status == http.StatusAccepted:
			var body struct {
				ID                uuid.UUID
				Sequence, Version uint64
			}
			resp.Decode(t, &body)
			w.acked[body.ID] = soakAck{person: uuid.MustParse(person), sequence: body.Sequence,
				info: fmt.Sprintf("seq %d version %d at %s", body.Sequence, body.Version, time.Now().Format("15:04:05.000"))}
			if now := time.Now(); w.firstAck.IsZero() && now.After(w.since) {
				w.firstAck = now
			}
		case resp.Status == http.StatusServiceUnavailable && strings.Contains(string(resp.Body), "outcome_unknown"):
			w.unknown++
		case resp.Status == http.StatusServiceUnavailable || resp.Status == http.StatusConflict:
			w.refused++
		default:
			w.statusErr = append(w.statusErr, fmt.Sprintf("unexpected %d: %s", resp.Status, resp.Body))
		}
		w.mu.Unlock()
		if resp.Status != http.StatusCreated && resp.Status != http.StatusAccepted {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// soakVictim picks the server to kill: the JOURNAL stream's leader, one of
// its followers, or the server r is connected to.
func soakVictim(t *testing.T, c *processCluster, r *apitest.Env, role string) *natsProcess {
	t.Helper()
	if role == "connected" {
		if name := r.Store.ConnectedServer(); name != "" {
			return c.named(name)
		}
		t.Fatal("the replica is not connected")
	}
	cluster := journalCluster(t, r) // cluster_follower_test.go
	if role == "leader" {
		return c.named(cluster.Leader)
	}
	for _, peer := range cluster.Replicas {
		return c.named(peer.Name)
	}
	t.Fatal("the stream has no follower")
	return nil
}

func soakLastSequence(t *testing.T, r *apitest.Env) uint64 {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		seq, err := r.Store.LastSequence(context.Background())
		if err == nil {
			return seq
		}
		if time.Now().After(deadline) {
			t.Fatalf("last sequence: %v", err)
		}
	}
}

// soakFind says where a commitment missing from a replica's projections is:
// in the person's journal as the stream holds it, or not.
func soakFind(r *apitest.Env, person, cid uuid.UUID) string {
	events, err := r.Store.ReadJournal(context.Background(), person)
	if err != nil {
		return "journal unreadable: " + err.Error()
	}
	for _, e := range events {
		if m, ok := e.Data.(*domain.CommitmentMade); ok && m.CommitmentID == cid {
			return fmt.Sprintf("in the stream at sequence %d, version %d; projections at %d", e.Sequence, e.Version, r.Views.Sequence())
		}
	}
	return fmt.Sprintf("not in the stream (journal of %d events)", len(events))
}

// soakState describes the JOURNAL stream's replicas and consumers, for a
// failure message.
func soakState(r *apitest.Env) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := r.Store.JetStream().Stream(ctx, "JOURNAL")
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	if info, err := st.Info(ctx); err == nil && info.Cluster != nil {
		fmt.Fprintf(&b, "stream: last %d, leader %s", info.State.LastSeq, info.Cluster.Leader)
		for _, p := range info.Cluster.Replicas {
			fmt.Fprintf(&b, "; %s current %v lag %d active %s", p.Name, p.Current, p.Lag, p.Active)
		}
		b.WriteString("\n")
	}
	l := st.ListConsumers(ctx)
	for c := range l.Info() {
		host := ""
		if c.Cluster != nil {
			host = c.Cluster.Leader
		}
		fmt.Fprintf(&b, "consumer %s on %s: delivered stream %d, pending %d, waiting %d, ack pending %d\n", c.Name, host, c.Delivered.Stream, c.NumPending, c.NumWaiting, c.NumAckPending)
	}
	return b.String()
}
