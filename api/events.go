package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/labstack/echo/v4"
)

// The event feed (GET /v1/events) and its live tail (GET /v1/events/stream)
// serve the whole stream in order. Who reads what:
//   - admin and HR read clear envelopes (HR already sees every journal);
//   - analysts read them pseudonymized (domain.Pseudonymizer): every person
//     id replaced by its keyed pseudonym, every personal text emptied; that
//     is the whole org, which is their view;
//   - members are refused (403): the feed is org-wide, and their own
//     journals are on the timeline.

// feedConfig is what the feed needs beyond the Server's common fields.
type feedConfig struct {
	pseudo    *domain.Pseudonymizer // nil: no key configured; analysts get 503
	heartbeat time.Duration
}

func newFeedConfig(cfg Config, log *slog.Logger) feedConfig {
	f := feedConfig{heartbeat: cfg.Heartbeat}
	if f.heartbeat <= 0 {
		f.heartbeat = 15 * time.Second
	}
	if cfg.PseudonymKey != nil {
		p, err := domain.NewPseudonymizer(cfg.PseudonymKey)
		if err != nil {
			log.Error("the pseudonym key is unusable; the event feed refuses analysts", "err", err)
		}
		f.pseudo = p
	}
	return f
}

// clearEvent is an envelope as admin and HR read it, with its sequence.
type clearEvent struct {
	Sequence uint64 `json:"sequence"`
	domain.Event
}

// feedView returns how the caller reads events: the renderer of one event
// and whether it needs the personal text in clear.
func (s *Server) feedView(c echo.Context) (render func(domain.Event) any, text bool, err error) {
	switch principal(c).Role {
	case domain.RoleAdmin, domain.RoleHR:
		return func(e domain.Event) any { return clearEvent{e.Sequence, e} }, true, nil
	case domain.RoleAnalyst:
		if s.feed.pseudo == nil {
			return nil, false, domain.Errorf(domain.KindUnavailable, "the pseudonymized feed is not configured")
		}
		return func(e domain.Event) any { return s.feed.pseudo.Event(e) }, false, nil
	}
	return nil, false, forbidden("the event feed is for analysts, HR and admins; your journal is on your timeline")
}

// feedQuery reads the filters shared by the feed and its tail: type, from, to.
func feedQuery(c echo.Context, p *domain.Problems) domain.EventQuery {
	q := domain.EventQuery{Type: c.QueryParam("type")}
	if !domain.ValidType(q.Type) {
		p.Add("type", "must be an event type, or a prefix of types ending in '.'")
	}
	q.From = timeParam(p, c, "from")
	q.To = timeParam(p, c, "to")
	rangeOrder(p, q.From, q.To)
	return q
}

// seqParam reads a stream sequence from a query parameter or header value.
func seqParam(p *domain.Problems, name, raw string) uint64 {
	if raw == "" {
		return 0
	}
	n, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		p.Add(name, "must be a stream sequence")
	}
	return n
}

// checkAfter refuses a sequence beyond the stream's last (422 naming the
// parameter): no event will ever be stored "after" a sequence that was
// never given out, so it is a bad value, not an outage. Reading the last
// sequence may fail with KindUnavailable.
func (s *Server) checkAfter(ctx context.Context, name string, after uint64) error {
	if after == 0 {
		return nil
	}
	last, err := s.journals.LastSequence(ctx)
	if err != nil {
		return err
	}
	if after > last {
		return domain.Invalid(domain.FieldError{Field: name, Message: fmt.Sprintf("is beyond the stream's last sequence (%d)", last)})
	}
	return nil
}

// eventPage is the feed's list body; last_sequence is where a poller
// resumes once next_cursor is absent (it has read the stream's end).
type eventPage struct {
	Items        []any  `json:"items"`
	NextCursor   string `json:"next_cursor,omitempty"`
	LastSequence uint64 `json:"last_sequence"`
}

func (s *Server) events(c echo.Context) error {
	render, text, err := s.feedView(c)
	if err != nil {
		return err
	}
	var p domain.Problems
	q := feedQuery(c, &p)
	q.After = seqParam(&p, "after", c.QueryParam("after"))
	cursor, limit, err := pageParams(c) // cursor: the same sequence, as every list takes it
	if err != nil {
		return err
	}
	if err := p.Err(); err != nil {
		return err
	}
	name := "after"
	if cursor > q.After {
		name = "cursor"
	}
	q.After, q.Limit, q.Text = max(q.After, cursor), limit, text
	if err := s.checkAfter(c.Request().Context(), name, q.After); err != nil {
		return err
	}
	pg, err := s.journals.Events(c.Request().Context(), q)
	if err != nil {
		return err
	}
	body := eventPage{Items: make([]any, 0, len(pg.Events)), LastSequence: pg.Last}
	for _, e := range pg.Events {
		body.Items = append(body.Items, render(e))
	}
	if pg.More {
		body.NextCursor = strconv.FormatUint(pg.Last, 10)
	}
	return c.JSON(http.StatusOK, body)
}
