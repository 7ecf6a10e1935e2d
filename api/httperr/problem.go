package httperr

import (
	"errors"
	"net/http"

	"github.com/coachjournal/coachjournal/domain"
)

// Problem is an RFC 9457 problem+json body with coachjournal's stable
// code, and the kind and Retry-After it was made from.
type Problem struct {
	Status int                 `json:"status"`
	Title  string              `json:"title"`
	Detail string              `json:"detail,omitempty"`
	Code   string              `json:"code"`
	Errors []domain.FieldError `json:"errors,omitempty"`

	Kind       domain.Kind `json:"-"`
	RetryAfter int         `json:"-"` // seconds; 0 sends no Retry-After
}

func (p *Problem) Error() string { return p.Code + ": " + p.Detail }

// New is the problem of kind k: the table's status and code.
func New(k domain.Kind, detail string, fields ...domain.FieldError) *Problem {
	return WithCode(k, "", detail, fields...)
}

// WithCode is New with a code that refines the kind's (empty: the kind's).
func WithCode(k domain.Kind, code, detail string, fields ...domain.FieldError) *Problem {
	e := Lookup(k)
	p := &Problem{Status: e.Status, Title: http.StatusText(e.Status), Detail: detail, Code: e.Code, Errors: fields,
		Kind: k, RetryAfter: e.RetryAfter}
	if code != "" {
		p.Code = code
		if t := refinements[code].title; t != "" {
			p.Title = t
		}
	}
	return p
}

// Of is the problem a client sees for err: a *Problem as it is, a
// *domain.Error through the table; anything else is internal (true), a
// bare 500 that shows nothing of err.
func Of(err error) (p *Problem, internal bool) {
	var de *domain.Error
	switch {
	case errors.As(err, &p):
		return p, false
	case errors.As(err, &de) && de.Kind != domain.KindInternal:
		return WithCode(de.Kind, de.Code, de.Message, de.Fields...), false
	}
	return New(domain.KindInternal, "an internal error occurred; it has been logged"), true
}

// KindOf is the kind of err, a *Problem's or a *domain.Error's;
// KindInternal for anything else.
func KindOf(err error) domain.Kind {
	var p *Problem
	if errors.As(err, &p) {
		return p.Kind
	}
	return domain.KindOf(err)
}
