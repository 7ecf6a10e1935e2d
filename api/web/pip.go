package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

func parseID(s string) (uuid.UUID, error) { return uuid.Parse(s) }

// firstOf is the first of ss that is not empty, "" when all are.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

type pipData struct {
	Person     projections.Person
	PIP        projections.PIP
	OpenedBy   string
	Versions   []versionView
	Goals      []goalRow
	CheckIns   []projections.CheckIn // in order, for the goal columns
	Schedule   []projections.ExpectedCheckIn
	Summary    projections.CheckInSummary
	Steps      []timelineEntry
	Scorecards []projections.Scorecard
	Chain      chainView
	Reads      pipReads // who read this PIP (read audit)
	Manager    *personLink
	Forms      pipForms
	Saved      string
	PrintedAt  time.Time
	PrintedBy  string
}

// personLink names a person, with a link when the viewer may open their page.
type personLink struct {
	ID   uuid.UUID
	Name string
	Link bool
}

type versionView struct {
	projections.GoalVersion
	By string
}

// goalRow is one goal of the current version and its status at each check-in.
type goalRow struct {
	projections.Goal
	Statuses []string // per check-in, "" when that check-in did not rate it
}

type chainView struct {
	Checked bool
	OK      bool
	Events  int
	Detail  string
}

// pip renders GET /ui/people/{id}/pips/{pid}: the PIP's audit view, with
// the person's hash chain verified on the spot, and the forms the viewer
// may send (pip_actions.go).
func (u *ui) pip(c echo.Context) error {
	p, ok, err := u.see(c, "id")
	if !ok {
		return err
	}
	x, found := u.pipOf(c, p)
	if !found {
		return u.fail(c, domain.KindNotFound, errNotFound)
	}
	return u.showPIP(c, p, x, nil, "", http.StatusOK)
}

// showPIP renders the PIP page, with posted (the form named which) shown
// again as sent; every rendering is a read, stored while the page is
// rendered, and the page is sent only once its read is stored.
func (u *ui) showPIP(c echo.Context, p projections.Person, x projections.PIP, posted *form, which string, status int) error {
	reads, recorded := u.recordRead(c.Request().Context(), viewer(c), x, c.Response().Header().Get(echo.HeaderXRequestID), c.QueryParam("reads") == "all")
	today := domain.DateOf(u.Now().UTC())
	d := pipData{Reads: reads, Person: p, PIP: x, OpenedBy: u.actorName(x.OpenedBy), CheckIns: x.CheckIns, Schedule: x.Schedule(today),
		Forms: u.pipFormsFor(c, p, x, posted, which), PrintedAt: u.Now(), PrintedBy: u.viewerView(viewer(c)).Name}
	if posted == nil {
		d.Saved = savedNote(c)
	}
	if p.ManagerID != nil {
		d.Manager = u.linkTo(c, *p.ManagerID)
	}
	d.Summary = projections.SummarizeCheckIns(d.Schedule)
	for _, v := range x.GoalVersions {
		d.Versions = append(d.Versions, versionView{GoalVersion: v, By: u.actorName(v.Actor)})
	}
	for _, g := range x.Goals {
		row := goalRow{Goal: g, Statuses: make([]string, len(x.CheckIns))}
		for i, ci := range x.CheckIns {
			for _, gs := range ci.Goals {
				if gs.GoalID == g.GoalID {
					row.Statuses[i] = gs.Status
				}
			}
		}
		d.Goals = append(d.Goals, row)
	}
	for _, st := range x.Steps {
		d.Steps = append(d.Steps, u.entry(st))
	}
	for _, m := range x.Months(today) {
		d.Scorecards = append(d.Scorecards, u.Views.Scorecard(p.ID, m, time.Time{}))
	}
	d.Chain = u.chain(c, p.ID, p.Version)
	return u.renderHeld(c, status, "pip", "PIP: "+p.Name, d, func() string {
		if err := recorded(); errors.Is(err, ErrReadsNotListed) {
			u.Logger.Warn("PIP page refused: its reads could not be listed", "err", err)
			return "This PIP cannot be shown right now: the list of who read it is still loading. Try again shortly."
		} else if err != nil {
			u.Logger.Warn("PIP page refused: its read could not be recorded", "err", err)
			return "This PIP cannot be shown right now: its read could not be recorded. Try again shortly."
		}
		return ""
	})
}

// revisionReason is a goal version's reason as the versions list quotes
// it after who made it; "" for the version as opened.
func revisionReason(r *string) string {
	if r == nil {
		return ""
	}
	return ": “" + *r + "”"
}

// linkTo names a person, linked when they are in the viewer's view.
func (u *ui) linkTo(c echo.Context, id uuid.UUID) *personLink {
	v := viewer(c)
	_, vis := u.Views.Visibility(v.Role, v.Person, id)
	return &personLink{ID: id, Name: u.name(id.String()), Link: vis == projections.Visible}
}

// chainCheckTimeout bounds the chain check of a page: with the store away
// the page says the chain could not be verified instead of waiting for
// the request's own deadline (a request to a store being reconnected to
// waits for its answer until then).
const chainCheckTimeout = 2 * time.Second

// chain verifies one journal's hash chain for the badge, through at least
// the shown events: those the page is built from (the person's version).
func (u *ui) chain(c echo.Context, id uuid.UUID, shown uint64) chainView {
	if u.Verify == nil {
		return chainView{}
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), chainCheckTimeout)
	defer cancel()
	r, err := u.Verify(ctx, id, shown)
	if err != nil {
		return chainView{Detail: "The store could not be reached to verify the chain."}
	}
	v := chainView{Checked: true, OK: r.OK(), Events: r.Events}
	if !v.OK {
		v.Detail = r.Broken[0].Reason
	}
	return v
}

type pipListData struct {
	State string
	Items []pipItem
}

type pipItem struct {
	projections.PIP
	Name     string
	Manager  *personLink
	Summary  projections.CheckInSummary
	DaysLeft int
	NextDue  *domain.Date
	Overdue  *domain.Date // the first of the check-ins missed since the last one done
}

// pipList renders GET /ui/pips?state=: HR's list of PIPs.
func (u *ui) pipList(c echo.Context) error {
	if r := viewer(c).Role; r != domain.RoleHR && r != domain.RoleAdmin {
		return u.fail(c, domain.KindForbidden, "The PIP list is for HR.")
	}
	state := c.QueryParam("state")
	if state != "" && state != "active" && state != "closed" {
		return u.fail(c, httperr.KindMalformed, "state must be active or closed.")
	}
	d := pipListData{State: state}
	today := domain.DateOf(u.Now().UTC())
	for _, x := range u.Views.PIPs(state) {
		sched := x.Schedule(today)
		it := pipItem{PIP: x, Name: u.name(x.PersonID.String()), Summary: projections.SummarizeCheckIns(sched),
			DaysLeft: today.DaysUntil(x.EndsOn), NextDue: x.NextDue(today)}
		if x.State == projections.PIPActive {
			it.Overdue = projections.OverdueSince(sched)
		}
		if p, ok := u.Views.Person(x.PersonID); ok && p.ManagerID != nil {
			it.Manager = u.linkTo(c, *p.ManagerID)
		}
		d.Items = append(d.Items, it)
	}
	return u.render(c, http.StatusOK, "pips", "PIPs", d)
}
