package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wneessen/go-mail"
)

// Message is one nudge as a channel sends it: to one person (or to HR,
// Email empty), in words, with an absolute link.
type Message struct {
	ID        string // the delivery's id: the same on every attempt, for receivers to deduplicate on
	NudgeID   string
	Kind      string
	Recipient string // a person id, or "hr"
	Name      string // the recipient's name ("HR" for HR)
	Email     string // empty when there is none (HR, a service)
	Text      string
	Link      string // absolute
}

// A Sender delivers a message on one channel; an error is retried.
type Sender interface {
	Send(ctx context.Context, m Message) error
	// ForRecipient reports whether the channel can reach m's recipient
	// (email needs an address).
	ForRecipient(m Message) bool
}

// Webhook posts a message as JSON to a URL, signed: X-Coachjournal-Signature
// is "sha256=" and the hex HMAC-SHA256 of the body under Secret, and
// Idempotency-Key is the delivery's id. A 2xx is delivered; anything else,
// or no answer within 10 s, is retried.
type Webhook struct {
	URL    string
	Secret []byte
	Client *http.Client
}

// webhookBody is the generic webhook's JSON.
type webhookBody struct {
	ID        string    `json:"id"`
	NudgeID   string    `json:"nudge_id"`
	Kind      string    `json:"kind"`
	Recipient string    `json:"recipient"`
	Text      string    `json:"text"`
	Link      string    `json:"link"`
	SentAt    time.Time `json:"sent_at"`
}

func (w Webhook) ForRecipient(Message) bool { return true }

func (w Webhook) Send(ctx context.Context, m Message) error {
	body, _ := json.Marshal(webhookBody{ID: m.ID, NudgeID: m.NudgeID, Kind: m.Kind, Recipient: m.Recipient, Text: m.Text, Link: m.Link, SentAt: time.Now().UTC()})
	mac := hmac.New(sha256.New, w.Secret)
	mac.Write(body)
	return post(ctx, w.Client, w.URL, body, map[string]string{
		"X-Coachjournal-Signature": "sha256=" + hex.EncodeToString(mac.Sum(nil)),
		"Idempotency-Key":          m.ID,
	})
}

// Slack posts a message to a Slack incoming webhook (one channel for the
// organisation's nudges: it names the recipient). Slack has no
// idempotency key; the delivery's id ends the message's metadata.
type Slack struct {
	URL    string
	Client *http.Client
}

func (s Slack) ForRecipient(Message) bool { return true }

func (s Slack) Send(ctx context.Context, m Message) error {
	body, _ := json.Marshal(map[string]any{
		"text": fmt.Sprintf("For %s: %s <%s|Open>", m.Name, m.Text, m.Link),
		"metadata": map[string]any{"event_type": "coachjournal_nudge",
			"event_payload": map[string]string{"id": m.ID, "kind": m.Kind, "recipient": m.Recipient}},
	})
	return post(ctx, s.Client, s.URL, body, nil)
}

func post(ctx context.Context, c *http.Client, url string, body []byte, headers map[string]string) error {
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered %d", req.URL.Host, resp.StatusCode)
	}
	return nil
}

// Email sends a message to its recipient's address over SMTP, plain text
// with an HTML alternative; its Message-ID is derived from the delivery's
// id, so a receiver (or a mail client) can tell a redelivery.
type Email struct {
	URL  *url.URL // smtp://[user:password@]host:port; smtps:// for implicit TLS
	From string
}

// ParseSMTP checks an --smtp-url.
func ParseSMTP(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" || u.Port() == "" {
		return nil, fmt.Errorf("--smtp-url %q: want smtp://[user:password@]host:port (or smtps://)", raw)
	}
	return u, nil
}

func (e Email) ForRecipient(m Message) bool { return m.Email != "" }

func (e Email) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(e.From); err != nil {
		return err
	}
	if err := msg.To(m.Email); err != nil {
		return err
	}
	msg.Subject("coachjournal: " + subjectOf(m.Kind))
	msg.SetMessageIDWithValue(m.ID + "@coachjournal")
	msg.SetBodyString(mail.TypeTextPlain, m.Text+"\n\n"+m.Link+"\n")
	msg.AddAlternativeString(mail.TypeTextHTML, "<p>"+html.EscapeString(m.Text)+"</p><p><a href=\""+html.EscapeString(m.Link)+"\">Open in coachjournal</a></p>")
	port, _ := strconv.Atoi(e.URL.Port())
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(10 * time.Second)}
	if e.URL.Scheme == "smtps" {
		opts = append(opts, mail.WithSSL())
	} else {
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if user := e.URL.User; user != nil {
		pass, _ := user.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(user.Username()), mail.WithPassword(pass))
	}
	c, err := mail.NewClient(e.URL.Hostname(), opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

func subjectOf(kind string) string {
	switch kind {
	case "commitment_due_tomorrow":
		return "a commitment is due tomorrow"
	case "commitment_overdue":
		return "a commitment is overdue"
	case "one_on_one_missing":
		return "a 1-on-1 is missing"
	case "pip_check_in_due", "pip_check_in_missed":
		return "an improvement plan check-in"
	case "pip_revision_unacknowledged":
		return "your improvement plan"
	case "market_signal":
		return "a team's market signal"
	case "weekly_digest":
		return "your week"
	}
	return "a reminder"
}
