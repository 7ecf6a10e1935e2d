package api

import (
	"net/http"

	"github.com/coachjournal/coachjournal/nudges"
	"github.com/labstack/echo/v4"
)

// myNudges answers GET /v1/me/nudges: the caller's nudges today, derived
// from this replica's projections and the server's clock (package nudges),
// the newest first. A service token (no person) sees HR's nudges when its
// role is HR, else none.
func (s *Server) myNudges(c echo.Context) error {
	p := principal(c)
	today := s.today()
	items := nudges.For(s.views, nudges.Recipient{Person: p.Person, Role: p.Role}, today)
	if items == nil {
		items = []nudges.Nudge{}
	}
	return c.JSON(http.StatusOK, map[string]any{"on": today, "items": items})
}
