// Package notify delivers nudges (package nudges) beyond the in-app inbox:
// by email over SMTP, to a Slack incoming webhook and to a generic JSON
// webhook signed with HMAC. Every API replica runs a Nudger; the queue it
// schedules on and delivers from is JetStream's (eventstore's NUDGES
// stream and NUDGES_SENT bucket), so a nudge is scheduled once whichever
// replica sees it first and each delivery goes to one replica at a time.
//
// A delivery carries ids only: which nudge, for whom, on which channel.
// Its words are derived again when it is sent, from the projections of
// that moment, so a nudge the journal resolved meanwhile (the commitment
// kept) is dropped rather than sent, and an erased person's text never
// sits in the queue.
//
// Not built yet: per-person channel preferences, quiet hours and digests
// (every configured channel gets every nudge it can reach), and the
// weekly digest.
package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/nudges"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// Queue is the JetStream side (eventstore.Store): schedule a delivery
// once per id, and consume deliveries with retries and parking.
type Queue interface {
	ScheduleNudge(ctx context.Context, id, channel string, payload []byte) (bool, error)
	DeliverNudges(ctx context.Context, backoff func(attempt int) time.Duration, send func(context.Context, Delivery) error) error
	// NudgePrefs is a person's nudges.Prefs as JSON (nil: none set).
	NudgePrefs(ctx context.Context, key string) ([]byte, error)
}

// Delivery is one delivery taken from the queue.
type Delivery = eventstore.NudgeDelivery

// Nudger schedules the nudges due and sends them on its channels.
type Nudger struct {
	Views    *projections.Set
	Queue    Queue
	Channels map[string]Sender // by name: "email", "slack", "webhook"
	BaseURL  string            // the web UI's address, for absolute links
	Now      func() time.Time
	Log      *slog.Logger
	// Every is how often the nudges due are scheduled; default a minute.
	Every time.Duration
	// Backoff is the wait before attempt n+1 after attempt n failed;
	// default 10 s doubling to 30 minutes.
	Backoff func(attempt int) time.Duration
	metrics *metrics
	once    sync.Once
}

// payload is what a delivery holds: ids only.
type payload struct {
	Nudge     string      `json:"nudge"`
	Person    uuid.UUID   `json:"person,omitzero"`
	Role      domain.Role `json:"role"`
	Delivery  string      `json:"delivery"`
	Scheduled domain.Date `json:"scheduled"`
	Digest    string      `json:"digest,omitempty"` // the ISO week of a weekly digest
}

// Register adds the nudge series to reg: scheduled, sent, dropped (no
// longer due when their turn came), failed attempts and parked, per
// channel.
// Call it before Run; without it the counts are kept but not served.
func (n *Nudger) Register(reg prometheus.Registerer) {
	n.metrics = newMetrics(reg)
}

func (n *Nudger) count(outcome, channel string) {
	n.once.Do(func() {
		if n.metrics == nil {
			n.metrics = newMetrics(nil)
		}
	})
	n.metrics.count(outcome, channel)
}

// Run schedules every Every and delivers until ctx is done.
func (n *Nudger) Run(ctx context.Context) {
	every := n.Every
	if every <= 0 {
		every = time.Minute
	}
	done := make(chan struct{})
	go func() { defer close(done); n.Deliver(ctx) }()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if _, err := n.Schedule(ctx); err != nil && ctx.Err() == nil {
			n.Log.Warn("nudges: scheduling", "err", err)
		}
		select {
		case <-ctx.Done():
			<-done
			return
		case <-tick.C:
		}
	}
}

// Deliver sends this replica's share of the deliveries until ctx is done.
func (n *Nudger) Deliver(ctx context.Context) {
	for ctx.Err() == nil {
		if err := n.Queue.DeliverNudges(ctx, n.backoff, n.send); err != nil {
			n.Log.Warn("nudges: cannot deliver yet; retrying", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
			}
		}
	}
}

func (n *Nudger) backoff(attempt int) time.Duration {
	if n.Backoff != nil {
		return n.Backoff(attempt)
	}
	return min(10*time.Second<<(attempt-1), 30*time.Minute)
}

