package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/labstack/echo/v4"
)

// sseWriteTimeout bounds one write to a live-tail client: a client that
// stops reading is dropped rather than holding the tail forever.
const sseWriteTimeout = 30 * time.Second

// eventStream is the live tail: Server-Sent Events from after (or the
// Last-Event-ID header, which wins), each "id: <seq>", "event: <type>",
// "data: <the event as the feed renders it>", with a comment line as a
// heartbeat when idle, until the client goes away. The same filters and
// role rules as the feed apply.
//
// Each stream holds a consumer on the store, so streams are capped per
// caller and in total (Security.StreamsPerCaller, Streams): beyond a cap,
// 429 rate_limited with Retry-After, before any consumer is asked for. A
// stream the store cannot give a consumer answers 503 unavailable once;
// the client retries after its Retry-After, not the server in a loop.
func (s *Server) eventStream(c echo.Context) error {
	render, _, err := s.feedView(c) // Tail always opens the text; render drops it for analysts
	if err != nil {
		return err
	}
	var p domain.Problems
	q := feedQuery(c, &p)
	q.After = seqParam(&p, "after", c.QueryParam("after"))
	if last := c.Request().Header.Get("Last-Event-ID"); last != "" {
		q.After = seqParam(&p, "Last-Event-ID", last)
	}
	if err := p.Err(); err != nil {
		return err
	}
	if err := s.checkAfter(c.Request().Context(), "after", q.After); err != nil {
		return err
	}
	release, err := s.streams.acquire(principal(c).Sub)
	if err != nil {
		return err
	}
	defer release()
	ctx, cancel := context.WithCancel(c.Request().Context())
	defer cancel()
	events := make(chan domain.Event, 256)
	wait, err := s.journals.Tail(ctx, q.After, func(_ uint64, e domain.Event, err error) {
		if err != nil || !q.Match(e) {
			return // undecodable messages are logged by the store's readers
		}
		select {
		case events <- e:
		case <-ctx.Done():
		}
	})
	if err != nil {
		return err // the store logged why, once
	}
	followed := make(chan error, 1)
	go func() {
		// Closed after its one value, so that both tail and the deferred
		// wait below can receive: whichever comes second does not block.
		defer close(followed)
		followed <- wait()
	}()
	defer func() { cancel(); <-followed }()
	return s.tail(c, render, events, followed)
}

// tail writes the events as they come, and heartbeats, until the client
// goes away or the follower stops.
func (s *Server) tail(c echo.Context, render func(domain.Event) any, events <-chan domain.Event, followed <-chan error) error {
	w := c.Response()
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{}) // the server's ReadTimeout would end the request
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriter(w)
	flush := func() error {
		_ = rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
		if err := bw.Flush(); err != nil {
			return err
		}
		return rc.Flush()
	}
	if _, err := bw.WriteString(": coachjournal event stream\n\n"); err != nil || flush() != nil {
		return nil
	}
	beat := time.NewTicker(s.feed.heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-c.Request().Context().Done():
			return nil
		case err := <-followed:
			if err != nil {
				s.log.Warn("event stream follower stopped", "err", err)
			}
			return nil
		case <-beat.C:
			bw.WriteString(": heartbeat\n\n")
		case e := <-events:
			if err := writeEvent(bw, e, render(e)); err != nil {
				s.log.Error("event stream: encode", "seq", e.Sequence, "err", err)
				return nil
			}
			if len(events) > 0 { // more already waiting: flush once for the lot
				continue
			}
		}
		if err := flush(); err != nil {
			return nil // the client went away
		}
	}
}

func writeEvent(bw *bufio.Writer, e domain.Event, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	bw.WriteString("id: " + strconv.FormatUint(e.Sequence, 10) + "\nevent: " + e.Type + "\ndata: ")
	bw.Write(data)
	_, err = bw.WriteString("\n\n")
	return err
}
