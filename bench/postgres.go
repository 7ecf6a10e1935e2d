package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The PostgreSQL baseline of the appends scenario (bench --postgres): the
// events table most teams would build instead of a stream, at the durability
// they would run it with, measured in the same run as the API.

// pgBench is an events table shaped like the journal stream, in a schema of
// its own that lives for one measurement.
type pgBench struct {
	pool     *pgxpool.Pool
	schema   string // unquoted name, dropped by close
	insert   string // one event, one autocommit transaction
	settings string // server version and durability settings, for the note
}

// pgDurable are the settings without which an INSERT is not a durable write.
var pgDurable = []string{"fsync", "synchronous_commit"}

// pgConfig parses a DSN (URL or key=value) into a pool configuration whose
// every connection is checked for durability before it is used.
func pgConfig(dsn string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres DSN: %w", err)
	}
	cfg.AfterConnect = checkDurable
	return cfg, nil
}

// checkDurable refuses a connection on which a commit would not wait for
// its WAL flush: the baseline is only meaningful at fsync=on and
// synchronous_commit=on, as the JetStream figures are at fsync always.
func checkDurable(ctx context.Context, conn *pgx.Conn) error {
	for _, name := range pgDurable {
		var v string
		if err := conn.QueryRow(ctx, "SHOW "+name).Scan(&v); err != nil {
			return fmt.Errorf("postgres: SHOW %s: %w", name, err)
		}
		if v != "on" {
			return fmt.Errorf("postgres baseline refused: %s is %q, the comparison needs fsync=on and synchronous_commit=on", name, v)
		}
	}
	return nil
}

// openPGBench connects c clients (refusing a server that does not flush on
// commit) and creates a fresh schema holding the events table.
func openPGBench(ctx context.Context, cfg *pgxpool.Config, c int) (*pgBench, error) {
	cfg = cfg.Copy()
	cfg.MaxConns, cfg.MinConns = int32(c), 0
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	p := &pgBench{pool: pool, schema: "coachjournal_bench_" + randomHex(4)}
	if err := p.connectAll(ctx, c); err != nil {
		pool.Close()
		return nil, err
	}
	if err := p.createTable(ctx); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// connectAll opens all c connections up front (each checked by
// checkDurable), so that connecting is not measured.
func (p *pgBench) connectAll(ctx context.Context, c int) error {
	conns := make([]*pgxpool.Conn, 0, c)
	defer func() {
		for _, cn := range conns {
			cn.Release()
		}
	}()
	for range c {
		cn, err := p.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, cn)
	}
	return nil
}

// createTable creates the schema and the table. (person_id, seq) is unique:
// the same optimistic concurrency as the stream's expected last sequence
// per journal, a writer that raced loses with a unique violation.
func (p *pgBench) createTable(ctx context.Context) error {
	s, t := pgx.Identifier{p.schema}.Sanitize(), p.table()
	ddl := "CREATE SCHEMA " + s + `;
CREATE TABLE ` + t + ` (
	id          uuid PRIMARY KEY,
	person_id   uuid NOT NULL,
	seq         bigint NOT NULL,
	type        text NOT NULL,
	recorded_at timestamptz NOT NULL,
	body        jsonb NOT NULL,
	UNIQUE (person_id, seq)
)`
	if _, err := p.pool.Exec(ctx, ddl); err != nil {
		return fmt.Errorf("postgres: create %s: %w", t, err)
	}
	p.insert = "INSERT INTO " + t + " (id, person_id, seq, type, recorded_at, body) VALUES ($1, $2, $3, $4, $5, $6)"
	var version, syncMethod string
	err := p.pool.QueryRow(ctx, "SELECT current_setting('server_version'), current_setting('wal_sync_method')").Scan(&version, &syncMethod)
	p.settings = fmt.Sprintf("PostgreSQL %s, fsync=on, synchronous_commit=on, wal_sync_method=%s", version, syncMethod)
	return err
}

