package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/export"
	"github.com/labstack/echo/v4"
)

// exportPath is the export's route; like the live tail it is exempt from
// the request deadline (it lasts as long as the stream takes to read).
const exportPath = "/v1/export"

// exportWriteTimeout bounds one write to an export's client: a client that
// stops reading is dropped rather than holding an export slot forever.
const exportWriteTimeout = 30 * time.Second

// exportStream answers GET /v1/export?format=&table=&type=&from=&to=&clear=
// (package export): the stream as it is when the request arrives, up to
// its last sequence, as one file: NDJSON envelopes, or the events,
// metrics or scorecards table in CSV or Parquet, with the CLI's filters.
//
// Who: analysts, always pseudonymized (ids and actors as keyed pseudonyms,
// no text, no hashes: what the analysts' feed shows); admins, the same by
// default or in clear with clear=true, as the CLI's --clear. Anyone else
// 403, and an analyst asking clear=true 403. A bad parameter is 422 naming
// it; beyond the caps on exports running per caller and in total
// (Security.ExportsPerCaller, Exports) 429 with Retry-After.
//
// It streams in constant memory (apart from the scorecards table, which
// holds the submissions) and stops when the client goes away. An error
// once bytes are sent aborts the connection, so that a client never takes
// a cut file for a whole one.
func (s *Server) exportStream(c echo.Context) error {
	p := principal(c)
	if p.Role != domain.RoleAnalyst && p.Role != domain.RoleAdmin {
		return forbidden("the export is for analysts and admins")
	}
	r, err := export.ParseRequest(c.QueryParams())
	if err != nil {
		return err
	}
	return s.export(c, p, r)
}

// export streams r to the response for p, whose role may export
// (exportStream, the UI's download). Errors before the first byte:
// KindForbidden (clear asked by a non-admin), KindUnavailable (no
// pseudonym key, the store unreachable), 429 at a cap.
func (s *Server) export(c echo.Context, p Principal, r export.Request) error {
	x := &export.Exporter{Query: r.Query}
	switch {
	case r.Clear && p.Role != domain.RoleAdmin:
		return forbidden("only an admin may export in clear; analysts' exports are pseudonymized")
	case r.Clear:
	case s.feed.pseudo == nil:
		return domain.Errorf(domain.KindUnavailable, "the pseudonymized export is not configured")
	default:
		x.Pseudo = s.feed.pseudo
	}
	release, err := s.exports.acquire(p.Sub)
	if err != nil {
		return err
	}
	defer release()
	w := &exportWriter{c: c, rc: http.NewResponseController(c.Response()), r: r, on: s.now()}
	_ = w.rc.SetReadDeadline(time.Time{}) // the server's ReadTimeout would end the request
	out, err := export.Stream(r.Format, r.Table, w)
	if err != nil {
		return domain.Invalid(domain.FieldError{Field: "table", Message: err.Error()})
	}
	ctx := c.Request().Context()
	st, err := x.Run(ctx, s.journals, out)
	if err == nil {
		err = out.Close()
	}
	switch {
	case err == nil:
		s.log.Info("export", "sub", p.Sub, "format", r.Format, "table", r.Table, "clear", r.Clear, "events", st.Events, "took", st.Took)
		return nil
	case ctx.Err() != nil || w.gone || errors.Is(err, export.ErrInterrupted):
		s.log.Info("export cancelled", "sub", p.Sub, "format", r.Format, "table", r.Table)
		if !c.Response().Committed {
			return nil // the client went away before the first byte: nobody to answer
		}
	case !c.Response().Committed:
		return err
	default:
		s.log.Warn("export failed after its first bytes", "sub", p.Sub, "err", err)
	}
	panic(http.ErrAbortHandler) // no end-of-body marker: the client sees a cut transfer, not a short file
}

// exportWriter writes the export to the response: the headers with the
// first bytes (so an error before them is still a problem+json), and a
// fresh write deadline for every write.
type exportWriter struct {
	c    echo.Context
	rc   *http.ResponseController
	r    export.Request
	on   time.Time
	gone bool // a write failed: the client went away or stopped reading
}

func (w *exportWriter) Write(b []byte) (int, error) {
	res := w.c.Response()
	if !res.Committed {
		h := res.Header()
		h.Set(echo.HeaderContentType, export.ContentType(w.r.Format))
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+w.r.Filename(w.on)+`"`)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Accel-Buffering", "no")
		res.WriteHeader(http.StatusOK)
	}
	_ = w.rc.SetWriteDeadline(time.Now().Add(exportWriteTimeout))
	if err := w.c.Request().Context().Err(); err != nil {
		return 0, err
	}
	n, err := res.Write(b)
	w.gone = err != nil
	return n, err
}
