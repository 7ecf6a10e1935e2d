package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clusterConcurrency are the client counts of the cluster scenario.
var clusterConcurrency = []int{16, 64}

// cluster measures durable appends on the distributed peer (opt-in,
// --scenarios cluster): the API on a three-node JetStream cluster of
// nats-server processes (sync_interval: always, the journal stream with
// three replicas) against raw publishes to a stream of three replicas on
// the same cluster and, with --pg-bin, a PostgreSQL primary replicating
// synchronously to two standbys (a commit on a quorum of two of three
// disks), all in the same interleaved rounds, by 16 and 64 clients; and,
// in the same rounds, the raw publishes and the API on the embedded single
// server, so that what the replicas batch shows beside what one cannot.
func (b *benchRun) cluster(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "coachjournal-bench-cluster-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b.logf("cluster: building nats-server from the module graph")
	bin, err := buildNATSServer(ctx, dir)
	if err != nil {
		return err
	}
	nc, err := startNATSCluster(ctx, bin, filepath.Join(dir, "nats"))
	if err != nil {
		return err
	}
	defer nc.stop()
	env, err := startBenchEnvOn(ctx, strings.Join(nc.urls, ","), 3)
	if err != nil {
		return err
	}
	defer env.close()
	// One node beside it, in the same rounds: where the replicas batch
	// what a single replica cannot, it shows.
	one, err := startBenchEnv(ctx)
	if err != nil {
		return err
	}
	defer one.close()
	var pg *pgCluster
	if b.opts.pgBin != "" {
		b.logf("cluster: starting a PostgreSQL primary and two synchronous standbys from %s", b.opts.pgBin)
		if pg, err = startPGCluster(ctx, b.opts.pgBin); err != nil {
			return err
		}
		defer pg.stop()
	} else {
		b.logf("cluster: no --pg-bin, so no PostgreSQL rows")
	}
	payload, err := sampleEnvelope(ctx, env)
	if err != nil {
		return err
	}
	for _, c := range clusterConcurrency {
		b.logf("cluster: %d concurrent", c)
		cl := benchClient(c)
		var failed error
		raw := func(env *benchEnv) func() loadResult {
			js := env.store.JetStream()
			return func() loadResult {
				r := runLoad(ctx, c, b.opts.warm, b.opts.dur, func(w, _ int) error {
					_, err := js.Publish(ctx, "benchraw.cluster."+strconv.Itoa(w), payload)
					return err
				})
				if r.errs > 0 && failed == nil {
					failed = r.firstE
				}
				return r
			}
		}
		runs := []func() loadResult{raw(env), b.apiAppends(ctx, env, cl, c, &failed), raw(one), b.apiAppends(ctx, one, cl, c, &failed)}
		var p *pgBench
		if pg != nil {
			var pgRun func() loadResult
			if pgRun, p, err = b.postgresRunOn(ctx, pg.dsn(), c, payload, &failed); err != nil {
				return err
			}
			runs = append(runs, pgRun)
		}
		res := interleavedLoads(b.opts.rounds, runs...)
		var settings string
		if p != nil {
			settings = p.settings
			p.close()
		}
		cl.CloseIdleConnections()
		if failed != nil {
			return failed
		}
		sc := "cluster.c" + strconv.Itoa(c)
		rawRes, api := res[0], res[1]
		b.add(benchRow{Scenario: sc + ".raw_jetstream_r3", Value: rawRes.rate(), Unit: "ops/s", P50: rawRes.pct(0.5), P99: rawRes.pct(0.99),
			Note: "C publishers each publishing a stored envelope to a stream of three replicas and waiting for its ack (a quorum of two servers, each fsyncing)"})
		b.add(benchRow{Scenario: sc + ".api", Value: api.rate(), Unit: "ops/s", Baseline: rawRes.rate(), Base: "raw JetStream R3",
			P50: api.pct(0.5), P99: api.pct(0.99), Note: "the journal stream with three replicas on three nats-server processes, sync_interval: always"})
		rawOne, apiOne := res[2], res[3]
		b.add(benchRow{Scenario: sc + ".raw_jetstream_r1", Value: rawOne.rate(), Unit: "ops/s", Baseline: rawRes.rate(), Base: "raw JetStream R3",
			P50: rawOne.pct(0.5), P99: rawOne.pct(0.99), Note: "the same publishes to the embedded single server (one replica), in the same rounds"})
		b.add(benchRow{Scenario: sc + ".api_r1", Value: apiOne.rate(), Unit: "ops/s", Baseline: api.rate(), Base: "API on R3",
			P50: apiOne.pct(0.5), P99: apiOne.pct(0.99), Note: "the API on the embedded single server, in the same rounds"})
		if p == nil {
			continue
		}
		pgRes := res[4]
		b.add(benchRow{Scenario: sc + ".postgres_sync2", Value: pgRes.rate(), Unit: "ops/s", P50: pgRes.pct(0.5), P99: pgRes.pct(0.99),
			Note: settings + "; primary with two standbys on this machine, synchronous_standby_names = 'ANY 1 (s1, s2)': a commit waits for its WAL flushed on the primary and one standby"})
		b.add(benchRow{Scenario: sc + ".api_vs_postgres", Value: api.rate(), Unit: "ops/s", Baseline: pgRes.rate(), Base: "PostgreSQL sync quorum",
			Note: fmt.Sprintf("measured in the same interleaved rounds; API p99 %.2f ms, PostgreSQL p99 %.2f ms", api.pct(0.99), pgRes.pct(0.99))})
	}
	return nil
}
