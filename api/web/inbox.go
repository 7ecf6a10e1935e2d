package web

import (
	"context"
	"net/http"

	"github.com/a-h/templ"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/nudges"
	"github.com/labstack/echo/v4"
)

// NudgeReads are the inbox's read marks, kept by the store: which nudges a
// reader (a token subject) marked read, and marking one.
type NudgeReads struct {
	Read func(ctx context.Context, reader string) (map[string]bool, error)
	Mark func(ctx context.Context, reader, nid string) error
}

func init() {
	views["inbox"] = func(p page) templ.Component { return inboxView(p, p.Data.(inboxData)) }
}

type inboxData struct {
	Items  []inboxItem
	Unread int
}

type inboxItem struct {
	nudges.Nudge
	Read bool
}

// inbox renders GET /ui/inbox: the viewer's nudges today, the unread first.
func (u *ui) inbox(c echo.Context) error {
	v := viewer(c)
	read := map[string]bool{}
	if u.Nudges.Read != nil {
		var err error
		if read, err = u.Nudges.Read(c.Request().Context(), v.Sub); err != nil {
			u.Logger.Warn("inbox: read marks unavailable", "err", err)
			read = map[string]bool{}
		}
	}
	var d inboxData
	var done []inboxItem
	for _, n := range u.nudgesOf(v) {
		if read[n.ID] {
			done = append(done, inboxItem{n, true})
			continue
		}
		d.Items = append(d.Items, inboxItem{n, false})
		d.Unread++
	}
	d.Items = append(d.Items, done...)
	return u.render(c, http.StatusOK, "inbox", "Inbox", d)
}

// readNudge handles POST /ui/inbox/:nid/read, then shows the inbox again.
// Marking a nudge twice changes nothing; one that is not the viewer's
// today is 404.
func (u *ui) readNudge(c echo.Context) error {
	v := viewer(c)
	nid := c.Param("nid")
	for _, n := range u.nudgesOf(v) {
		if n.ID != nid {
			continue
		}
		if u.Nudges.Mark == nil {
			return u.fail(c, domain.KindUnavailable, "Read marks cannot be kept right now.")
		}
		if err := u.Nudges.Mark(c.Request().Context(), v.Sub, nid); err != nil {
			return u.fail(c, domain.KindUnavailable, "Read marks cannot be kept right now. Try again in a moment.")
		}
		return c.Redirect(http.StatusSeeOther, "/ui/inbox")
	}
	return u.fail(c, domain.KindNotFound, "That reminder is no longer in your inbox.")
}

func (u *ui) nudgesOf(v Viewer) []nudges.Nudge {
	return nudges.For(u.Views, nudges.Recipient{Person: v.Person, Role: v.Role}, domain.DateOf(u.Now().UTC()))
}
