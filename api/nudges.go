package api

import (
	"net/http"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/nudges"
	"github.com/labstack/echo/v4"
)

// inboxItem is a nudge in the caller's inbox.
type inboxItem struct {
	nudges.Nudge
	Read bool `json:"read"`
}

// myNudges answers GET /v1/me/nudges: the caller's nudges today, derived
// from this replica's projections and the server's clock (package nudges),
// the newest first, each saying whether the caller marked it read. A
// service token (no person) sees HR's nudges when its role is HR, else
// none.
func (s *Server) myNudges(c echo.Context) error {
	p := principal(c)
	today := s.today()
	read, err := s.journals.NudgesRead(c.Request().Context(), p.Sub)
	if err != nil {
		return err
	}
	items := []inboxItem{}
	unread := 0
	for _, n := range nudges.For(s.views, nudges.Recipient{Person: p.Person, Role: p.Role}, today) {
		items = append(items, inboxItem{n, read[n.ID]})
		if !read[n.ID] {
			unread++
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"on": today, "unread": unread, "items": items})
}

// readNudge answers POST /v1/me/nudges/{nid}/read: the caller marks one of
// their nudges of today read (204; again, 204). A nudge that is not the
// caller's today (resolved, someone else's, made up) is 404.
func (s *Server) readNudge(c echo.Context) error {
	p := principal(c)
	nid := c.Param("nid")
	for _, n := range nudges.For(s.views, nudges.Recipient{Person: p.Person, Role: p.Role}, s.today()) {
		if n.ID == nid {
			if err := s.journals.MarkNudgeRead(c.Request().Context(), p.Sub, nid); err != nil {
				return err
			}
			return c.NoContent(http.StatusNoContent)
		}
	}
	return domain.Errorf(domain.KindNotFound, "no nudge %q for you today", nid)
}
