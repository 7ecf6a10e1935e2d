package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/nudges"
	"github.com/google/uuid"
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

// parkedNudges answers GET /v1/admin/nudges/parked (admins): the nudge
// deliveries given up after their last attempt, oldest first.
func (s *Server) parkedNudges(c echo.Context) error {
	if principal(c).Role != domain.RoleAdmin {
		return forbidden("only admins see parked nudge deliveries")
	}
	items, err := s.journals.ParkedNudges(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// replayNudge answers POST /v1/admin/nudges/parked/{seq}/replay (admins):
// the parked delivery is delivered again, once, and leaves the list (204).
func (s *Server) replayNudge(c echo.Context) error {
	if principal(c).Role != domain.RoleAdmin {
		return forbidden("only admins replay parked nudge deliveries")
	}
	seq, err := strconv.ParseUint(c.Param("seq"), 10, 64)
	if err != nil || seq == 0 {
		return domain.Invalid(domain.FieldError{Field: "seq", Message: "is not a sequence"})
	}
	if err := s.journals.ReplayNudge(c.Request().Context(), seq); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// nudgePrefs answers GET /v1/me/nudge-preferences: the caller's choices
// about nudges beyond the inbox (defaults when none were set). Only a
// person has them.
func (s *Server) nudgePrefs(c echo.Context) error {
	p := principal(c)
	if p.Person == uuid.Nil {
		return forbidden("nudge preferences are a person's; this token names a service")
	}
	prefs, err := s.loadPrefs(c.Request().Context(), p.Person)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, prefs)
}

// setNudgePrefs answers PUT /v1/me/nudge-preferences: the caller's whole
// preferences, replaced (200 with them). Unknown channels, a half-given
// quiet range, a time that is not HH:MM or an unknown time zone are 422.
func (s *Server) setNudgePrefs(c echo.Context) error {
	p := principal(c)
	if p.Person == uuid.Nil {
		return forbidden("nudge preferences are a person's; this token names a service")
	}
	prefs, _, err := decode[nudges.Prefs](c)
	if err != nil {
		return err
	}
	if bad := prefs.Validate(); len(bad) > 0 {
		return domain.Invalid(bad...)
	}
	if prefs.Channels == nil {
		prefs.Channels = map[string]bool{}
	}
	body, _ := json.Marshal(prefs)
	if err := s.journals.SetNudgePrefs(c.Request().Context(), p.Person.String(), body); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, prefs)
}

func (s *Server) loadPrefs(ctx context.Context, person uuid.UUID) (nudges.Prefs, error) {
	prefs := nudges.Prefs{Channels: map[string]bool{}}
	raw, err := s.journals.NudgePrefs(ctx, person.String())
	if err != nil || raw == nil {
		return prefs, err
	}
	if err := json.Unmarshal(raw, &prefs); err != nil {
		return nudges.Prefs{Channels: map[string]bool{}}, nil
	}
	if prefs.Channels == nil {
		prefs.Channels = map[string]bool{}
	}
	return prefs, nil
}
