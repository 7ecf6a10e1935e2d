package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// benchConcurrency are the publisher and client counts of the appends scenario.
var benchConcurrency = []int{1, 16, 64}

// appends: raw JetStream publishes by c publishers, the no-op Echo POST and
// real commands over HTTP by c keep-alive clients.
func (b *benchRun) appends(ctx context.Context, env *benchEnv) error {
	payload, err := sampleEnvelope(ctx, env)
	if err != nil {
		return err
	}
	js := env.store.JetStream()
	for _, c := range benchConcurrency {
		b.logf("appends: %d concurrent", c)
		cl := benchClient(c)
		rawRun := func() loadResult {
			return runLoad(ctx, c, b.opts.warm, b.opts.dur, func(w, _ int) error {
				_, err := js.Publish(ctx, "benchraw.append."+strconv.Itoa(w), payload)
				return err
			})
		}
		// Informative: the same raw publishes made conditional on each
		// publisher's last sequence, as every API append is; then also
		// with an ordered consumer following the stream, as the API's
		// projections follow theirs.
		round := 0
		conditional := func(followed bool) loadResult {
			round++
			prefix := "benchraw.appcond.c" + strconv.Itoa(c) + "r" + strconv.Itoa(round) + "."
			if followed {
				stop, err := followRaw(ctx, env, prefix+">")
				if err != nil {
					return loadResult{dur: time.Second, errs: 1, firstE: err}
				}
				defer stop()
			}
			last := make([]uint64, c)
			return runLoad(ctx, c, b.opts.warm, b.opts.dur, func(w, _ int) error {
				subj := prefix + strconv.Itoa(w)
				m := nats.NewMsg(subj + ".e")
				m.Data = payload
				m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(last[w], 10))
				m.Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, subj+".>")
				ack, err := js.PublishMsg(ctx, m)
				if err != nil {
					return err
				}
				last[w] = ack.Sequence
				return nil
			})
		}
		noopRun := func() loadResult {
			return runLoad(ctx, c, b.opts.warm, b.opts.dur, func(w, i int) error {
				return do(cl, http.MethodPost, env.noop+"/noop/x", "", metricsBody(i), http.StatusCreated)
			})
		}
		var failed error
		api := b.apiAppends(ctx, env, cl, c, &failed)
		runs := []func() loadResult{rawRun, func() loadResult { return conditional(false) },
			func() loadResult { return conditional(true) }, noopRun, api}
		// The PostgreSQL table (--postgres) runs in the same rounds, so
		// that it meets the same machine as the API.
		pgRun, pg, err := b.postgresRun(ctx, c, payload, &failed)
		if err != nil {
			return err
		}
		if pgRun != nil {
			runs = append(runs, pgRun)
		}
		res := interleavedLoads(b.opts.rounds, runs...)
		if pg != nil {
			pg.close()
		}
		raw, cond, followed, noop, apiRes := res[0], res[1], res[2], res[3], res[4]
		for _, r := range []loadResult{cond, followed} {
			if r.errs > 0 && failed == nil {
				failed = r.firstE
			}
		}
		if failed != nil {
			return failed
		}
		ceiling := min(raw.rate(), noop.rate())
		base := "raw JetStream"
		if noop.rate() < raw.rate() {
			base = "no-op HTTP"
		}
		sc := "append.c" + strconv.Itoa(c)
		b.add(benchRow{Scenario: sc + ".raw_jetstream", Value: raw.rate(), Unit: "ops/s", P50: raw.pct(0.5), P99: raw.pct(0.99)})
		b.add(benchRow{Scenario: sc + ".raw_jetstream_conditional", Value: cond.rate(), Unit: "ops/s", Baseline: raw.rate(), Base: "raw JetStream",
			P50: cond.pct(0.5), P99: cond.pct(0.99)})
		b.add(benchRow{Scenario: sc + ".raw_jetstream_conditional_followed", Value: followed.rate(), Unit: "ops/s", Baseline: raw.rate(), Base: "raw JetStream",
			P50: followed.pct(0.5), P99: followed.pct(0.99)})
		b.add(benchRow{Scenario: sc + ".noop_http", Value: noop.rate(), Unit: "ops/s", P50: noop.pct(0.5), P99: noop.pct(0.99)})
		row := benchRow{Scenario: sc + ".api", Value: apiRes.rate(), Unit: "ops/s", Baseline: ceiling, Base: base,
			P50: apiRes.pct(0.5), P99: apiRes.pct(0.99)}
		if c >= 16 {
			row.Target, row.Met = "ratio ≥ 0.8", metIf(ceiling > 0 && apiRes.rate()/ceiling >= 0.8)
		}
		if c == 1 {
			row.Note = fmt.Sprintf("lone-client latency p50 %.2f ms, p99 %.2f ms (raw publish p50 %.2f ms)", apiRes.pct(0.5), apiRes.pct(0.99), raw.pct(0.5))
		}
		b.add(row)
		if pg != nil {
			b.addPostgresRows(c, res[5], apiRes, pg.settings, len(payload))
		}
		cl.CloseIdleConnections()
	}
	return nil
}