// Schedule enqueues, once each, the deliveries due now: every nudge of
// today to HR and to every active person on every channel that can reach
// them and that they left on, outside their quiet hours and unless they
// asked for the digest only; and on Monday from 08:00 in a person's time
// zone their weekly digest. It returns how many it enqueued.
func (n *Nudger) Schedule(ctx context.Context) (int, error) {
	now := n.Now()
	today := domain.DateOf(now.UTC())
	scheduled := 0
	due := map[string]int{}
	for name := range n.Channels {
		due[name] = 0
	}
	enqueue := func(r nudges.Recipient, nu nudges.Nudge, prefs nudges.Prefs, week string) error {
		for name, ch := range n.Channels {
			m, ok := n.message(r, nu)
			if !ok || !ch.ForRecipient(m) || !prefs.On(name) {
				continue
			}
			due[name]++
			id := deliveryID(nu.ID, name)
			body, _ := json.Marshal(payload{Nudge: nu.ID, Person: r.Person, Role: r.Role, Delivery: id, Scheduled: today, Digest: week})
			ok, err := n.Queue.ScheduleNudge(ctx, id, name, body)
			if err != nil {
				return err
			}
			if ok {
				scheduled++
				n.count("scheduled", name)
			}
		}
		return nil
	}
	hr := nudges.Recipient{Role: domain.RoleHR}
	for _, nu := range nudges.For(n.Views, hr, today) {
		if err := enqueue(hr, nu, nudges.Prefs{}, ""); err != nil {
			return scheduled, err
		}
	}
	for _, p := range n.Views.People(nil) {
		if p.DepartedOn != nil || p.Erased {
			continue
		}
		r := nudges.Recipient{Person: p.ID, Role: domain.RoleMember}
		prefs, err := n.prefs(ctx, p.ID)
		if err != nil {
			return scheduled, err
		}
		if prefs.Quiet(now) {
			continue // scheduled at the first round after the quiet hours
		}
		if !prefs.DigestOnly {
			for _, nu := range nudges.For(n.Views, r, today) {
				if err := enqueue(r, nu, prefs, ""); err != nil {
					return scheduled, err
				}
			}
		}
		if week, ok := prefs.DigestWeek(now); ok {
			if d, ok := nudges.Digest(n.Views, p.ID, week, today); ok {
				if err := enqueue(r, d, prefs, week.String()); err != nil {
					return scheduled, err
				}
			}
		}
	}
	n.once.Do(func() {
		if n.metrics == nil {
			n.metrics = newMetrics(nil)
		}
	})
	for name, k := range due {
		n.metrics.due.WithLabelValues(name).Set(float64(k))
	}
	return scheduled, nil
}

// prefs reads a person's nudge preferences; none set is the zero Prefs.
func (n *Nudger) prefs(ctx context.Context, id uuid.UUID) (nudges.Prefs, error) {
	var p nudges.Prefs
	raw, err := n.Queue.NudgePrefs(ctx, id.String())
	if err != nil || raw == nil {
		return p, err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		n.Log.Warn("nudges: unreadable preferences ignored", "person", id, "err", err)
		return nudges.Prefs{}, nil
	}
	return p, nil
}

// send delivers one delivery: the nudge as the projections say it now, or
// nothing when it is no longer due.
func (n *Nudger) send(ctx context.Context, d Delivery) error {
	var p payload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		n.Log.Error("nudges: a delivery that cannot be read is dropped", "id", d.ID, "err", err)
		return nil
	}
	ch, ok := n.Channels[d.Channel]
	if !ok {
		return errors.New("no channel " + d.Channel + " on this replica")
	}
	r := nudges.Recipient{Person: p.Person, Role: p.Role}
	today := domain.DateOf(n.Now().UTC())
	due := nudges.For(n.Views, r, today)
	if p.Digest != "" {
		due = nil
		if week, err := domain.ParsePeriod(p.Digest); err == nil {
			if d, ok := nudges.Digest(n.Views, p.Person, week, today); ok {
				due = append(due, d)
			}
		}
	}
	if r.Person != uuid.Nil {
		if prefs, err := n.prefs(ctx, r.Person); err != nil {
			return err
		} else if !prefs.On(d.Channel) {
			due = nil // turned off since it was scheduled
		}
	}
	for _, nu := range due {
		if nu.ID != p.Nudge {
			continue
		}
		m, ok := n.message(r, nu)
		if !ok {
			break
		}
		m.ID = p.Delivery
		if err := ch.Send(ctx, m); err != nil {
			n.Log.Warn("nudges: delivery failed", "id", d.ID, "channel", d.Channel, "attempt", d.Attempt, "err", err)
			n.count("failed", d.Channel)
			if d.Attempt >= maxAttempts {
				n.count("parked", d.Channel)
			}
			return err
		}
		n.count("sent", d.Channel)
		return nil
	}
	n.count("dropped", d.Channel) // resolved, erased or departed meanwhile
	n.Log.Debug("nudges: no longer due; dropped", "id", d.ID, "channel", d.Channel)
	return nil
}

// maxAttempts mirrors the queue's: the last failure parks the delivery.
const maxAttempts = 6

// message is nudge nu for r in a channel's words; false for a recipient
// who is gone.
func (n *Nudger) message(r nudges.Recipient, nu nudges.Nudge) (Message, bool) {
	m := Message{NudgeID: nu.ID, Kind: nu.Kind, Text: nu.Text, Link: strings.TrimRight(n.BaseURL, "/") + nu.Link}
	if r.Person == uuid.Nil {
		m.Recipient, m.Name = "hr", "HR"
		return m, true
	}
	p, ok := n.Views.Person(r.Person)
	if !ok || p.Erased || p.DepartedOn != nil {
		return Message{}, false
	}
	m.Recipient, m.Name, m.Email = p.ID.String(), p.Name, p.Email
	return m, true
}

// deliveryID is a delivery's stable id: the nudge's (itself stable per
// occasion and recipient) and the channel.
func deliveryID(nudge, channel string) string {
	sum := sha256.Sum256([]byte(nudge + "\x00" + channel))
	return hex.EncodeToString(sum[:16])
}
