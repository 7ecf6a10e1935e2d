package eventstore

import (
	"context"
	"errors"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/nats-io/nats.go"
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

// errNotSent marks a publish that never left this process (its caller's
// deadline passed while it queued, or the connection was down): a
// definite refusal.
var errNotSent = errors.New("not sent")

// publishFailed logs a failed publish, marks the store unwritable until
// it recovers (health.go), and returns the error callers see: a refusal
// (KindUnavailable) when the message was certainly not stored, else
// domain.CodeOutcomeUnknown.
func (s *Store) publishFailed(err error) error {
	s.writeFailed(err)
	if notStored(err) {
		return s.unavailable("publish", err)
	}
	s.log.Warn("event store did not acknowledge a write: outcome unknown", "err", err)
	return &domain.Error{Kind: domain.KindUnavailable, Code: domain.CodeOutcomeUnknown,
		Message: "the write was sent to the event store but no acknowledgement came back: it may or may not be stored"}
}

// notStored reports whether a failed publish certainly stored nothing: the
// server answered with an error, nothing was listening (JetStream is off),
// or the message never left this process. A timeout or a connection lost
// while waiting for the ack leaves the outcome unknown.
func notStored(err error) bool {
	var apiErr *jetstream.APIError
	switch {
	case errors.As(err, &apiErr), errors.Is(err, errNotSent),
		errors.Is(err, nats.ErrNoResponders), errors.Is(err, jetstream.ErrNoStreamResponse),
		errors.Is(err, nats.ErrReconnectBufExceeded), errors.Is(err, nats.ErrConnectionDraining),
		errors.Is(err, nats.ErrMaxPayload), errors.Is(err, nats.ErrInvalidConnection):
		return true
	}
	return false
}

// sendable returns errNotSent when ctx has ended before a publish: the
// client would give up before sending, and the error must say so.
func sendable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return errors.Join(errNotSent, err)
	}
	return nil
}

// sendable is sendable(ctx), and errNotSent also when the connection is
// down: the publish would fail before sending (the connection keeps no
// reconnect buffer), and a closed connection's error would not say so.
func (s *Store) sendable(ctx context.Context) error {
	if !s.Connected() {
		return errors.Join(errNotSent, nats.ErrDisconnected)
	}
	return sendable(ctx)
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