// apiAppends is the load of c keep-alive clients each appending through
// the API to a journal of its own (fresh people every run), alternating
// weekly numbers and commitments. A run's first error goes to failed.
func (b *benchRun) apiAppends(ctx context.Context, env *benchEnv, cl *http.Client, c int, failed *error) func() loadResult {
	return func() loadResult {
		people, err := registerBenchPeople(ctx, env, c)
		if err != nil {
			if *failed == nil {
				*failed = err
			}
			return loadResult{dur: time.Second}
		}
		r := runLoad(ctx, c, b.opts.warm, b.opts.dur, func(w, i int) error {
			path, body := apiWrite(people[w], i)
			return do(cl, http.MethodPost, env.api+path, env.token, body, http.StatusCreated)
		})
		if r.errs > 0 && *failed == nil {
			*failed = r.firstE
		}
		return r
	}
}

// followRaw follows the raw stream's subjects filter with an ordered
// consumer that reads every message, until stop is called.
func followRaw(ctx context.Context, env *benchEnv, filter string) (stop func(), err error) {
	st, err := env.store.JetStream().Stream(ctx, rawStream)
	if err != nil {
		return nil, err
	}
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}, DeliverPolicy: jetstream.DeliverNewPolicy})
	if err != nil {
		return nil, err
	}
	cc, err := cons.Consume(func(jetstream.Msg) {}, jetstream.PullMaxMessages(4096))
	if err != nil {
		return nil, err
	}
	return cc.Stop, nil
}

// sampleEnvelope stores one real commitment.made and returns its bytes,
// the raw publishers' payload.
func sampleEnvelope(ctx context.Context, env *benchEnv) ([]byte, error) {
	people, err := registerBenchPeople(ctx, env, 1)
	if err != nil {
		return nil, err
	}
	w, err := env.store.Execute(ctx, domain.Write{PersonID: people[0], Command: domain.MakeCommitment{Text: "book 15 first meetings by Friday", DueOn: "2026-01-09"},
		Meta: domain.Meta{Actor: domain.Actor{ID: "bench", Role: domain.RoleAdmin}, Now: time.Now()}})
	if err != nil {
		return nil, err
	}
	st, err := env.store.JetStream().Stream(ctx, "JOURNAL")
	if err != nil {
		return nil, err
	}
	m, err := st.GetMsg(ctx, w.Event.Sequence)
	if err != nil {
		return nil, err
	}
	return m.Data, nil
}

// registerBenchPeople registers n people (one atomic batch per thousand).
func registerBenchPeople(ctx context.Context, env *benchEnv, n int) ([]uuid.UUID, error) {
	ids := make([]uuid.UUID, n)
	var ws []domain.Write
	meta := domain.Meta{Actor: domain.Actor{ID: "bench", Role: domain.RoleAdmin}, Now: time.Now()}
	for i := range ids {
		ids[i] = uuid.New()
		ws = append(ws, domain.Write{PersonID: ids[i], Meta: meta,
			Command: domain.RegisterPerson{Name: "Bench Rep " + strconv.Itoa(i), Email: fmt.Sprintf("rep%d@example.com", i)}})
	}
	for lo := 0; lo < n; lo += eventstore.MaxImportBatch {
		if _, failed, err := env.store.ImportBatch(ctx, ws[lo:min(lo+eventstore.MaxImportBatch, n)]); err != nil {
			return nil, fmt.Errorf("register (write %d): %w", failed, err)
		}
	}
	return ids, env.waitViews(ctx)
}

// benchWeeks is how many distinct weekly periods a bench person gets
// before further submissions become corrections.
const benchWeeks = 1500

