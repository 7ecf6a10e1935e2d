package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/a-h/templ"
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
	Live       []string // a kept page's placeholders for pipLive's parts; nil on a page rendered whole
	Manager    *personLink
	Offers     pipOffers
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

// formKeys are the idempotency keys of the page's forms, for the page
// cache: the acknowledgement's, the one form the page may carry.
func (d pipData) formKeys() []string {
	if d.Offers.Ack == nil {
		return nil
	}
	return []string{d.Offers.Ack.Key}
}

type chainView struct {
	Checked bool
	OK      bool
	Events  int
	Detail  string
}

// pip renders GET /ui/people/{id}/pips/{pid}: the PIP's audit view, with
// the person's hash chain verified on the spot, links to the steps the
// viewer may record and the person's acknowledgement (pip_actions.go). A
// signed-in browser's page is kept in the page cache (keptPIP).
func (u *ui) pip(c echo.Context) error {
	if token := csrfToken(c); u.keeps(c, token) {
		return u.keptPIP(c, token)
	}
	p, ok, err := u.see(c, "id")
	if !ok {
		return err
	}
	x, found := u.pipOf(c, p)
	if !found {
		return u.fail(c, domain.KindNotFound, errNotFound)
	}
	return u.showPIP(c, p, x, nil, http.StatusOK)
}

// keptPIP serves the PIP page from the page cache, or renders it and
// keeps it, as cacheable does for the other pages, but with the parts
// that differ from view to view left as live parts, written afresh on
// every view (pipLive): the list of reads, which this view's read joins,
// the chain badge and the printed line. Every view, kept or not, records
// its read while the page is prepared and is sent only once the read is
// stored.
func (u *ui) keptPIP(c echo.Context, token string) error {
	k := u.pageKey(c)
	e := u.kept(k)
	var r *pageRender
	if e == nil {
		r = u.startKeeping(c)
		defer r.release()
	}
	finish := func(err error) error { // a refusal rendered while keeping
		if r == nil {
			return err
		}
		return u.finishKeeping(c, r, k, token, err, nil)
	}
	p, ok, err := u.see(c, "id")
	if !ok {
		return finish(err)
	}
	pipID, found := u.pipIDOf(c, p) // a kept page needs no more of the PIP
	if !found {
		return finish(u.fail(c, domain.KindNotFound, errNotFound))
	}
	var x projections.PIP
	if r != nil {
		if x, found = u.Views.PIP(pipID); !found {
			return finish(u.fail(c, domain.KindNotFound, errNotFound))
		}
	}
	live := u.pipLive(c, p, pipID)
	if r != nil {
		r.d.live = []string{newKey(), newKey(), newKey()} // pipLive.fill's parts
		d := u.pipPage(c, p, x, nil)
		d.Live = r.d.live
		if err := u.renderHeld(c, http.StatusOK, "pip", "PIP: "+p.Name, d, nil); err != nil {
			return finish(err)
		}
	}
	if refusal := live.refusal(u.Logger); refusal != "" {
		if r != nil {
			c.Set(depsKey, nil)
			c.Set(captureKey, nil)
		}
		return u.fail(c, domain.KindUnavailable, refusal)
	}
	if r == nil {
		memo := &e.reads
		if live.reads.All { // as many rows as the read audit keeps: not kept
			memo = nil
		}
		return u.writeCached(c, e, token, live.fill(c.Request().Context(), u.Logger, memo))
	}
	return u.finishKeeping(c, r, k, token, nil, live.fill(c.Request().Context(), u.Logger, nil))
}

// pipLive is what a view of a PIP page shows of its own: the reads (this
// one first, being recorded), the chain badge, the time it was printed.
type pipLive struct {
	reads    pipReads
	hr       bool // the viewer sees each read's request id
	chain    chainView
	printed  time.Time
	recorded func() error
}