// table is the quoted name of the events table.
func (p *pgBench) table() string { return pgx.Identifier{p.schema, "events"}.Sanitize() }

// close drops the schema, even when ctx is done, and closes the pool.
func (p *pgBench) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = p.pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{p.schema}.Sanitize()+" CASCADE")
	p.pool.Close()
}

// append inserts one event in its own transaction (autocommit): the commit
// returns once its WAL record is flushed.
func (p *pgBench) append(ctx context.Context, person uuid.UUID, seq int, typ string, body []byte) error {
	_, err := p.pool.Exec(ctx, p.insert, uuid.Must(uuid.NewV7()), person, seq, typ, time.Now(), body)
	return err
}

// isPGConflict reports whether err is a unique violation: a lost race on
// (person_id, seq), the table's form of our conflict.
func isPGConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// load runs c clients for dur after warm, each appending to a journal of
// its own (fresh people every call), as the API clients do.
func (p *pgBench) load(ctx context.Context, c int, warm, dur time.Duration, body []byte) loadResult {
	people := make([]uuid.UUID, c)
	for i := range people {
		people[i] = uuid.New()
	}
	return runLoad(ctx, c, warm, dur, func(w, i int) error {
		typ := "metrics.submitted"
		if i%2 == 1 {
			typ = "commitment.made"
		}
		return p.append(ctx, people[w], i+1, typ, body)
	})
}

// postgresRun opens the events table for c clients when --postgres is set
// and returns its load, to be run in the same interleaved rounds as the
// raw publishes and the API (nil without --postgres), and its closing. A
// run's first error goes to failed.
func (b *benchRun) postgresRun(ctx context.Context, c int, payload []byte, failed *error) (run func() loadResult, p *pgBench, err error) {
	return b.postgresRunOn(ctx, b.opts.postgres, c, payload, failed)
}

// postgresRunOn is postgresRun on the server of dsn (empty: none).
func (b *benchRun) postgresRunOn(ctx context.Context, dsn string, c int, payload []byte, failed *error) (run func() loadResult, p *pgBench, err error) {
	if dsn == "" {
		return nil, nil, nil
	}
	if !json.Valid(payload) {
		return nil, nil, errors.New("postgres: the sample envelope is not JSON")
	}
	cfg, err := pgConfig(dsn)
	if err != nil {
		return nil, nil, err
	}
	if p, err = openPGBench(ctx, cfg, c); err != nil {
		return nil, nil, err
	}
	return func() loadResult {
		r := p.load(ctx, c, b.opts.warm, b.opts.dur, payload)
		if r.errs > 0 && *failed == nil {
			*failed = fmt.Errorf("postgres: %w", r.firstE)
		}
		return r
	}, p, nil
}

// addPostgresRows adds the baseline's row and the API's ratio to it.
func (b *benchRun) addPostgresRows(c int, pg, api loadResult, settings string, size int) {
	sc := "append.c" + strconv.Itoa(c)
	row := benchRow{Scenario: sc + ".postgres", Value: pg.rate(), Unit: "ops/s", P50: pg.pct(0.5), P99: pg.pct(0.99)}
	if c == benchConcurrency[0] {
		row.Note = fmt.Sprintf("%s; C clients, each INSERTing one %d-byte jsonb envelope per autocommit transaction into an events table (uuid id, unique (person_id, seq))",
			settings, size)
	}
	b.add(row)
	// No target: on one node the table is faster (SPEC, performance
	// goals), the single-replica JetStream server staging a file store per
	// atomic batch where PostgreSQL's WAL flush carries every commit
	// waiting for it; the table is shown beside ours.
	b.add(benchRow{Scenario: sc + ".api_vs_postgres", Value: api.rate(), Unit: "ops/s", Baseline: pg.rate(), Base: "PostgreSQL table",
		Note: fmt.Sprintf("measured in the same interleaved rounds; API p99 %.2f ms, table p99 %.2f ms", api.pct(0.99), pg.pct(0.99))})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