// benchPeriod returns the k-th weekly period counted from 1990.
func benchPeriod(k int) string {
	return domain.WeekPeriod(domain.NewDate(1990, 1, 1).AddDays(7 * (k % benchWeeks))).String()
}

func metricsBody(i int) []byte {
	k := i / 2
	m := map[string]any{"period": benchPeriod(k), "source": "import",
		"values": map[string]any{"activities": 40 + i%7, "new_opportunities": 3, "deals_won": 1, "revenue": 52000}}
	if k >= benchWeeks {
		m["correction_reason"] = "late deal"
	}
	b, _ := json.Marshal(m)
	return b
}

// apiWrite alternates a metrics submission and a commitment: real
// commands of the weekly loop.
func apiWrite(person uuid.UUID, i int) (string, []byte) {
	p := "/v1/people/" + person.String()
	if i%2 == 0 {
		return p + "/metrics", metricsBody(i)
	}
	return p + "/commitments", []byte(`{"text":"book 15 first meetings by Friday","due_on":"2026-01-09"}`)
}

// bulkImport: POST /v1/import of n lines vs raw atomic batch publishes of
// the same stored events.
func (b *benchRun) bulkImport(ctx context.Context, env *benchEnv) error {
	n := b.opts.importN
	var imp, raw, cond, direct []float64
	for r := range b.opts.rounds {
		b.logf("import: round %d, %d lines", r+1, n)
		people, err := registerBenchPeople(ctx, env, 1000)
		if err != nil {
			return err
		}
		body := importBody(people, n)
		cl := benchClient(1)
		t0 := time.Now()
		if err := do(cl, http.MethodPost, env.api+"/v1/import", env.token, body, http.StatusOK); err != nil {
			return err
		}
		imp = append(imp, float64(n)/time.Since(t0).Seconds())
		if st, err := storeImport(ctx, env, n); err != nil {
			return err
		} else {
			direct = append(direct, st)
		}
		msgs, err := storedTail(ctx, env, n)
		if err != nil {
			return err
		}
		t0 = time.Now()
		for lo := 0; lo < len(msgs); lo += 1000 {
			if _, err := jetstreamext.PublishMsgBatch(ctx, env.store.JetStream(), msgs[lo:min(lo+1000, len(msgs))]); err != nil {
				return fmt.Errorf("raw batch: %w", err)
			}
		}
		raw = append(raw, float64(len(msgs))/time.Since(t0).Seconds())
		for _, m := range msgs {
			m.Subject = "benchraw.cond." + strings.TrimPrefix(m.Subject, "benchraw.import.")
		}
		t0 = time.Now()
		if err := publishConditional(ctx, env, msgs); err != nil {
			return err
		}
		cond = append(cond, float64(len(msgs))/time.Since(t0).Seconds())
	}
	b.add(benchRow{Scenario: "import.raw_atomic_batch", Value: median(raw), Unit: "events/s"})
	b.add(benchRow{Scenario: "import.raw_atomic_batch_conditional", Value: median(cond), Unit: "events/s", Baseline: median(raw), Base: "raw atomic batch",
		Note: "the same raw batches with the per-journal expected-last-subject-sequence headers the import sets: the server's own cost of the conditions"})
	b.add(benchRow{Scenario: "import.store_direct", Value: median(direct), Unit: "events/s", Baseline: median(raw), Base: "raw atomic batch",
		Note: "Store.Import of the same commands without HTTP, parsing or waiting for the projections: decide, encrypt, seal, publish"})
	v := median(imp)
	b.add(benchRow{Scenario: "import.api", Value: v, Unit: "events/s", Baseline: median(raw), Base: "raw atomic batch",
		Target: "ratio ≥ 0.7", Met: metIf(v/median(raw) >= 0.7)})
	b.add(benchRow{Scenario: "import.api_absolute", Value: v, Unit: "events/s", Baseline: 50_000, Base: "issue's figure",
		Note: "informative: an absolute rate depends on the machine; the target is import.api's ratio to the raw atomic batch"})
	return nil
}

