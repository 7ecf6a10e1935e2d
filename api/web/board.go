package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// boardMonths is how many months the heat-map shows.
const boardMonths = 6

type boardData struct {
	Manager projections.Person
	Period  domain.Period // the last month shown
	Prev    string
	Next    string
	Months  []boardMonth
	Rows    []boardRow
	Totals  []boardCell // per month
	Markets []string    // banner lines, one per month with the market signal
	Current projections.BoardBrief
}

type boardMonth struct {
	Period domain.Period
	Market bool
}

type boardRow struct {
	ID    uuid.UUID
	Name  string
	Page  string // the rep's page for the last month shown
	Cells []boardCell
}

type boardCell struct {
	Period     domain.Period
	Month      string // Period as text, for links and data attributes
	Attainment *float64
	Gap        *string
	Market     bool
	Detail     string
}

// board renders GET /ui/teams/{id}?period=YYYY-MM: the manager's direct
// reports × the six months ending period (default: last month, the last
// complete one), revenue attainment with the primary gap in words.
func (u *ui) board(c echo.Context) error {
	mgr, ok, err := u.see(c, "id")
	if !ok {
		return err
	}
	end, ok := u.month(c, lastMonth(u.Now()))
	if !ok {
		return u.fail(c, httperr.KindMalformed, "period must be a month, YYYY-MM.")
	}
	d := boardData{Manager: mgr, Period: end, Prev: addMonths(end, -1).String()}
	if addMonths(end, 1).Start().Before(domain.DateOf(u.Now().UTC()).AddDays(1)) {
		d.Next = addMonths(end, 1).String()
	}
	months := make([]domain.Period, boardMonths)
	keys := make([]string, boardMonths)
	for k := range months {
		months[k] = addMonths(end, k-boardMonths+1)
		keys[k] = months[k].String()
	}
	boards, st := u.Views.StampedBoardBriefs(mgr.ID, months)
	depsOf(c).read(st)
	index := map[uuid.UUID]int{}
	for k, b := range boards {
		m := months[k]
		d.Months = append(d.Months, boardMonth{Period: m, Market: b.MarketSignal})
		if b.MarketSignal {
			d.Markets = append(d.Markets, fmt.Sprintf("%s: %d of %d reps with data were below 90%% of goal. The market may have shifted: agree a 90-day plan with leadership, then tell the team (communication).",
				monthName(m), b.Totals.RepsBelow90, b.Totals.RepsWithData))
		}
		d.Totals = append(d.Totals, boardCell{Period: m, Attainment: b.Totals.Attainment,
			Detail: fmt.Sprintf("%d of %d below 90%%", b.Totals.RepsBelow90, b.Totals.RepsWithData)})
		for _, r := range b.Rows {
			i, seen := index[r.PersonID]
			if !seen {
				i = len(d.Rows)
				index[r.PersonID] = i
				d.Rows = append(d.Rows, boardRow{ID: r.PersonID, Name: r.Name, Page: "/ui/people/" + r.PersonID.String(), Cells: make([]boardCell, boardMonths)})
				for j := range d.Rows[i].Cells {
					d.Rows[i].Cells[j].Period, d.Rows[i].Cells[j].Month = months[j], keys[j]
				}
			}
			d.Rows[i].Cells[k] = boardCell{Period: m, Month: keys[k], Attainment: r.Attainment, Gap: r.PrimaryGap, Market: b.MarketSignal}
		}
	}
	d.Current = boards[len(boards)-1]
	return u.render(c, http.StatusOK, "board", mgr.Name+"'s team", d)
}

// month reads ?period=YYYY-MM, def without one.
func (u *ui) month(c echo.Context, def domain.Period) (domain.Period, bool) {
	raw := c.QueryParam("period")
	if raw == "" {
		return def, true
	}
	p, err := domain.ParsePeriod(raw)
	if err != nil || p.IsWeek() || p.Start().After(domain.DateOf(u.Now().UTC())) {
		return p, false
	}
	return p, true
}

func lastMonth(now time.Time) domain.Period {
	d := domain.DateOf(now.UTC())
	return domain.MonthPeriod(d.AddDays(-d.Time().Day()))
}

func thisMonth(now time.Time) domain.Period { return domain.MonthPeriod(domain.DateOf(now.UTC())) }

func addMonths(p domain.Period, n int) domain.Period {
	t := p.Start().Time()
	return domain.MonthPeriod(domain.DateOf(time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)))
}
