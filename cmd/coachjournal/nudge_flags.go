package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/notify"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/prometheus/client_golang/prometheus"
)

// nudgeFlags configure the delivery of nudges beyond the in-app inbox
// (package notify). With none of the channels set, nudges stay in the
// inbox.
type nudgeFlags struct {
	publicURL     string
	smtpURL       string
	smtpFrom      string
	slackURL      string
	webhookURL    string
	webhookSecret string // a file holding the secret
	every         time.Duration
}

func (f *nudgeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.publicURL, "public-url", "", "the address people open the web UI at, for the links in emails and webhooks (default: the listen address)")
	fs.StringVar(&f.smtpURL, "smtp-url", "", "send nudges by email through this SMTP server: smtp://[user:password@]host:port (STARTTLS when offered) or smtps://")
	fs.StringVar(&f.smtpFrom, "smtp-from", "coachjournal@localhost", "the From address of nudge emails")
	fs.StringVar(&f.slackURL, "slack-webhook-url", "", "post nudges to this Slack incoming webhook (one channel for the organisation)")
	fs.StringVar(&f.webhookURL, "nudge-webhook-url", "", "post nudges as JSON to this URL, signed with HMAC-SHA256 (X-Coachjournal-Signature), Idempotency-Key per delivery")
	fs.StringVar(&f.webhookSecret, "nudge-webhook-secret-file", "", "file holding the webhook's signing secret (required with --nudge-webhook-url)")
	fs.DurationVar(&f.every, "nudge-every", time.Minute, "how often the nudges due are scheduled for delivery")
}

// channels builds the configured senders.
func (f *nudgeFlags) channels() (map[string]notify.Sender, error) {
	ch := map[string]notify.Sender{}
	client := &http.Client{Timeout: 10 * time.Second}
	if f.smtpURL != "" {
		u, err := notify.ParseSMTP(f.smtpURL)
		if err != nil {
			return nil, err
		}
		ch["email"] = notify.Email{URL: u, From: f.smtpFrom}
	}
	if f.slackURL != "" {
		ch["slack"] = notify.Slack{URL: f.slackURL, Client: client}
	}
	if f.webhookURL != "" {
		if f.webhookSecret == "" {
			return nil, errors.New("--nudge-webhook-url needs --nudge-webhook-secret-file")
		}
		secret, err := os.ReadFile(f.webhookSecret)
		if err != nil {
			return nil, err
		}
		if s := strings.TrimSpace(string(secret)); len(s) < 16 {
			return nil, errors.New("--nudge-webhook-secret-file: the secret must be at least 16 characters")
		} else {
			ch["webhook"] = notify.Webhook{URL: f.webhookURL, Secret: []byte(s), Client: client}
		}
	}
	return ch, nil
}

// startNudger runs a nudger on channels ch until ctx ends; none without
// channels.
func (f *nudgeFlags) startNudger(ctx context.Context, ch map[string]notify.Sender, store *eventstore.Store, views *projections.Set,
	now func() time.Time, base string, reg prometheus.Registerer, log *slog.Logger) (stop func()) {
	if len(ch) == 0 {
		return func() {}
	}
	if f.publicURL != "" {
		base = f.publicURL
	}
	n := &notify.Nudger{Views: views, Queue: store, Channels: ch, BaseURL: base, Now: now, Log: log, Every: f.every}
	n.Register(reg)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); n.Run(ctx) }()
	log.Info("nudges: delivering", "channels", len(ch))
	return func() { cancel(); <-done }
}
