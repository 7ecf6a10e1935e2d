package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventjson"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 200

// written is the body of every 201 and 202.
type written struct {
	ID       uuid.UUID `json:"id"`
	EventID  uuid.UUID `json:"event_id"`
	Type     string    `json:"type"`
	Sequence uint64    `json:"sequence"`
	Version  uint64    `json:"version"`
	// Visible says whether this replica's reads show the write already:
	// true with 201, false with 202.
	Visible bool `json:"visible"`
}

// pendingRetryAfter is the Retry-After (seconds) of a 202: when a read
// with X-Min-Sequence is worth trying.
const pendingRetryAfter = "1"

// decode reads and strictly decodes the request body into cmd; the
// required keys must be present, though they may be null (422 naming the
// first missing one).
func decode[T any](c echo.Context, required ...string) (T, []byte, error) {
	var cmd T
	body, err := readBody(c, MaxBody)
	if err != nil {
		return cmd, nil, err
	}
	keys, err := decodeKeys(body, &cmd)
	if err != nil {
		return cmd, body, err
	}
	for _, k := range required {
		if !keys[k] {
			return cmd, body, domain.Invalid(domain.FieldError{Field: k, Message: "is required (null for none)"})
		}
	}
	return cmd, body, nil
}

// write executes cmd on a journal and answers 201 once this replica's
// projections have applied the event (read-your-writes). When they have
// not within readWait, the write is stored but a read here would not show
// it yet: 202 with "visible": false and Retry-After; a read with
// X-Min-Sequence set to the answer's sequence waits for it (or answers 503
// with Retry-After), so a client can always read its write.
func (s *Server) write(c echo.Context, personID uuid.UUID, cmd domain.Command, body []byte) error {
	w, err := s.writeOf(c, personID, cmd, body)
	if err != nil {
		return err
	}
	res, err := s.execute(c.Request().Context(), w) // web_write.go
	if err != nil {
		return err
	}
	e := res.Event
	h := c.Response().Header()
	h.Set("ETag", etag(e.Version))
	h.Set("X-Journal-Sequence", strconv.FormatUint(e.Sequence, 10))
	if res.Replayed {
		h.Set("Idempotent-Replayed", "true")
	}
	out := written{ID: e.ResourceID(), EventID: e.ID, Type: e.Type, Sequence: e.Sequence, Version: e.Version, Visible: !res.Pending}
	if res.Pending {
		h.Set("Retry-After", pendingRetryAfter)
		return c.JSON(http.StatusAccepted, out)
	}
	return c.JSON(http.StatusCreated, out)
}

// writeOf builds the Write of a request: actor, clock, If-Match and
// Idempotency-Key.
func (s *Server) writeOf(c echo.Context, personID uuid.UUID, cmd domain.Command, body []byte) (domain.Write, error) {
	p := principal(c)
	w := domain.Write{PersonID: personID, Command: cmd, Meta: domain.Meta{Actor: p.Actor(), Now: s.now()}}
	r := c.Request()
	if im := r.Header.Get("If-Match"); im != "" && im != "*" {
		v, err := strconv.ParseUint(strings.Trim(strings.TrimPrefix(im, "W/"), `"`), 10, 64)
		if err != nil {
			return w, httperr.New(domain.KindPrecondition, "If-Match does not name a journal version")
		}
		w.IfVersion = &v
	}
	key, err := idempotencyKey(c)
	if err != nil {
		return w, err
	}
	if key != "" {
		sum := sha256.Sum256([]byte(r.Method + " " + r.URL.Path + "\n" + p.Sub + "\n" + string(canonicalBody(body))))
		w.IdempotencyKey, w.RequestHash = key, hex.EncodeToString(sum[:])
	}
	return w, nil
}

// canonicalBody is the body as a repeated request is compared: the same
// JSON whatever its key order and white space (SPEC §2) hashes the same.
// The body has passed decodeStrict, so its keys are unique; a body that is
// not JSON (none) is compared as it is.
func canonicalBody(body []byte) []byte {
	if canon, err := eventjson.Canonical(body, ""); err == nil {
		return canon
	}
	return body
}

func idempotencyKey(c echo.Context) (string, error) {
	key := c.Request().Header.Get("Idempotency-Key")
	if len(key) > maxIdempotencyKey {
		return "", domain.Invalid(domain.FieldError{Field: "Idempotency-Key", Message: "is longer than 200 characters"})
	}
	for _, r := range key {
		if r < 0x21 || r > 0x7e {
			return "", domain.Invalid(domain.FieldError{Field: "Idempotency-Key", Message: "must be printable ASCII without spaces"})
		}
	}
	return key, nil
}

func etag(version uint64) string { return `"` + strconv.FormatUint(version, 10) + `"` }

func writeOutcome(res domain.Written, err error) string {
	switch {
	case err == nil && res.Replayed:
		return "replayed"
	case err == nil:
		return "appended"
	case domain.KindOf(err) == domain.KindConflict:
		return "conflict"
	case domain.IsOutcomeUnknown(err):
		return "outcome_unknown"
	case domain.KindOf(err) == domain.KindUnavailable:
		return "unavailable"
	}
	return "refused"
}
