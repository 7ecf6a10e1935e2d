package api

import (
	"context"
	"fmt"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/api/web"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/export"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// mountWeb serves the web UI (package web) from the same router, with the
// API's token verification and the journals' chain check.
func (s *Server) mountWeb(e *echo.Echo) {
	d := web.Deps{
		Views:  s.views,
		Verify: s.journals.VerifyJournal,
		Parse: func(token string) (web.Viewer, error) {
			p, err := s.tokens.Parse(token)
			return web.Viewer{Sub: p.Sub, Person: p.Person, Role: p.Role}, err
		},
		Now:     s.now,
		Logger:  s.log,
		ReadPIP: s.webReadPIP,
		Execute: s.webExecute, // web_write.go
		Check:   s.webCheck,
		Nudges:  web.NudgeReads{Read: s.journals.NudgesRead, Mark: s.journals.MarkNudgeRead},
		Export:  s.webExport,
	}
	if s.reads != nil {
		d.PageCacheBytes = s.reads.budget // the same budget again, for rendered pages
		hits, misses := s.metrics.pageCache.WithLabelValues("hit"), s.metrics.pageCache.WithLabelValues("miss")
		d.CountPage = func(hit bool) {
			if hit {
				hits.Inc()
			} else {
				misses.Inc()
			}
		}
	}
	if s.feed.pseudo != nil {
		d.Pseudonym = s.feed.pseudo.Of
	}
	web.Mount(e, d)
}

// webExport is the UI's download: GET /v1/export's path for the signed-in
// viewer, its refusals handed back for the page to say in words.
func (s *Server) webExport(c echo.Context, v web.Viewer, r export.Request) *httperr.Problem {
	err := s.export(c, Principal{Sub: v.Sub, Person: v.Person, Role: v.Role}, r)
	if err == nil {
		return nil
	}
	p, internal := toProblem(err)
	if internal {
		s.log.Error("download failed", "err", err)
	}
	return p
}

// webReadPIP is the read audit of the UI's PIP page (web.ReadPIPFunc):
// the read is stored while the page is rendered, and listed first as the
// page's own (the reads stored before it follow).
func (s *Server) webReadPIP(ctx context.Context, v web.Viewer, person, pip uuid.UUID, requestID string, limit int) ([]web.ReadRow, bool, func() error) {
	caller := domain.Actor{ID: v.Sub, Role: v.Role}
	ra, ok := s.journals.(ReadAudit)
	if !ok {
		return nil, false, func() error { return domain.Errorf(domain.KindUnavailable, "the read audit is not available") }
	}
	r := domain.NewReadRecord(caller, person, pip, s.now(), requestID, "ui")
	stored := make(chan error, 1)
	go func() {
		_, err := ra.RecordRead(ctx, r)
		stored <- err
	}()
	if limit <= 0 || limit > readsShown {
		limit = readsShown
	}
	var rows []web.ReadRow
	visible, err := s.readsFor(ctx, caller, person, pip, limit, &r, func(n int) { rows = make([]web.ReadRow, 0, n) }, func(rv readView) {
		rows = append(rows, web.ReadRow{At: rv.At, Role: string(rv.Role), Via: rv.Via, Sub: rv.Sub, Name: rv.Name, You: rv.You, RequestID: rv.RequestID})
	})
	if err != nil { // the page is refused, its read perhaps stored: a read recorded and not served, never the reverse
		return nil, false, func() error {
			<-stored
			return fmt.Errorf("%w: %w", web.ErrReadsNotListed, err)
		}
	}
	return rows, visible, func() error { return <-stored }
}
