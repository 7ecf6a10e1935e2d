package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/notify"
	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"
)

// mailbox is an SMTP server in the test process that keeps every message.
type mailbox struct {
	mu   sync.Mutex
	mail []mailItem
}

type mailItem struct {
	to   []string
	data string
}

type mailSession struct {
	box *mailbox
	cur mailItem
}

func (s *mailSession) Reset()                               { s.cur = mailItem{} }
func (s *mailSession) Logout() error                        { return nil }
func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	s.box.mu.Lock()
	s.box.mail = append(s.box.mail, s.cur)
	s.box.mu.Unlock()
	return nil
}

func startMailbox(t *testing.T) (*mailbox, *url.URL) {
	box := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: box}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	u, _ := url.Parse("smtp://" + ln.Addr().String())
	return box, u
}

func (b *mailbox) to(addr, contains string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, m := range b.mail {
		if len(m.to) == 1 && m.to[0] == addr && strings.Contains(m.data, contains) {
			n++
		}
	}
	return n
}

// receiver is a webhook endpoint: it checks the signature, can be told to
// fail, and counts what it accepted by Idempotency-Key.
type receiver struct {
	secret   []byte
	mu       sync.Mutex
	accepted map[string]int // by Idempotency-Key
	texts    map[string]string
	attempts map[string]int
	failFor  func(text string, attempt int) bool
	badSig   atomic.Int32
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	mac := hmac.New(sha256.New, r.secret)
	mac.Write(body)
	if req.Header.Get("X-Coachjournal-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
		r.badSig.Add(1)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var m struct{ Text string }
	_ = json.Unmarshal(body, &m)
	key := req.Header.Get("Idempotency-Key")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts[key]++
	if r.failFor != nil && r.failFor(m.Text, r.attempts[key]) {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	r.accepted[key]++
	r.texts[key] = m.Text
}

// got returns how many times a text containing s was accepted, and how
// many of those had the same key (a duplicate).
func (r *receiver) got(s string) (n, dup int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, text := range r.texts {
		if strings.Contains(text, s) {
			n++
			dup += r.accepted[k] - 1
		}
	}
	return n, dup
}

func (r *receiver) setFail(f func(text string, attempt int) bool) {
	r.mu.Lock()
	r.failFor = f
	r.mu.Unlock()
}

// eventually polls cond for up to 30 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not within 30 s: %s", what)
		}
	}
}

