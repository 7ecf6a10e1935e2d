package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/labstack/echo/v4"
)

// Problem is an RFC 9457 problem+json body with coachjournal's stable code.
type Problem struct {
	Status int                 `json:"status"`
	Title  string              `json:"title"`
	Detail string              `json:"detail,omitempty"`
	Code   string              `json:"code"`
	Errors []domain.FieldError `json:"errors,omitempty"`

	retryAfter int
}

func (p *Problem) Error() string { return p.Code + ": " + p.Detail }

func problem(status int, code, detail string, fields ...domain.FieldError) *Problem {
	return &Problem{Status: status, Title: http.StatusText(status), Code: code, Detail: detail, Errors: fields}
}

var kindStatus = map[domain.Kind]struct {
	status int
	code   string
}{
	domain.KindInvalid:      {http.StatusUnprocessableEntity, "validation_failed"},
	domain.KindNotFound:     {http.StatusNotFound, "not_found"},
	domain.KindConflict:     {http.StatusConflict, "conflict"},
	domain.KindForbidden:    {http.StatusForbidden, "forbidden"},
	domain.KindPrecondition: {http.StatusPreconditionFailed, "precondition_failed"},
	domain.KindUnavailable:  {http.StatusServiceUnavailable, "unavailable"},
}

var echoCodes = map[int]string{
	http.StatusBadRequest:            "malformed_json",
	http.StatusUnauthorized:          "unauthorized",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: "payload_too_large",
	http.StatusTooManyRequests:       "rate_limited",
	http.StatusServiceUnavailable:    "unavailable",
}

// toProblem maps any error to the problem a client sees; internal errors
// become a bare 500.
func toProblem(err error) (*Problem, bool) {
	var p *Problem
	var de *domain.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &p):
		return p, false
	case errors.As(err, &de) && de.Kind != domain.KindInternal:
		ks := kindStatus[de.Kind]
		code := ks.code
		if de.Code != "" {
			code = de.Code
		}
		p = problem(ks.status, code, de.Message, de.Fields...)
		if de.Kind == domain.KindUnavailable {
			p.retryAfter = 1
		}
		if code == domain.CodeOutcomeUnknown {
			p.Title = "Outcome unknown"
		}
		return p, false
	case errors.As(err, &he) && echoCodes[he.Code] != "":
		return problem(he.Code, echoCodes[he.Code], http.StatusText(he.Code)), false
	}
	return problem(http.StatusInternalServerError, "internal", "an internal error occurred; it has been logged"), true
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
		if p.retryAfter > 0 {
			h.Set("Retry-After", strconv.Itoa(p.retryAfter))
		}
		if p.Status == http.StatusUnauthorized {
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
