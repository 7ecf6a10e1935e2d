package api

import (
	"github.com/coachjournal/coachjournal/api/web"
	"github.com/labstack/echo/v4"
)

// mountWeb serves the web UI (package web) from the same router, with the
// API's token verification and the journals' chain check.
func (s *Server) mountWeb(e *echo.Echo) error {
	return web.Mount(e, web.Deps{
		Views:  s.views,
		Verify: s.journals.Verify,
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
	})
}