// importBody is n NDJSON lines for people: weekly numbers and commitments.
func importBody(people []uuid.UUID, n int) []byte {
	var sb strings.Builder
	for i := range n {
		p := people[i%len(people)].String()
		k := i / len(people)
		if k%2 == 0 {
			fmt.Fprintf(&sb, `{"person_id":%q,"type":"metrics.submitted","occurred_at":"2025-06-06T17:00:00Z","data":%s}`+"\n", p, metricsBody(k))
		} else {
			fmt.Fprintf(&sb, `{"person_id":%q,"type":"commitment.made","data":{"text":"book 15 first meetings by Friday","due_on":"2026-01-09"}}`+"\n", p)
		}
	}
	return []byte(sb.String())
}

// storedTail reads the stream's last n messages and readdresses them to the
// raw stream, headers dropped: the same bytes, published raw.
func storedTail(ctx context.Context, env *benchEnv, n int) ([]*nats.Msg, error) {
	last, err := env.store.LastSequence(ctx)
	if err != nil {
		return nil, err
	}
	var out []*nats.Msg
	for next := last - uint64(n) + 1; next <= last; {
		msgs, err := jetstreamext.GetBatch(ctx, env.store.JetStream(), "JOURNAL", min(1000, int(last-next+1)), jetstreamext.GetBatchSeq(next))
		if err != nil {
			return nil, err
		}
		got := 0
		for m, err := range msgs {
			if err != nil {
				if errors.Is(err, jetstreamext.ErrNoMessages) {
					break
				}
				return nil, err
			}
			out = append(out, &nats.Msg{Subject: "benchraw.import." + strings.TrimPrefix(m.Subject, strings.TrimSuffix(eventstore.AllJournals, ">")), Data: m.Data, Header: nats.Header{}})
			next = m.Sequence + 1
			got++
		}
		if got == 0 {
			return nil, errors.New("stored tail: no answer")
		}
	}
	return out, nil
}

// publishConditional publishes msgs in atomic batches of a thousand, the
// first message of each journal in a batch conditional on the journal's
// last sequence, as the import does.
func publishConditional(ctx context.Context, env *benchEnv, msgs []*nats.Msg) error {
	last := map[string]uint64{}
	for lo := 0; lo < len(msgs); lo += 1000 {
		batch := msgs[lo:min(lo+1000, len(msgs))]
		seen := map[string]bool{}
		for _, m := range batch {
			j := journalOfRaw(m.Subject)
			m.Header = nats.Header{}
			if !seen[j] {
				seen[j] = true
				m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(last[j], 10))
				m.Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, j+".>")
			}
		}
		ack, err := jetstreamext.PublishMsgBatch(ctx, env.store.JetStream(), batch)
		if err != nil {
			return fmt.Errorf("raw conditional batch: %w", err)
		}
		for i, m := range batch {
			last[journalOfRaw(m.Subject)] = ack.Sequence - uint64(len(batch)-1-i)
		}
	}
	return nil
}

// journalOfRaw returns benchraw.cond.<id> of benchraw.cond.<id>.<type…>.
func journalOfRaw(subject string) string {
	const prefix = "benchraw.cond."
	rest := strings.TrimPrefix(subject, prefix)
	if i := strings.IndexByte(rest, '.'); i >= 0 {
		rest = rest[:i]
	}
	return prefix + rest
}

// storeImport imports n writes like importBody's straight into the store
// and returns the events/s.
func storeImport(ctx context.Context, env *benchEnv, n int) (float64, error) {
	people, err := registerBenchPeople(ctx, env, 1000)
	if err != nil {
		return 0, err
	}
	meta := domain.Meta{Actor: domain.Actor{ID: "bench", Role: domain.RoleAdmin}, Now: time.Now(), OccurredAt: time.Date(2025, 6, 6, 17, 0, 0, 0, time.UTC)}
	ws := make([]domain.Write, n)
	for i := range ws {
		k := i / len(people)
		var cmd domain.Command = domain.MakeCommitment{Text: "book 15 first meetings by Friday", DueOn: "2026-01-09"}
		if k%2 == 0 {
			cmd = domain.SubmitMetrics{Period: benchPeriod(k), Source: "import",
				Values: map[string]float64{"activities": float64(40 + k%7), "new_opportunities": 3, "deals_won": 1, "revenue": 52000}}
		}
		ws[i] = domain.Write{PersonID: people[i%len(people)], Command: cmd, Meta: meta}
	}
	t0 := time.Now()
	if _, failed, err := env.store.Import(ctx, ws); err != nil {
		return 0, fmt.Errorf("store import (write %d): %w", failed, err)
	}
	return float64(n) / time.Since(t0).Seconds(), env.waitViews(ctx)
}
