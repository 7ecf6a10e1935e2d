package api

import (
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
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
	return s.serveRead(c, key, zeroAsOf, func() (any, projections.Stamp) { // a zero as_of is now
		return s.views.StampedCommitmentKeeping(person.ID, asOf, today)
	})
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