// pipLive starts recording the view's read and checks the chain.
func (u *ui) pipLive(c echo.Context, p projections.Person, pipID uuid.UUID) pipLive {
	v := viewer(c)
	reads, recorded := u.recordRead(c.Request().Context(), v, p.ID, pipID, c.Response().Header().Get(echo.HeaderXRequestID), c.QueryParam("reads") == "all")
	return pipLive{reads: reads, hr: v.Role == domain.RoleHR || v.Role == domain.RoleAdmin,
		chain: u.chain(c, p.ID, p.Version), printed: u.Now(), recorded: recorded}
}

// refusal waits until the read is stored and says why the page may not
// be sent, "" when it may.
func (l pipLive) refusal(log *slog.Logger) string {
	if err := l.recorded(); errors.Is(err, ErrReadsNotListed) {
		log.Warn("PIP page refused: its reads could not be listed", "err", err)
		return "This PIP cannot be shown right now: the list of who read it is still loading. Try again shortly."
	} else if err != nil {
		log.Warn("PIP page refused: its read could not be recorded", "err", err)
		return "This PIP cannot be shown right now: its read could not be recorded. Try again shortly."
	}
	return ""
}

// fill writes the live parts of a kept PIP page: 0 the chain badge, 1 the
// printed time, 2 the reads, their rows copied from memo where it has
// them (nil: all rendered).
func (l pipLive) fill(ctx context.Context, log *slog.Logger, memo *readRowMemo) func(buf *bytes.Buffer, part int) {
	return func(buf *bytes.Buffer, part int) {
		var err error
		switch part {
		case 0:
			err = chainBadge(l.chain).Render(ctx, buf)
		case 1:
			buf.WriteString(templ.EscapeString(stamp(l.printed)))
		case 2:
			if l.reads.Visible {
				err = pipReadsView(l.hr, l.reads, memo.component(l.hr, l.reads.Rows)).Render(ctx, buf)
			}
		}
		if err != nil {
			log.Error("render a live part of the PIP page", "part", part, "err", err)
		}
	}
}

// showPIP renders the PIP page whole, with ack (the acknowledgement form,
// when not nil) shown again as sent; every rendering is a read, stored
// while the page is rendered, and the page is sent only once its read is
// stored.
func (u *ui) showPIP(c echo.Context, p projections.Person, x projections.PIP, ack *form, status int) error {
	live := u.pipLive(c, p, x.ID)
	d := u.pipPage(c, p, x, ack)
	d.Reads, d.Chain, d.PrintedAt = live.reads, live.chain, live.printed
	return u.renderHeld(c, status, "pip", "PIP: "+p.Name, d, func() string { return live.refusal(u.Logger) })
}

// pipPage is the PIP page's data but for its live parts (pipLive). What
// it reads beyond the person's journal and their managers' (u.see) is
// noted for the page cache: the actors it names and the scorecards.
func (u *ui) pipPage(c echo.Context, p projections.Person, x projections.PIP, ack *form) pipData {
	today := domain.DateOf(u.Now().UTC())
	deps := depsOf(c)
	d := pipData{Person: p, PIP: x, OpenedBy: u.actorName(x.OpenedBy), CheckIns: x.CheckIns, Schedule: x.Schedule(today),
		Offers: u.pipOffersFor(c, p, x, ack), PrintedBy: u.viewerView(viewer(c)).Name}
	deps.actor(x.OpenedBy.ID)
	if ack == nil {
		d.Saved = savedNote(c)
	}
	if p.ManagerID != nil {
		d.Manager = u.linkTo(c, *p.ManagerID)
	}
	d.Summary = projections.SummarizeCheckIns(d.Schedule)
	for _, v := range x.GoalVersions {
		d.Versions = append(d.Versions, versionView{GoalVersion: v, By: u.actorName(v.Actor)})
		deps.actor(v.Actor.ID)
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
	for i := range x.Steps {
		st := &x.Steps[i]
		d.Steps = append(d.Steps, u.entry(st))
		deps.actor(st.Actor.ID)
	}
	for _, m := range x.Months(today) {
		sc, st := u.Views.StampedScorecard(p.ID, m, time.Time{})
		d.Scorecards = append(d.Scorecards, sc)
		deps.read(st)
	}
	return d
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
