package api

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// minSequence makes a read wait (bounded) until this replica's projections
// have applied X-Min-Sequence; past the bound it answers 503 Retry-After.
// Every read says the stream sequence its projections had applied
// (X-Projections-Sequence) and how many sequences they trail the stream's
// last one as this replica last saw it (X-Projections-Lag, see knownLag).
// While the store is unreachable, reads answer
// from the last known projections with X-Projections-Stale: true.
func (s *Server) minSequence(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.journals.Connected() {
			c.Response().Header().Set("X-Projections-Stale", "true")
		}
		if c.Request().Method != http.MethodGet {
			return next(c)
		}
		if raw := c.Request().Header.Get("X-Min-Sequence"); raw != "" {
			seq, err := strconv.ParseUint(raw, 10, 64)
			if err != nil {
				return domain.Invalid(domain.FieldError{Field: "X-Min-Sequence", Message: "must be a stream sequence"})
			}
			ctx, cancel := context.WithTimeout(c.Request().Context(), s.readWait)
			defer cancel()
			if err := s.views.WaitFor(ctx, seq); err != nil {
				return domain.Errorf(domain.KindUnavailable, "projections have not reached sequence %d yet", seq)
			}
		}
		// The sequence the answer reflects (at least): a client comparing it
		// with a write's X-Journal-Sequence sees a replica that trails.
		c.Response().Header().Set("X-Projections-Sequence", strconv.FormatUint(s.views.Sequence(), 10))
		c.Response().Header().Set("X-Projections-Lag", strconv.FormatUint(s.knownLag(), 10))
		return next(c)
	}
}

// streamHead is the stream's last sequence as this replica last learned
// it, and when it last asked.
type streamHead struct {
	seq   atomic.Uint64
	asked atomic.Int64 // unix nanos
}

// headEvery is how often reads ask the store for the stream's last
// sequence: a read never waits for the answer, and a busy replica asks
// once a second rather than once a read.
const headEvery = time.Second

// set raises the known last sequence to seq.
func (h *streamHead) set(seq uint64) {
	for cur := h.seq.Load(); seq > cur && !h.seq.CompareAndSwap(cur, seq); cur = h.seq.Load() {
	}
}

// knownLag is how many sequences the projections trail the last known
// head of the stream, asking the store for a newer head in the background
// when the known one is older than headEvery. A replica whose follower has
// stalled still learns the head (the store answers even when the
// follower's consumer is gone); one cut off from the store reports the
// lag it last knew, and X-Projections-Stale.
func (s *Server) knownLag() uint64 {
	now := time.Now().UnixNano()
	if asked := s.head.asked.Load(); now-asked > int64(headEvery) && s.head.asked.CompareAndSwap(asked, now) {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if seq, err := s.journals.LastSequence(ctx); err == nil {
				s.head.set(seq)
			}
		}()
	}
	if head, applied := s.head.seq.Load(), s.views.Sequence(); head > applied {
		return head - applied
	}
	return 0
}

func (s *Server) today() domain.Date { return domain.DateOf(s.now().UTC()) }

// commitmentView is a commitment as listed: with overdue from today's date.
type commitmentView struct {
	projections.Commitment
	Overdue bool `json:"overdue"`
}

func (s *Server) listCommitments(c echo.Context) error {
	person, err := s.see(c)
	if err != nil {
		return err
	}
	status := c.QueryParam("status")
	switch status {
	case "", "open", "kept", "missed", "withdrawn", "overdue":
	default:
		return domain.Invalid(domain.FieldError{Field: "status", Message: "must be one of open, kept, missed, withdrawn, overdue"})
	}
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	today := s.today()
	var views []commitmentView
	for _, cm := range s.views.Commitments(person.ID) {
		v := commitmentView{Commitment: cm, Overdue: cm.Overdue(today)}
		if status == "" || status == cm.Status || (status == "overdue" && v.Overdue) {
			views = append(views, v)
		}
	}
	items, next := paginate(views, func(v commitmentView) uint64 { return v.Sequence }, after, limit)
	c.Response().Header().Set("ETag", etag(person.Version))
	return c.JSON(http.StatusOK, page(items, next))
}