// TestNudgeDelivery: with the clock set, each nudge goes once by email to
// its recipient and once to the signed webhook; scheduling again sends
// nothing twice; a nudge resolved before its turn is not sent; a receiver
// that fails five times gets the nudge at the sixth attempt; one that
// keeps failing parks it, and replaying it delivers it once.
func TestNudgeDelivery(t *testing.T) {
	env := apitest.Start(t)
	admin := env.Token("admin-service", domain.RoleAdmin)
	leo := env.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": "Leo Marsh", "email": "leo@example.com"})
	ana := env.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": "Ana Lima", "email": "ana@example.com", "manager_id": leo})
	anaT := env.Token(ana, domain.RoleMember)
	// The nudger's day 0 is the next Wednesday, at noon UTC: the days it
	// steps through (0 and 4) hold no Monday digest, whatever day the test
	// runs on; Leo's cadence (14 days) keeps the 1-on-1 nudges out of
	// those eleven days at most.
	env.Created(http.MethodPost, "/v1/people/"+leo+"/cadence", env.Token(leo, domain.RoleMember), map[string]any{"every_days": 14})
	now := clock.Now().UTC()
	base := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	for base.Weekday() != time.Wednesday {
		base = base.AddDate(0, 0, 1)
	}
	shift := base.Sub(now)
	today := domain.DateOf(base)
	day := func(n int) string { return today.AddDays(n).String() }
	commit := func(text, due string) string {
		return env.Created(http.MethodPost, "/v1/people/"+ana+"/commitments", anaT, map[string]any{"text": text, "due_on": due})
	}
	commit("send the Acme proposal", day(1))

	box, smtpURL := startMailbox(t)
	hook := &receiver{secret: []byte("hook secret"), accepted: map[string]int{}, texts: map[string]string{}, attempts: map[string]int{}}
	hookSrv := httptest.NewServer(hook)
	defer hookSrv.Close()
	var offset atomic.Int64 // days the nudger's clock runs ahead
	n := &notify.Nudger{Views: env.Views, Queue: env.Store, BaseURL: "http://cj.example",
		Channels: map[string]notify.Sender{
			"email":   notify.Email{URL: smtpURL, From: "coachjournal@example.com"},
			"webhook": notify.Webhook{URL: hookSrv.URL, Secret: hook.secret},
		},
		Now:     func() time.Time { return clock.Now().Add(shift).AddDate(0, 0, int(offset.Load())) },
		Log:     slog.New(slog.DiscardHandler),
		Every:   time.Hour, // the test schedules by hand
		Backoff: func(int) time.Duration { return 20 * time.Millisecond },
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go n.Deliver(ctx)
	schedule := func(want int) {
		t.Helper()
		got, err := n.Schedule(ctx)
		if err != nil || got != want {
			t.Fatalf("day %+d: scheduled %d, %v; want %d", offset.Load(), got, err, want)
		}
	}

	// Today: due tomorrow, for Ana only, by email and webhook; once.
	schedule(2)
	eventually(t, "the due-tomorrow email and webhook", func() bool {
		n, _ := hook.got("is due tomorrow")
		return box.to("ana@example.com", "a commitment is due tomorrow") == 1 && n == 1
	})
	schedule(0)
	if box.to("leo@example.com", "") != 0 {
		t.Errorf("Leo got mail about Ana's commitment due tomorrow")
	}

	// Four days on: overdue, for Ana and for Leo.
	offset.Store(4)
	schedule(4)
	eventually(t, "the overdue emails and webhooks", func() bool {
		n, _ := hook.got("Acme proposal")
		return box.to("ana@example.com", "a commitment is overdue") == 1 && box.to("leo@example.com", "a commitment is overdue") == 1 && n == 3
	})
	schedule(0)

	// A nudge resolved before its turn is not sent: the receiver is down
	// while Ana keeps the commitment, then back.
	offset.Store(0)
	commit("call Globex", day(-1)) // overdue today
	var globex atomic.Int32
	hook.setFail(func(text string, _ int) bool {
		if strings.Contains(text, "Globex") {
			globex.Add(1)
			return true
		}
		return false
	})
	schedule(4)
	eventually(t, "an attempt at the Globex webhook", func() bool { return globex.Load() > 0 })
	resolveAll(t, env, ana, anaT)
	time.Sleep(200 * time.Millisecond) // an attempt begun before the resolution fails
	hook.setFail(nil)
	time.Sleep(300 * time.Millisecond) // several retries' worth: each finds it resolved
	if n, _ := hook.got("Globex"); n != 0 {
		t.Errorf("a nudge resolved before its turn was sent %d times", n)
	}

	// Five failures, then the receiver recovers: delivered at the sixth
	// attempt, once.
	commit("book the Initech demo", day(-1))
	hook.setFail(func(text string, attempt int) bool { return strings.Contains(text, "Initech") && attempt <= 5 })
	schedule(4)
	eventually(t, "the Initech nudges after five failures", func() bool { n, _ := hook.got("Initech"); return n == 2 })
	if _, dup := hook.got("Initech"); dup != 0 {
		t.Errorf("Initech delivered %d times too many", dup)
	}

	// A receiver that keeps failing: parked after six attempts; replayed,
	// delivered once.
	commit("renew the Umbrella contract", day(-1))
	hook.setFail(func(text string, _ int) bool { return strings.Contains(text, "Umbrella") })
	schedule(4)
	var parked []struct{ Sequence uint64 }
	eventually(t, "two parked deliveries", func() bool {
		p, err := env.Store.ParkedNudges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		parked = parked[:0]
		for _, x := range p {
			parked = append(parked, struct{ Sequence uint64 }{x.Sequence})
		}
		return len(p) == 2
	})
	hook.setFail(nil)
	for _, p := range parked {
		if err := env.Store.ReplayNudge(ctx, p.Sequence); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the replayed Umbrella nudges", func() bool { n, _ := hook.got("Umbrella"); return n == 2 })
	if p, _ := env.Store.ParkedNudges(ctx); len(p) != 0 {
		t.Errorf("still parked after the replay: %+v", p)
	}
	time.Sleep(200 * time.Millisecond)
	for _, s := range []string{"Acme", "Initech", "Umbrella"} {
		if _, dup := hook.got(s); dup != 0 {
			t.Errorf("%s delivered %d times too many", s, dup)
		}
	}
	if hook.badSig.Load() != 0 {
		t.Errorf("%d webhook posts with a bad signature", hook.badSig.Load())
	}
	// The queue and its records hold ids, never a person's words: every
	// message of the NUDGES stream and of the NUDGES_SENT bucket's stream.
	for _, stream := range []string{eventstore.NudgeStream, "KV_NUDGES_SENT"} {
		st, err := env.Store.JetStream().Stream(ctx, stream)
		if err != nil {
			t.Fatal(err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
			m, err := st.GetMsg(ctx, seq)
			if err != nil {
				continue // deleted (a replayed parked delivery)
			}
			for _, word := range []string{"Acme", "Globex", "Initech", "Umbrella", "Ana", "ana@", "Leo"} {
				if strings.Contains(string(m.Data), word) || strings.Contains(fmt.Sprint(m.Header), word) {
					t.Errorf("%s message %d holds %q: %s", stream, seq, word, m.Data)
				}
			}
		}
	}
}

// resolveAll keeps every open commitment of person.
func resolveAll(t *testing.T, env *apitest.Env, person, token string) {
	t.Helper()
	var page struct {
		Items []struct{ ID, Status string }
	}
	env.Must(http.StatusOK, http.MethodGet, "/v1/people/"+person+"/commitments", token, nil).Decode(t, &page)
	for _, c := range page.Items {
		if c.Status == "open" {
			env.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+person+"/commitments/"+c.ID+"/resolution", token, map[string]any{"status": "kept"})
		}
	}
}

// TestNudgePrefsAndDigest: on a Monday at 09:00 UTC, each person's
// preferences decide what goes where: Ana asked for the digest only (her
// week's digest, no nudge on its own), Ben turned email off (his webhook
// still goes), Cy's quiet hours (08:00-10:00) hold everything back until
// they end; Leo, with no preferences, gets his nudges and his digest.
// Tuesday brings no digest.
func TestNudgePrefsAndDigest(t *testing.T) {
	env := apitest.Start(t)
	admin := env.Token("admin-service", domain.RoleAdmin)
	leo := env.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": "Leo Marsh", "email": "leo@example.com"})
	reps := map[string]string{}
	for _, name := range []string{"Ana", "Ben", "Cy"} {
		id := env.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": name, "email": strings.ToLower(name) + "@example.com", "manager_id": leo})
		reps[name] = id
	}
	// The Monday after today, 09:00 UTC; each rep's commitment was due the
	// day before.
	now := clock.Now().UTC()
	monday := time.Date(now.Year(), now.Month(), now.Day(), 9, 0, 0, 0, time.UTC)
	for monday.Weekday() != time.Monday || !monday.After(now) {
		monday = monday.AddDate(0, 0, 1)
	}
	sunday := domain.DateOf(monday).AddDays(-1).String()
	for name, id := range reps {
		env.Created(http.MethodPost, "/v1/people/"+id+"/commitments", admin, map[string]any{"text": name + "'s call", "due_on": sunday})
	}
	prefs := map[string]map[string]any{
		"Ana": {"digest_only": true},
		"Ben": {"channels": map[string]bool{"email": false}},
		"Cy":  {"quiet_from": "08:00", "quiet_to": "10:00", "time_zone": "UTC"},
	}
	for name, p := range prefs {
		env.Must(http.StatusOK, http.MethodPut, "/v1/me/nudge-preferences", env.Token(reps[name], domain.RoleMember), p)
	}
	// Leo's cadence (14 days) keeps the 1-on-1 nudges out of the test: the
	// Monday above may be a week after the reps were registered.
	env.Created(http.MethodPost, "/v1/people/"+leo+"/cadence", env.Token(leo, domain.RoleMember), map[string]any{"every_days": 14})

	box, smtpURL := startMailbox(t)
	hook := &receiver{secret: []byte("hook secret"), accepted: map[string]int{}, texts: map[string]string{}, attempts: map[string]int{}}
	hookSrv := httptest.NewServer(hook)
	defer hookSrv.Close()
	var at atomic.Int64
	at.Store(monday.UnixNano())
	n := &notify.Nudger{Views: env.Views, Queue: env.Store, BaseURL: "http://cj.example",
		Channels: map[string]notify.Sender{
			"email":   notify.Email{URL: smtpURL, From: "coachjournal@example.com"},
			"webhook": notify.Webhook{URL: hookSrv.URL, Secret: hook.secret},
		},
		Now: func() time.Time { return time.Unix(0, at.Load()).UTC() }, Log: slog.New(slog.DiscardHandler), Every: time.Hour,
		Backoff: func(int) time.Duration { return 20 * time.Millisecond }}
	reg := prometheus.NewRegistry()
	n.Register(reg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go n.Deliver(ctx)
	if _, err := n.Schedule(ctx); err != nil {
		t.Fatal(err)
	}
	// Due by email: Ana's digest, Leo's three nudges and his digest; by
	// webhook also Ben's nudge and digest.
	for channel, want := range map[string]float64{"email": 5, "webhook": 7} {
		if got := gauge(t, reg, "coachjournal_nudges_due", channel); got != want {
			t.Errorf("nudges due by %s: %v, want %v", channel, got, want)
		}
	}
	// Ana: the digest by email and webhook, nothing alone. Ben: his nudge by
	// webhook only, his digest by webhook. Leo: three nudges and a digest,
	// each by email and webhook. Cy: nothing yet.
	eventually(t, "Monday 09:00's deliveries", func() bool {
		return box.to("ana@example.com", "your week") == 1 && box.to("leo@example.com", "your week") == 1 &&
			box.to("leo@example.com", "a commitment is overdue") == 3
	})
	check := func(what string, got, want int) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %d, want %d", what, got, want)
		}
	}
	check("Ana's nudge by email", box.to("ana@example.com", "a commitment is overdue"), 0)
	check("mail to Ben", box.to("ben@example.com", ""), 0)
	check("mail to Cy in his quiet hours", box.to("cy@example.com", ""), 0)
	// By webhook, a nudge on its own starts with its words; a digest
	// starts "Your week".
	starts := func(prefix string) int {
		hook.mu.Lock()
		defer hook.mu.Unlock()
		n := 0
		for _, text := range hook.texts {
			if strings.HasPrefix(text, prefix) {
				n++
			}
		}
		return n
	}
	eventually(t, "the webhook deliveries", func() bool {
		return starts("Your commitment “Ben's call”") == 1 && starts("Your week") == 3 // Ana, Ben, Leo
	})
	check("Ana's nudge alone by webhook (digest only)", starts("Your commitment “Ana's call”"), 0)
	check("Cy's nudge in his quiet hours", starts("Your commitment “Cy's call”"), 0)
	// 10:30: Cy's quiet hours are over; his nudge and digest go.
	at.Store(monday.Add(90 * time.Minute).UnixNano())
	if _, err := n.Schedule(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Cy's deliveries after his quiet hours", func() bool {
		return box.to("cy@example.com", "a commitment is overdue") == 1 && box.to("cy@example.com", "your week") == 1
	})
	// Tuesday: nudges still due are not sent again, and no digest.
	at.Store(monday.AddDate(0, 0, 1).UnixNano())
	if got, err := n.Schedule(ctx); err != nil || got != 0 {
		t.Errorf("Tuesday scheduled %d (%v), want nothing new", got, err)
	}
}

// gauge reads a gauge of reg by its channel label.
func gauge(t *testing.T, reg *prometheus.Registry, name, channel string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "channel" && l.GetValue() == channel {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	return -1
}
