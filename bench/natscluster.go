package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// natsCluster is three nats-server processes, built from the module graph
// (the version the service embeds), routed into one cluster on loopback,
// each fsyncing every write (sync_interval: always): the distributed peer
// of the embedded server. api/failover_soak_test.go starts the same.
type natsCluster struct {
	dir   string
	urls  []string // client URLs
	mons  []string // monitoring URLs
	procs []*exec.Cmd
}

// buildNATSServer builds github.com/nats-io/nats-server/v2 at the version
// of the module graph into dir. It needs the go tool and the module's
// source: it runs in the module's root, found upwards from the working
// directory.
func buildNATSServer(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "nats-server")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/nats-io/nats-server/v2")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build nats-server: %v\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot is the nearest directory upwards from the working directory
// whose go.mod declares this module.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/coachjournal/coachjournal\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("the cluster scenario builds nats-server from the module graph: run the bench inside the coachjournal checkout")
		}
		dir = parent
	}
}

// startNATSCluster starts three nodes under dir and waits until every one
// reports JetStream healthy.
func startNATSCluster(ctx context.Context, bin, dir string) (*natsCluster, error) {
	const n = 3
	c := &natsCluster{dir: dir}
	ports, err := freePorts(3 * n)
	if err != nil {
		return nil, err
	}
	var routes []string
	for i := range n {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[2*n+i]))
	}
	for i := range n {
		client, mon, route := ports[i], ports[n+i], ports[2*n+i]
		node := filepath.Join(dir, fmt.Sprintf("n%d", i+1))
		if err := os.MkdirAll(node, 0o700); err != nil {
			c.stop()
			return nil, err
		}
		conf := fmt.Sprintf(`server_name: n%d
listen: 127.0.0.1:%d
http: 127.0.0.1:%d
jetstream { store_dir: %q, sync_interval: always }
cluster { name: coachjournal-bench, listen: 127.0.0.1:%d, routes: [%s] }
`, i+1, client, mon, filepath.Join(node, "js"), route, strings.Join(routes, ", "))
		path := filepath.Join(node, "nats.conf")
		if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
			c.stop()
			return nil, err
		}
		cmd := exec.Command(bin, "-c", path)
		log, err := os.Create(filepath.Join(node, "server.log"))
		if err != nil {
			c.stop()
			return nil, err
		}
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			log.Close()
			c.stop()
			return nil, err
		}
		log.Close()
		c.procs = append(c.procs, cmd)
		c.urls = append(c.urls, fmt.Sprintf("nats://127.0.0.1:%d", client))
		c.mons = append(c.mons, fmt.Sprintf("http://127.0.0.1:%d", mon))
	}
	if err := c.waitHealthy(ctx, time.Minute); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// waitHealthy waits until every node answers its JetStream health check.
func (c *natsCluster) waitHealthy(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		healthy := true
		for _, m := range c.mons {
			resp, err := http.Get(m + "/healthz")
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
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the NATS cluster is not healthy after %s (logs under %s)", limit, c.dir)
		}
		sleepCtx(ctx, 100*time.Millisecond)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// stop kills the nodes and waits for them.
func (c *natsCluster) stop() {
	for _, p := range c.procs {
		_ = p.Process.Kill()
		_ = p.Wait()
	}
	c.procs = nil
}

// freePorts returns n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var out []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}
