package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgCluster is the distributed peer of the three-node JetStream cluster: a
// PostgreSQL primary replicating synchronously to two standbys on the same
// machine (synchronous_standby_names = 'ANY 1 (s1, s2)', synchronous_commit
// on), so that a commit returns once its WAL is flushed on a quorum of two
// of the three disks, as a JetStream R3 append is acknowledged once two of
// three servers hold it. The bench starts it from the server binaries of
// --pg-bin and stops it at the end.
type pgCluster struct {
	bin   string
	dir   string
	user  *pgUser
	ports []int    // primary, s1, s2
	data  []string // their data directories
	up    []string // data directories started, for stop
}

// startPGCluster initdbs a primary in a fresh directory under the system's
// temporary one (the servers' user, postgres when the bench runs as root,
// must reach it), takes two standbys from it with pg_basebackup, starts
// all three and waits until both standbys stream as quorum members. stop
// removes the directory.
func startPGCluster(ctx context.Context, bin string) (_ *pgCluster, err error) {
	u, err := lookupPGUser()
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "coachjournal-bench-pg-")
	if err != nil {
		return nil, err
	}
	p := &pgCluster{bin: bin, dir: dir, user: u, ports: ports}
	defer func() {
		if err != nil {
			p.stop()
		}
	}()
	if err := u.own(dir); err != nil {
		return nil, err
	}
	for _, name := range []string{"primary", "s1", "s2"} {
		p.data = append(p.data, filepath.Join(dir, name))
	}
	if err := p.run(ctx, "initdb", "-D", p.data[0], "-U", "postgres", "--auth=trust", "-E", "UTF8"); err != nil {
		return nil, err
	}
	conf := fmt.Sprintf(`
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
max_connections = 200
fsync = on
synchronous_commit = on
wal_level = replica
max_wal_senders = 10
synchronous_standby_names = 'ANY 1 (s1, s2)'
`, ports[0], dir)
	if err := appendFile(filepath.Join(p.data[0], "postgresql.conf"), conf); err != nil {
		return nil, err
	}
	if err := p.start(ctx, p.data[0]); err != nil {
		return nil, err
	}
	for i, name := range []string{"s1", "s2"} {
		if err := p.run(ctx, "pg_basebackup", "-h", "127.0.0.1", "-p", fmt.Sprint(ports[0]), "-U", "postgres",
			"-D", p.data[1+i], "-X", "stream", "-R"); err != nil {
			return nil, err
		}
		// postgresql.auto.conf is read last: the standby's own port and
		// its name in synchronous_standby_names.
		standby := fmt.Sprintf("\nport = %d\nprimary_conninfo = 'host=127.0.0.1 port=%d user=postgres application_name=%s'\n", ports[1+i], ports[0], name)
		if err := appendFile(filepath.Join(p.data[1+i], "postgresql.auto.conf"), standby); err != nil {
			return nil, err
		}
		if err := p.start(ctx, p.data[1+i]); err != nil {
			return nil, err
		}
	}
	return p, p.waitQuorum(ctx, time.Minute)
}

// dsn is the primary's.
func (p *pgCluster) dsn() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres", p.ports[0])
}

// waitQuorum waits until the primary sees both standbys streaming as
// members of its quorum.
func (p *pgCluster) waitQuorum(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		n, err := p.quorumStandbys(ctx)
		if err == nil && n == 2 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres: %d standbys stream as quorum members after %s (err %v; logs under %s)", n, limit, err, p.dir)
		}
		sleepCtx(ctx, 200*time.Millisecond)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

func (p *pgCluster) quorumStandbys(ctx context.Context) (int, error) {
	conn, err := pgx.Connect(ctx, p.dsn())
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = 'quorum'").Scan(&n)
	return n, err
}

// start starts the server of data and waits until it accepts connections.
func (p *pgCluster) start(ctx context.Context, data string) error {
	if err := p.run(ctx, "pg_ctl", "-D", data, "-l", data+".log", "-w", "-t", "60", "start"); err != nil {
		return err
	}
	p.up = append(p.up, data)
	return nil
}

// stop stops the servers it started, standbys first, and removes their
// directory.
func (p *pgCluster) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := len(p.up) - 1; i >= 0; i-- {
		_ = p.run(ctx, "pg_ctl", "-D", p.up[i], "-m", "immediate", "-w", "stop")
	}
	p.up = nil
	_ = os.RemoveAll(p.dir)
}

// run runs one of the server binaries as the servers' user.
func (p *pgCluster) run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(p.bin, name), args...)
	cmd.Dir = p.dir
	p.user.apply(cmd)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("postgres: %s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
