package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/nats-io/nats-server/v2/server"
)

// tryStream asks for a live tail. On 200 the stream stays open until stop;
// otherwise its body is read and closed.
func tryStream(t *testing.T, base, token string) (r *apitest.Response, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Error(err) // may run on a goroutine of the test's
		return &apitest.Response{}, func() {}
	}
	r = &apitest.Response{Status: resp.StatusCode, Header: resp.Header}
	if resp.StatusCode == http.StatusOK {
		return r, func() { cancel(); resp.Body.Close() }
	}
	r.Body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	cancel()
	return r, func() {}
}

// wantRefused checks a 429 rate_limited problem with a Retry-After.
func wantRefused(t *testing.T, r *apitest.Response, who string) {
	t.Helper()
	var p struct{ Code string }
	if r.Status == http.StatusTooManyRequests {
		r.Decode(t, &p)
	}
	if r.Status != http.StatusTooManyRequests || p.Code != "rate_limited" || r.Header.Get("Retry-After") == "" ||
		r.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%s: %d %q %s (Retry-After %q), want 429 rate_limited with Retry-After", who, r.Status, r.Header.Get("Content-Type"), r.Body, r.Header.Get("Retry-After"))
	}
}

// journalConsumers is how many consumers the server holds on the stream.
func journalConsumers(t *testing.T, env *apitest.Env) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := env.Store.JetStream().Stream(ctx, eventstore.DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Consumers
}

// TestEventStreamCaps: one analyst token asks for many more live tails than
// its cap: the extra ones answer 429 rate_limited with Retry-After, and no
// consumer is created for them; a second caller still gets streams within
// the total cap, and past it is refused too; a write meanwhile answers and
// reaches the open streams (its latency is logged, not asserted); a closed
// stream gives its slot back.
func TestEventStreamCaps(t *testing.T) {
	env := apitest.StartWith(t, apitest.Options{Security: api.Security{StreamsPerCaller: 3, Streams: 5}})
	admin := env.Token("admin-service", domain.RoleAdmin)
	one, two := env.Token("analyst-one", domain.RoleAnalyst), env.Token("analyst-two", domain.RoleAnalyst)
	ana := env.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": "Ana Lima", "email": "ana@example.com"})
	due := domain.DateOf(clock.Now().UTC()).AddDays(3).String()
	write := func() time.Duration {
		start := time.Now()
		env.Created(http.MethodPost, "/v1/people/"+ana+"/commitments", admin, map[string]any{"text": "call back", "due_on": due})
		return time.Since(start)
	}
	t.Logf("a write with no stream open: %s", write())
	base := journalConsumers(t, env)

	var stops []func()
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	for i := range 3 {
		r, stop := tryStream(t, env.URL, one)
		stops = append(stops, stop)
		if r.Status != http.StatusOK {
			t.Fatalf("stream %d of the first caller: %d %s", i+1, r.Status, r.Body)
		}
	}
	// The same token keeps asking, many at once, while a write goes on.
	const extra = 200
	var wg sync.WaitGroup
	refused := make(chan *apitest.Response, extra)
	for range extra {
		wg.Go(func() {
			r, stop := tryStream(t, env.URL, one)
			stop()
			refused <- r
		})
	}
	t.Logf("a write among %d refused stream requests, 3 streams open: %s", extra, write())
	wg.Wait()
	close(refused)
	for r := range refused {
		wantRefused(t, r, "a stream past the caller's cap")
	}
	if n := journalConsumers(t, env); n != base+3 {
		t.Errorf("%d consumers on the stream with 3 tails open, want %d: refused streams must not create one", n, base+3)
	}

	for i := range 2 { // a second caller, within the total cap of 5
		r, stop := tryStream(t, env.URL, two)
		stops = append(stops, stop)
		if r.Status != http.StatusOK {
			t.Fatalf("stream %d of the second caller: %d %s", i+1, r.Status, r.Body)
		}
	}
	r, _ := tryStream(t, env.URL, two) // within its own cap, past the total
	wantRefused(t, r, "a stream past the total cap")
	t.Logf("a write with 5 streams open: %s", write())

	stops[0]() // the first caller closes one: its slot comes back
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, stop := tryStream(t, env.URL, one)
		if r.Status == http.StatusOK {
			stops = append(stops, stop)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed stream's slot never came back: %d %s", r.Status, r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// syncBuffer is a log sink that tests can read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestEventStreamNoConsumer: when the server will not create one more
// consumer (its limit reached), a live tail answers 503 unavailable with
// Retry-After, once, and the log has one warning per refused stream, not
// a retry every 500 ms for as long as the client stays connected.
func TestEventStreamNoConsumer(t *testing.T) {
	logs := &syncBuffer{}
	env := apitest.StartWith(t, apitest.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	analyst := env.Token("analyst-service", domain.RoleAnalyst)
	// The projections' follower at least; it creates its consumer as it
	// starts, which may be just after the service is up (a loaded CI
	// machine showed none at the first look).
	n := journalConsumers(t, env)
	for deadline := time.Now().Add(10 * time.Second); n == 0 && time.Now().Before(deadline); n = journalConsumers(t, env) {
		time.Sleep(10 * time.Millisecond)
	}
	if n == 0 {
		t.Fatal("no consumer on the stream; the projections follow it")
	}
	lim := server.JetStreamAccountLimits{MaxMemory: -1, MaxStore: -1, MaxStreams: -1, MaxAckPending: -1, MaxConsumers: n}
	if err := env.Store.Server().GlobalAccount().UpdateJetStreamLimits(map[string]server.JetStreamAccountLimits{"": lim}); err != nil {
		t.Fatal(err)
	}
	before := strings.Count(logs.String(), "level=WARN")
	for i := range 3 {
		r, stop := tryStream(t, env.URL, analyst)
		stop()
		var p struct{ Code string }
		if r.Status == http.StatusServiceUnavailable {
			r.Decode(t, &p)
		}
		if r.Status != http.StatusServiceUnavailable || p.Code != "unavailable" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("stream %d with no consumer left: %d %s, want 503 unavailable with Retry-After", i+1, r.Status, r.Body)
		}
	}
	time.Sleep(time.Second) // room for a retry storm to show in the log
	if got := strings.Count(logs.String(), "level=WARN") - before; got != 3 {
		t.Errorf("%d warnings for 3 refused streams, want 3:\n%s", got, logs.String())
	}
}
