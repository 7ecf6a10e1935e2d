package eventstore

import (
	"errors"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/nats-io/nats.go/jetstream"
)

// maxAttempts bounds the internal retries of a lost race before a conflict.
const maxAttempts = 5

// unavailable logs a store failure and returns the error callers see: it
// names no internals.
func (s *Store) unavailable(op string, err error) error {
	s.log.Warn("event store unavailable", "op", op, "err", err)
	return domain.Errorf(domain.KindUnavailable, "event store unavailable")
}

// wrongLastSequence reports whether a publish lost the optimistic
// concurrency race: the journal moved since it was read.
func wrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}
