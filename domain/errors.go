package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error so that adapters can map it to a status once.
type Kind int

// The closed set of error kinds.
const (
	KindInternal     Kind = iota // a bug or an unexpected failure; never shown to clients
	KindInvalid                  // input breaks a rule; Fields name what is wrong
	KindNotFound                 // the resource does not exist (or is outside the caller's view)
	KindConflict                 // the request conflicts with the current state
	KindForbidden                // the caller may see the resource but not do this
	KindPrecondition             // an If-Match precondition failed
	KindUnavailable              // the store cannot be reached; try again later
)

// FieldError names one input field and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the error type of the domain and the stores.
type Error struct {
	Kind    Kind
	Code    string // a stable machine code, e.g. "idempotency_key_reused"; empty means the kind's default
	Message string
	Fields  []FieldError
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// KindOf reports the kind of err: KindInternal unless it wraps an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Errorf returns an *Error of kind k with a formatted message.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// ConflictCode returns a conflict error carrying a stable code.
func ConflictCode(code, format string, args ...any) *Error {
	return &Error{Kind: KindConflict, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a KindInvalid error for the given field errors.
func Invalid(fields ...FieldError) *Error {
	return &Error{Kind: KindInvalid, Message: "the request breaks a rule", Fields: fields}
}

// Problems collects field errors while a command is checked.
type Problems []FieldError

// Add records that field is wrong.
func (p *Problems) Add(field, format string, args ...any) {
	*p = append(*p, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when nothing was recorded, else a KindInvalid *Error.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return Invalid(p...)
}
