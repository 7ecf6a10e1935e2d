package bench

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestPGCluster starts the cluster scenario's PostgreSQL trio from the
// binaries of COACHJOURNAL_TEST_PG_BIN: both standbys stream as quorum
// members, the primary asks a quorum of them, and a committed row is on
// a standby.
func TestPGCluster(t *testing.T) {
	bin := os.Getenv("COACHJOURNAL_TEST_PG_BIN")
	if bin == "" {
		t.Skip("COACHJOURNAL_TEST_PG_BIN is unset: set it to PostgreSQL's server binaries (e.g. /usr/lib/postgresql/15/bin) to start a primary and two standbys")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p, err := startPGCluster(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		p.stop()
		if _, err := os.Stat(p.dir); !os.IsNotExist(err) {
			t.Errorf("%s after stop: %v, want it removed", p.dir, err)
		}
	}()
	conn, err := pgx.Connect(ctx, p.dsn())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var names, commit string
	if err := conn.QueryRow(ctx, "SELECT current_setting('synchronous_standby_names'), current_setting('synchronous_commit')").Scan(&names, &commit); err != nil {
		t.Fatal(err)
	}
	if names != "ANY 1 (s1, s2)" || commit != "on" {
		t.Errorf("synchronous_standby_names=%q synchronous_commit=%q, want ANY 1 (s1, s2) and on", names, commit)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE t (v int); INSERT INTO t VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	// A commit waited for one standby's flush; replay on it may trail a
	// little, so poll both.
	deadline := time.Now().Add(30 * time.Second)
	for _, port := range p.ports[1:] {
		for {
			sc, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:"+strconv.Itoa(port)+"/postgres")
			var v int
			if err == nil {
				err = sc.QueryRow(ctx, "SELECT v FROM t").Scan(&v)
				sc.Close(ctx)
			}
			if err == nil && v == 42 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("standby on %d: v=%d err=%v, want the committed row", port, v, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}