// getCommitment answers GET /v1/people/{id}/commitments/{cid}: one
// commitment and its whole history, under the person's access rule (404
// outside the caller's view, or when the commitment is not this person's);
// the ETag is the journal's version, as for every person resource.
func (s *Server) getCommitment(c echo.Context) error {
	person, err := s.see(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	cm, ok := s.views.Commitment(person.ID, id)
	if !ok {
		return httperr.New(domain.KindNotFound, "no such commitment")
	}
	c.Response().Header().Set("ETag", etag(person.Version))
	return c.JSON(http.StatusOK, commitmentView{Commitment: cm, Overdue: cm.Overdue(s.today())})
}

// getMeeting answers GET /v1/people/{id}/meetings/{mid}: one held meeting
// and the commitments made in it, under the same rules as getCommitment.
func (s *Server) getMeeting(c echo.Context) error {
	person, err := s.see(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "mid")
	if err != nil {
		return err
	}
	m, ok := s.views.Meeting(person.ID, id)
	if !ok {
		return httperr.New(domain.KindNotFound, "no such meeting")
	}
	c.Response().Header().Set("ETag", etag(person.Version))
	return c.JSON(http.StatusOK, m)
}

// pipView is the audit view of one PIP.
type pipView struct {
	projections.PIP
	CheckInSchedule []projections.ExpectedCheckIn `json:"check_in_schedule"`
	CheckInSummary  projections.CheckInSummary    `json:"check_in_summary"`
	Scorecards      []projections.Scorecard       `json:"scorecards"` // one per month the PIP spans so far
}

func (s *Server) getPIP(c echo.Context) error {
	person, err := s.see(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	pip, ok := s.views.PIP(id)
	if !ok || pip.PersonID != person.ID {
		return httperr.New(domain.KindNotFound, "no such PIP")
	}
	c.Response().Header().Set("ETag", etag(person.Version))
	return s.auditedPIP(c, pip) // records the read first (read_audit.go)
}

func (s *Server) listPIPs(c echo.Context) error {
	if r := principal(c).Role; r != domain.RoleHR && r != domain.RoleAdmin {
		return forbidden("the PIP list is for HR")
	}
	state := c.QueryParam("state")
	if state != "" && state != "active" && state != "closed" {
		return domain.Invalid(domain.FieldError{Field: "state", Message: "must be active or closed"})
	}
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	items, next := paginate(s.views.PIPs(state), func(p projections.PIP) uint64 { return p.Sequence }, after, limit)
	return c.JSON(http.StatusOK, page(items, next))
}

func (s *Server) timeline(c echo.Context) error {
	person, err := s.see(c)
	if err != nil {
		return err
	}
	after, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	q := projections.TimelineQuery{TypePrefix: c.QueryParam("type"), After: after, Limit: limit}
	var p domain.Problems
	q.From = timeParam(&p, c, "from")
	q.To = timeParam(&p, c, "to")
	rangeOrder(&p, q.From, q.To)
	if q.TypePrefix != "" && !timelineType.MatchString(q.TypePrefix) {
		p.Add("type", "must be an event type or a prefix of one")
	}
	if err := p.Err(); err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(person.Version))
	key := readKey("timeline", string(person.ID[:]), q.TypePrefix, instantKey(q.From), instantKey(q.To),
		strconv.FormatUint(q.After, 10), strconv.Itoa(q.Limit))
	return s.serveRead(c, key, nil, func() (any, projections.Stamp) {
		items, next, stamp := s.views.StampedTimeline(person.ID, q)
		return page(items, next), stamp
	})
}

// timelineType is a timeline's type filter: an event type or a prefix of
// one, in the types' own spelling (lower case, dots, underscores).
var timelineType = regexp.MustCompile(`^[a-z][a-z_]*(\.[a-z_]*)*$`)

// timeParam reads an RFC 3339 time or a date (midnight UTC) query
// parameter, in the years 1970–2100.
func timeParam(p *domain.Problems, c echo.Context, name string) time.Time {
	raw := c.QueryParam(name)
	if raw == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		d, derr := domain.ParseDate(raw)
		if derr != nil {
			p.Add(name, "must be an RFC 3339 time or a date")
			return time.Time{}
		}
		t = d.Time()
	}
	if !domain.InYears(t) {
		p.Add(name, "%s", yearsMessage)
		return time.Time{}
	}
	return t
}

func (s *Server) verify(c echo.Context) error {
	p := principal(c)
	var target *uuid.UUID
	if raw := c.QueryParam("person_id"); raw != "" {
		id, err := uuid.Parse(raw)
		if err != nil {
			return domain.Invalid(domain.FieldError{Field: "person_id", Message: "is not a UUID"})
		}
		if p.Role == domain.RoleMember && !s.views.InView(p.Person, id) {
			return errNotFound
		}
		target = &id
	}
	switch {
	case p.Role == domain.RoleAnalyst:
		return forbidden("analysts cannot verify journals")
	case p.Role == domain.RoleMember && target == nil:
		return domain.Invalid(domain.FieldError{Field: "person_id", Message: "is required for members"})
	}
	report, err := s.journals.Verify(c.Request().Context(), target)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, report)
}
