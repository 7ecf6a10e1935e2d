// Package httperr is the one place an error becomes an HTTP status: the
// table from error kind to status and stable problem code (SPEC §4), the
// kinds only the HTTP edge refuses with, the problem+json body, and the
// view rule that answers a person outside the caller's view as not found.
// The JSON API answers with the Problem; the web UI renders HTML with the
// same status. Handlers return errors, never statuses.
package httperr

import (
	"net/http"

	"github.com/coachjournal/coachjournal/domain"
)

// The kinds of the HTTP edge: refusals the domain never makes, made by
// the API's decoding, authentication and limits and the UI's forms. They
// extend domain's closed set above its kinds (a clash would be a duplicate
// key in table, which does not compile).
const (
	KindMalformed        domain.Kind = 100 + iota // the body (or a form, or a query) cannot be read: not JSON, an unknown field
	KindUnauthorized                              // no valid credentials
	KindTooLarge                                  // the body is over its limit
	KindRateLimited                               // the caller is over its rate or its share of streams; Retry-After says when to come back
	KindMethodNotAllowed                          // the route takes no such method (the router's refusal)
)

// Entry is what a kind answers: its status, its stable code, and the
// seconds of Retry-After it sends unless the error says otherwise.
type Entry struct {
	Status     int
	Code       string
	RetryAfter int
}

// table is the one mapping from kind to HTTP status and problem code.
var table = map[domain.Kind]Entry{
	domain.KindInternal:     {http.StatusInternalServerError, "internal", 0},
	domain.KindInvalid:      {http.StatusUnprocessableEntity, "validation_failed", 0},
	domain.KindNotFound:     {http.StatusNotFound, "not_found", 0},
	domain.KindConflict:     {http.StatusConflict, "conflict", 0},
	domain.KindForbidden:    {http.StatusForbidden, "forbidden", 0},
	domain.KindPrecondition: {http.StatusPreconditionFailed, "precondition_failed", 0},
	domain.KindUnavailable:  {http.StatusServiceUnavailable, "unavailable", 1},
	KindMalformed:           {http.StatusBadRequest, "malformed_json", 0},
	KindUnauthorized:        {http.StatusUnauthorized, "unauthorized", 0},
	KindTooLarge:            {http.StatusRequestEntityTooLarge, "payload_too_large", 0},
	KindRateLimited:         {http.StatusTooManyRequests, "rate_limited", 0},
	KindMethodNotAllowed:    {http.StatusMethodNotAllowed, "method_not_allowed", 0},
}

// CodeUnknownField is the code of a body with a field its endpoint does
// not take (KindMalformed, 400).
const CodeUnknownField = "unknown_field"

// refinements are the codes that narrow a kind's default code: the status
// stays the kind's; a few carry their own title.
var refinements = map[string]struct {
	kind  domain.Kind
	title string
}{
	CodeUnknownField:                {KindMalformed, ""},
	domain.CodeIdempotencyKeyReused: {domain.KindConflict, ""},
	domain.CodeOutcomeUnknown:       {domain.KindUnavailable, "Outcome unknown"},
}

// Lookup is the entry of kind k; a kind outside the table answers as an
// internal error.
func Lookup(k domain.Kind) Entry {
	e, ok := table[k]
	if !ok {
		return table[domain.KindInternal]
	}
	return e
}

// Status is the HTTP status of kind k.
func Status(k domain.Kind) int { return Lookup(k).Status }

// KindOfStatus is the kind whose status is status, for the router's own
// refusals (echo.HTTPError); ok is false for a status no kind but an
// internal error answers with.
func KindOfStatus(status int) (k domain.Kind, ok bool) {
	for k, e := range table {
		if e.Status == status && k != domain.KindInternal {
			return k, true
		}
	}
	return domain.KindInternal, false
}
