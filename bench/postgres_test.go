package bench

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestBenchPostgres runs the PostgreSQL baseline briefly against the server
// of COACHJOURNAL_TEST_POSTGRES: rows land in the events table, a duplicate
// (person_id, seq) is a conflict, the rows of the table come out, and a
// server that does not flush on commit is refused.
func TestBenchPostgres(t *testing.T) {
	dsn := os.Getenv("COACHJOURNAL_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("COACHJOURNAL_TEST_POSTGRES is unset: set it to a PostgreSQL DSN (e.g. postgres://postgres@127.0.0.1:5433/postgres) to run the PostgreSQL baseline")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := pgConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":"x","type":"commitment.made","data":{"text":"book 15 first meetings by Friday"}}`)

	t.Run("load", func(t *testing.T) {
		p := mustOpenPGBench(t, ctx, cfg, 4)
		r := p.load(ctx, 4, 50*time.Millisecond, 300*time.Millisecond, body)
		if r.errs > 0 {
			t.Fatalf("load: %d errors, first %v", r.errs, r.firstE)
		}
		if r.ops == 0 || r.rate() <= 0 {
			t.Fatalf("load: ops=%d rate=%v, want > 0", r.ops, r.rate())
		}
		var rows, people, gaps int
		err := p.pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT person_id),
			(SELECT count(*) FROM (SELECT person_id FROM `+p.table()+` GROUP BY person_id HAVING max(seq) <> count(*)) g)
			FROM `+p.table()).Scan(&rows, &people, &gaps)
		if err != nil {
			t.Fatal(err)
		}
		// The warm-up's and the tail's inserts are stored but not counted.
		if rows < r.ops {
			t.Errorf("rows=%d, want ≥ ops=%d", rows, r.ops)
		}
		if people != 4 || gaps != 0 {
			t.Errorf("people=%d journals with gaps=%d, want 4 and 0", people, gaps)
		}
	})

	t.Run("conflict", func(t *testing.T) {
		p := mustOpenPGBench(t, ctx, cfg, 1)
		person := uuid.New()
		if err := p.append(ctx, person, 1, "person.registered", body); err != nil {
			t.Fatal(err)
		}
		err := p.append(ctx, person, 1, "commitment.made", body)
		if !isPGConflict(err) {
			t.Fatalf("second append at seq 1: err=%v, want a unique violation", err)
		}
		if err := p.append(ctx, person, 2, "commitment.made", body); err != nil {
			t.Fatalf("append at seq 2: %v", err)
		}
	})

	t.Run("rows", func(t *testing.T) {
		b := &benchRun{opts: benchOpts{json: true, postgres: dsn, rounds: 1, warm: 20 * time.Millisecond, dur: 200 * time.Millisecond}, progress: io.Discard}
		api := loadResult{ops: 100, dur: time.Second}
		var failed error
		run, p, err := b.postgresRun(ctx, 16, body, &failed)
		if err != nil {
			t.Fatal(err)
		}
		pgRes := interleavedLoads(1, run)[0]
		p.close()
		if failed != nil {
			t.Fatal(failed)
		}
		b.addPostgresRows(16, pgRes, api, p.settings, len(body))
		if len(b.rows) != 2 || b.rows[0].Scenario != "append.c16.postgres" || b.rows[1].Scenario != "append.c16.api_vs_postgres" {
			t.Fatalf("rows=%+v, want append.c16.postgres and append.c16.api_vs_postgres", b.rows)
		}
		pg, vs := b.rows[0], b.rows[1]
		if pg.Value <= 0 || vs.Baseline != pg.Value || vs.Value != 100 {
			t.Errorf("postgres=%v, api_vs_postgres value=%v baseline=%v, want >0, 100, the postgres value", pg.Value, vs.Value, vs.Baseline)
		}
		if want := 100 / pg.Value; vs.Ratio != want || vs.Met != nil {
			t.Errorf("ratio=%v met=%v, want %v and no target (the table is faster on one node, SPEC)", vs.Ratio, vs.Met, want)
		}
	})

	t.Run("refuses synchronous_commit off", func(t *testing.T) {
		off := cfg.Copy()
		off.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
		p, err := openPGBench(ctx, off, 1)
		if err == nil {
			p.close()
			t.Fatal("opened with synchronous_commit=off, want a refusal")
		}
		if !strings.Contains(err.Error(), "synchronous_commit") {
			t.Errorf("err=%v, want it to name synchronous_commit", err)
		}
	})
}

// mustOpenPGBench opens the baseline with a fresh schema and checks that
// closing it drops the schema.
func mustOpenPGBench(tb testing.TB, ctx context.Context, cfg *pgxpool.Config, c int) *pgBench {
	tb.Helper()
	p, err := openPGBench(ctx, cfg, c)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		schema := p.schema
		p.close()
		check, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			tb.Error(err)
			return
		}
		defer check.Close()
		var n int
		if err := check.QueryRow(ctx, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", schema).Scan(&n); err != nil || n != 0 {
			tb.Errorf("schema %s after close: count=%d err=%v, want dropped", schema, n, err)
		}
	})
	return p
}
