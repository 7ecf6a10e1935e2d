package web

import (
	"net/http"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// leaderMonths is how many months the owner's view shows for each team.
const leaderMonths = 3

// leadersCadenceDays is the range of the cadence figures on the owner's
// view: the last 90 days, as GET /v1/managers/{id}/cadence by default.
const leadersCadenceDays = 90

type leadersData struct {
	Owner   projections.Person
	Months  []domain.Period
	Leaders []leaderTeam
	From    domain.Date
	To      domain.Date
}

// leaderTeam is one leader's team rolled up.
type leaderTeam struct {
	Leader  projections.Person
	Reps    int
	Months  []leaderMonth
	Cadence projections.CadenceSummary // the leader's 1-on-1s with their reps
	Every   int
	You     *projections.CadenceRow // the owner's own 1-on-1s with this leader
}

type leaderMonth struct {
	Period       domain.Period
	Attainment   *float64
	RepsWithData int
	RepsBelow90  int
	Market       bool
	SoFar        bool // the current month, not over yet
}

// leaders renders GET /ui/leaders/{id}: the owner's view. For each direct
// report of {id} who leads a team: the team's revenue attainment, the reps
// below 90% and the market signal for the last three complete months and
// the current one so far (once it has numbers), the leader's 1-on-1 cadence over the last 90 days, and the
// owner's own 1-on-1s with the leader; each links to the leader's board
// and cadence.
func (u *ui) leaders(c echo.Context) error {
	owner, ok, err := u.see(c, "id")
	if !ok {
		return err
	}
	to := domain.DateOf(u.Now().UTC())
	from := to.AddDays(1 - leadersCadenceDays)
	cad := u.Views.Cadence(owner.ID, from, to)
	d := leadersData{Owner: owner, From: from, To: to}
	end := lastMonth(u.Now())
	for k := leaderMonths - 1; k >= 0; k-- {
		d.Months = append(d.Months, addMonths(end, -k))
	}
	current := thisMonth(u.Now())
	below := map[uuid.UUID]projections.LeaderCadence{}
	for _, l := range cad.Leaders {
		below[l.ManagerID] = l
	}
	for i, row := range cad.Rows {
		l, leads := below[row.PersonID]
		if !leads {
			continue
		}
		leader, _ := u.Views.Person(row.PersonID)
		t := leaderTeam{Leader: leader, Reps: l.Summary.Reports, Cadence: l.Summary, Every: l.EveryDays, You: &cad.Rows[i]}
		for _, m := range append(d.Months, current) {
			b := u.Views.Board(leader.ID, m, time.Time{})
			if m == current && b.Totals.RepsWithData == 0 {
				continue // a month just begun: nothing to show yet
			}
			t.Months = append(t.Months, leaderMonth{Period: m, Attainment: b.Totals.Attainment, RepsWithData: b.Totals.RepsWithData,
				RepsBelow90: b.Totals.RepsBelow90, Market: b.MarketSignal, SoFar: m == current})
		}
		d.Leaders = append(d.Leaders, t)
	}
	return u.render(c, http.StatusOK, "leaders", owner.Name+"'s leaders", d)
}

// leadsLeaders reports whether id manages someone who has reports: an
// owner, who lands on the leaders' view.
func (u *ui) leadsLeaders(id uuid.UUID) bool {
	for _, p := range u.Views.People(&id) {
		if len(u.Views.People(&p.ID)) > 0 {
			return true
		}
	}
	return false
}
