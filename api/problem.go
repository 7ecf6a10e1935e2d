package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/labstack/echo/v4"
)

// Problem is the problem+json body a refused request answers with
// (httperr.Problem: status and code from the one table).
type Problem = httperr.Problem

// toProblem maps any error to the problem a client sees, through the one
// table (httperr); the router's own refusals (echo.HTTPError) by their
// status's kind. Internal errors become a bare 500 (true).
func toProblem(err error) (*Problem, bool) {
	p, internal := httperr.Of(err)
	var he *echo.HTTPError
	if internal && errors.As(err, &he) {
		if k, ok := httperr.KindOfStatus(he.Code); ok {
			return httperr.New(k, http.StatusText(he.Code)), false
		}
	}
	return p, internal
}

// errorHandler is Echo's one HTTPErrorHandler: handlers just return errors.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		p, internal := toProblem(err)
		if internal {
			log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
		}
		if p.Code == domain.CodeOutcomeUnknown {
			p = outcomeUnknown(p, c.Request().Header.Get("Idempotency-Key") != "")
		}
		h := c.Response().Header()
		if p.RetryAfter > 0 {
			h.Set("Retry-After", strconv.Itoa(p.RetryAfter))
		}
		if p.Kind == httperr.KindUnauthorized {
			h.Set("WWW-Authenticate", `Bearer realm="coachjournal"`)
		}
		h.Set(echo.HeaderContentType, "application/problem+json")
		c.Response().WriteHeader(p.Status)
		if c.Request().Method != http.MethodHead {
			_ = json.NewEncoder(c.Response()).Encode(p)
		}
	}
}

// outcomeUnknown is the answer to a write that was sent to the store but
// never acknowledged (503, code outcome_unknown, SPEC §4): distinct from a
// refusal (code unavailable, nothing stored), it tells the client how to
// find out: retry with the same Idempotency-Key, which answers as the first
// would have (201 with the same event if it was stored) and appends
// nothing twice. Without a key a retry may store the event twice, and the
// detail says so.
func outcomeUnknown(p *Problem, keyed bool) *Problem {
	q := *p
	if keyed {
		q.Detail += "; retry with the same Idempotency-Key: it answers as this request would have, and stores nothing twice"
	} else {
		q.Detail += "; this request had no Idempotency-Key, so a retry may store it twice: read the journal first, and send an Idempotency-Key with every write"
	}
	return &q
}
