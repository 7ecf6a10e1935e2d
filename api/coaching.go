package api

import (
	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// journalWrite is the shape of most write handlers: the caller must see the
// person, the body decodes into C, check (optional) adds what the command
// needs from the request (a path id), and writeRule (write_rules.go, the
// rule the UI's forms pass too) may refuse it.
func journalWrite[C domain.Command](s *Server, check func(c echo.Context, person uuid.UUID, cmd *C) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		person, err := s.see(c)
		if err != nil {
			return err
		}
		cmd, body, err := decode[C](c)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(c, person.ID, &cmd); err != nil {
				return err
			}
		}
		if err := s.writeRule(principal(c), person.ID, cmd); err != nil {
			return err
		}
		return s.write(c, person.ID, cmd, body)
	}
}

// commitmentID and pipID copy the :cid or :pid path parameter into a command.
func commitmentID[C any](field func(*C) *uuid.UUID) func(echo.Context, uuid.UUID, *C) error {
	return func(c echo.Context, _ uuid.UUID, cmd *C) error { return setID(c, "cid", field(cmd)) }
}

func pipID[C any](field func(*C) *uuid.UUID) func(echo.Context, uuid.UUID, *C) error {
	return func(c echo.Context, _ uuid.UUID, cmd *C) error { return setID(c, "pid", field(cmd)) }
}

func setID(c echo.Context, param string, dst *uuid.UUID) error {
	id, err := pathID(c, param)
	*dst = id
	return err
}

func (s *Server) coachingRoutes(g *echo.Group) {
	g.POST("/people/:id/standards", journalWrite[domain.SetStandard](s, nil))
	g.POST("/people/:id/cadence", journalWrite[domain.SetCadence](s, nil))
	g.POST("/people/:id/metrics", journalWrite[domain.SubmitMetrics](s, nil))
	g.POST("/people/:id/meetings", journalWrite[domain.HoldMeeting](s, nil))
	g.POST("/people/:id/meetings/skipped", journalWrite[domain.SkipMeeting](s, nil))
	g.POST("/people/:id/commitments", journalWrite[domain.MakeCommitment](s, nil))
	g.POST("/people/:id/commitments/:cid/follow-ups", journalWrite(s,
		commitmentID(func(c *domain.FollowUpCommitment) *uuid.UUID { return &c.CommitmentID })))
	g.POST("/people/:id/commitments/:cid/renegotiation", journalWrite(s,
		commitmentID(func(c *domain.RenegotiateCommitment) *uuid.UUID { return &c.CommitmentID })))
	g.POST("/people/:id/commitments/:cid/resolution", journalWrite(s,
		commitmentID(func(c *domain.ResolveCommitment) *uuid.UUID { return &c.CommitmentID })))
	g.POST("/people/:id/pips", journalWrite[domain.OpenPIP](s, nil))
	g.POST("/people/:id/pips/:pid/acknowledgement", journalWrite(s,
		pipID(func(c *domain.AcknowledgePIP) *uuid.UUID { return &c.PIPID })))
	g.POST("/people/:id/pips/:pid/check-ins", journalWrite(s,
		pipID(func(c *domain.CheckInPIP) *uuid.UUID { return &c.PIPID })))
	g.POST("/people/:id/pips/:pid/revision", journalWrite(s,
		pipID(func(c *domain.RevisePIP) *uuid.UUID { return &c.PIPID })))
	g.POST("/people/:id/pips/:pid/extension", journalWrite(s,
		pipID(func(c *domain.ExtendPIP) *uuid.UUID { return &c.PIPID })))
	g.POST("/people/:id/pips/:pid/closure", journalWrite(s,
		pipID(func(c *domain.ClosePIP) *uuid.UUID { return &c.PIPID })))
}
