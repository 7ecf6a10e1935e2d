package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// ReadAudit records and lists the reads of PIPs (SPEC §3, "who read this
// PIP"); eventstore.Store implements it. A Journals without it serves no
// PIP at all (503): a read is never served unrecorded.
type ReadAudit interface {
	// RecordRead stores one read and returns once it is acknowledged, with
	// its sequence. Errors: KindUnavailable.
	RecordRead(ctx context.Context, r domain.ReadRecord) (domain.ReadRecord, error)
	// ReadsOf returns a PIP's newest reads, newest first, at most limit.
	// Errors: KindUnavailable (just after a start, while the reads stored
	// before it are being loaded, past ctx's deadline).
	ReadsOf(ctx context.Context, pipID uuid.UUID, limit int) ([]domain.ReadRecord, error)
}

// readsShown bounds the reads listed in a PIP's audit view.
const readsShown = 100

// readView is one read as listed. Who sees what (the audit cuts both
// ways): HR and admins see every field; the person on the PIP sees when,
// through which channel, the reader's role and, when the reader is a
// person, their name, but not service-account names nor request ids
// (operational details, not theirs to correlate); managers above the
// person do not see the list at all.
type readView struct {
	At        time.Time   `json:"at"`
	Role      domain.Role `json:"role"`
	Via       string      `json:"via"`
	Sub       string      `json:"sub,omitempty"`
	Name      string      `json:"name,omitempty"` // the reader's name, when the reader is a registered person
	You       bool        `json:"you,omitempty"`  // the caller's own read
	RequestID string      `json:"request_id,omitempty"`
	Sequence  uint64      `json:"sequence,omitempty"`
}

// auditedPIPView is the audit view of a PIP with its reads; Reads is
// absent for callers who may not see them.
type auditedPIPView struct {
	pipView
	Reads *[]readView `json:"reads,omitempty"`
}

// recordRead stores the read of pip by the caller before it is served.
func (s *Server) recordRead(ctx context.Context, caller domain.Actor, pip projections.PIP, requestID, via string) error {
	ra, ok := s.journals.(ReadAudit)
	if !ok {
		return domain.Errorf(domain.KindUnavailable, "the read audit is not available")
	}
	_, err := ra.RecordRead(ctx, domain.NewReadRecord(caller, pip.PersonID, pip.ID, s.now(), requestID, via))
	return err
}

// auditedPIP records the read, then answers the PIP's audit view.
func (s *Server) auditedPIP(c echo.Context, pip projections.PIP) error {
	p := principal(c)
	rid := c.Response().Header().Get(echo.HeaderXRequestID)
	if err := s.recordRead(c.Request().Context(), p.Actor(), pip, rid, "api"); err != nil {
		return err
	}
	v := auditedPIPView{pipView: s.pipAudit(pip)}
	reads := []readView{}
	ok, err := s.readsFor(c.Request().Context(), p.Actor(), pip.PersonID, pip.ID, readsShown, nil, func(n int) { reads = slices.Grow(reads, n) },
		func(r readView) { reads = append(reads, r) })
	if err != nil {
		return err
	}
	if ok {
		v.Reads = &reads
	}
	return c.JSON(http.StatusOK, v)
}

// readsFor lists the newest reads of pip, person's PIP, at most limit,
// as viewer may see them, newest first, to add (after size, told how many
// at most), and says whether viewer may see them at all (HR, admin, the
// person on the PIP). pending, when not nil, is viewer's read being
// stored: it is listed first, and not again should it be stored already.
// Errors: ReadAudit.ReadsOf's.
func (s *Server) readsFor(ctx context.Context, viewer domain.Actor, person, pip uuid.UUID, limit int, pending *domain.ReadRecord, size func(n int), add func(readView)) (bool, error) {
	self := viewer.Role == domain.RoleMember && viewer.ID == person.String()
	full := viewer.Role == domain.RoleHR || viewer.Role == domain.RoleAdmin
	ra, ok := s.journals.(ReadAudit)
	if !ok || (!self && !full) {
		return false, nil
	}
	stored, err := ra.ReadsOf(ctx, pip, limit)
	if err != nil {
		return false, err
	}
	n := 0
	view := func(r domain.ReadRecord) {
		v := readView{At: r.At, Role: r.Reader.Role, Via: r.Via, You: r.Reader == viewer}
		if id, isPerson := r.Reader.PersonID(); isPerson {
			if person, found := s.views.Person(id); found {
				v.Name = person.Name
			}
		}
		if full {
			v.Sub, v.RequestID, v.Sequence = r.Reader.ID, r.RequestID, r.Sequence
		}
		add(v)
		n++
	}
	size(min(limit, len(stored)+1))
	if pending != nil {
		view(*pending)
	}
	for _, r := range stored {
		if n == limit {
			break
		}
		if pending == nil || r.ID != pending.ID {
			view(r)
		}
	}
	return true, nil
}
