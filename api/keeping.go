package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// commitmentHistory answers GET /v1/people/{id}/commitment-history?as_of=:
// the person's commitment keeping (projections.Set.CommitmentKeeping), as
// known at as_of. Overdue is measured on today's date (UTC), or on as_of's
// date when that is earlier.
func (s *Server) commitmentHistory(c echo.Context) error {
	person, err := s.see(c)
	if err != nil {
		return err
	}
	asOf, err := s.historyAsOf(c)
	if err != nil {
		return err
	}
	today := s.today()
	c.Response().Header().Set("ETag", etag(person.Version))
	key := readKey("keeping", string(person.ID[:]), instantKey(asOf), today.String())
	answer := func() (any, projections.Stamp) { // a zero as_of is now
		return s.views.StampedCommitmentKeeping(person.ID, asOf, today)
	}
	if _, pretty := c.QueryParams()["pretty"]; !asOf.IsZero() || s.reads == nil || pretty || c.Echo().Debug {
		return s.serveRead(c, key, zeroAsOf, answer)
	}
	return s.serveKeeping(c, key, person.ID, today)
}

// keptLife is where one commitment's life lies in a cached commitment
// history, and the commitment's id and last step it was encoded at.
type keptLife struct {
	id         uuid.UUID
	last       uint64
	start, end int
}

// historyTail is how encoding/json ends a Keeping whose Commitments are
// nil: the list is the last member, and serveKeeping writes it in place of
// the null.
const historyTail = `"commitments":null}` + "\n"

// serveKeeping is serveRead for a commitment history as known now, where
// a miss reuses what it can of the answer it replaces. A history changes
// with every step on the person's journal (a metrics submission, a
// meeting, a new commitment), while each commitment's life, most of the
// answer, changes only with a step of its own or the day: the cached
// answer keeps where each life lies, and the next answer for the same
// person and day copies every life whose last step is unchanged and
// encodes only the others (projections.Set.StampedKeepingParts). The bytes
// are those serveRead would write; TestHistoryReusesLives holds them to
// it.
//
// Erased text is not carried over: the lives of an entry are reused only
// when no erasure was applied between the entry's computation and the
// end of this one (the projections' Erasures() is the same at both); else
// every life is built afresh.
func (s *Server) serveKeeping(c echo.Context, key string, person uuid.UUID, today domain.Date) error {
	erasures := s.views.Erasures() // before the lookup: an entry's lives are reused only if it is still this
	prev := s.lookupRead(key)
	if prev != nil && s.views.Current(prev.stamp) {
		s.metrics.readCacheHits.Inc()
		return s.writeRead(c, prev.body, prev.holes, len(zeroAsOf))
	}
	s.metrics.readCacheMisses.Inc()
	var held []keptLife
	var heldBody []byte
	if prev != nil && prev.erasures == erasures {
		held, heldBody = prev.lives, prev.body
	}
	holds := func(i int, id uuid.UUID, last uint64) bool {
		return i < len(held) && held[i].id == id && held[i].last == last
	}
	k, parts, stamp := s.views.StampedKeepingParts(person, today, holds)
	if s.views.Erasures() != erasures && held != nil { // an erasure in between: build every life
		held = nil
		k, parts, stamp = s.views.StampedKeepingParts(person, today, holds)
	}
	// The answer is built where the cache keeps it: about the size of the
	// one it replaces, grown once if at all.
	buf := bytes.NewBuffer(make([]byte, 0, len(heldBody)+2048))
	enc := json.NewEncoder(buf)
	if err := enc.Encode(k); err != nil {
		return err
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte(historyTail)) {
		return fmt.Errorf("commitment history: the encoded keeping ends %q, not with its commitments", buf.Bytes()[max(0, buf.Len()-40):])
	}
	buf.Truncate(buf.Len() - len("null}\n"))
	holes := findHoles(buf.Bytes(), ":", zeroAsOf) // the as_of members are all before the lives
	buf.WriteByte('[')
	lives := make([]keptLife, len(parts))
	reused := 0
	for i, part := range parts {
		if i > 0 {
			buf.WriteByte(',')
		}
		start := buf.Len()
		if part.Life == nil {
			buf.Write(heldBody[held[i].start:held[i].end])
			reused++
		} else {
			if err := enc.Encode(part.Life); err != nil {
				return err
			}
			buf.Truncate(buf.Len() - 1) // Encode's newline
		}
		lives[i] = keptLife{id: part.ID, last: part.Last, start: start, end: buf.Len()}
	}
	s.metrics.livesReused.Add(float64(reused))
	s.metrics.livesBuilt.Add(float64(len(parts) - reused))
	buf.WriteString("]}\n")
	body := buf.Bytes()
	if s.views.Erasures() == erasures { // else the answer may hold text erased since: not kept
		if cap(body) > len(body)+len(body)/8 { // grown by doubling: keep no slack
			body = bytes.Clone(body)
		}
		s.reads.put(&cachedRead{key: key, stamp: stamp, body: body, holes: holes, lives: lives, erasures: erasures})
	}
	return s.writeRead(c, body, holes, len(zeroAsOf))
}

// historyAsOf reads as_of, an RFC 3339 time in 1970–2100: 422
// validation_failed when it is not one. A missing or future as_of is now, returned as the zero time
// (everything applied), so that an event another replica recorded with a
// clock slightly ahead of ours is not hidden.
func (s *Server) historyAsOf(c echo.Context) (time.Time, error) {
	raw := c.QueryParam("as_of")
	if raw == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return time.Time{}, httperr.New(domain.KindInvalid, "as_of is not an RFC 3339 time",
			domain.FieldError{Field: "as_of", Message: "must be an RFC 3339 time, e.g. 2026-11-01T00:00:00Z"})
	}
	if !domain.InYears(t) {
		return time.Time{}, domain.Invalid(domain.FieldError{Field: "as_of", Message: yearsMessage})
	}
	if !t.Before(s.now()) {
		return time.Time{}, nil
	}
	return t, nil
}
