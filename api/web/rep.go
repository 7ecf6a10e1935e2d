package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/labstack/echo/v4"
)

// timelinePage is how many entries the rep page lists at a time.
const timelinePage = 20

// timelineTypes are the timeline filter's choices: event type prefixes.
var timelineTypes = []struct{ Value, Label string }{
	{"", "Everything"}, {"metrics.", "Numbers"}, {"meeting.", "Meetings"}, {"commitment.", "Commitments"},
	{"pip.", "PIP"}, {"standard.", "Standards"}, {"person.", "Person"},
}

type repData struct {
	Person      projections.Person
	Manager     string
	Period      domain.Period
	Prev, Next  string
	Card        projections.Scorecard
	Funnel      drawing
	Trend       drawing
	Keeping     projections.KeepingCounts
	Commitments []projections.CommitmentLife // open first, then the latest resolved
	PIPs        []projections.PIP
	CanOpenPIP  bool      // the viewer may open a PIP for this person
	Acks        []ackView // the person's own PIPs awaiting their acknowledgement
	Types       []struct{ Value, Label string }
	Type        string
	Timeline    []timelineEntry
	Older       string // query string of the next (older) page
	Newer       bool
}

// newest is the link to the timeline's first page, of the same filter.
func (d repData) newest() string {
	s := "?period=" + d.Period.String()
	if d.Type != "" {
		s += "&type=" + url.QueryEscape(d.Type)
	}
	return s
}

func (d repData) formKeys() []string {
	var out []string
	for _, a := range d.Acks {
		out = append(out, a.Form.Key)
	}
	return out
}

type timelineEntry struct {
	*projections.Step        // in the slice the projections answered, not copied
	Line              string // the summary, with its dates in words
	Who               string
	Details           []string // the notes the summary line leaves out
}

// entry is a step as the timeline shows it. Whoever may open the page may
// read the journal (u.see, the API's rule), so notes are shown in full.
func (u *ui) entry(st *projections.Step) timelineEntry {
	return u.entryWith(st, u.Views.SummaryIn(*st, pageWords))
}

// entryWith is entry for a step whose summary line in the page's words is
// built already.
func (u *ui) entryWith(st *projections.Step, line string) timelineEntry {
	return timelineEntry{Step: st, Line: line, Who: u.actorName(st.Actor), Details: stepDetails(st.Data)}
}

// stepDetails are the free texts of a step that its one-line summary
// leaves out or clips: a meeting's notes and diagnosis note, a check-in's
// or a resolution's note, a PIP's reason.
func stepDetails(d domain.Data) []string {
	var out []string
	add := func(label string, text *string) {
		if text != nil && strings.TrimSpace(*text) != "" {
			out = append(out, label+": "+*text)
		}
	}
	switch d := d.(type) {
	case *domain.MeetingHeld:
		add("Notes", d.Notes)
		if d.Diagnosis != nil {
			add("Diagnosis ("+gapWord(&d.Diagnosis.Primary)+")", d.Diagnosis.Note)
		}
	case *domain.MeetingSkipped:
		add("Reason", &d.Reason)
	case *domain.CommitmentKept:
		add("Note", d.Note)
	case *domain.CommitmentMissed:
		add("Note", d.Note)
	case *domain.CommitmentWithdrawn:
		add("Reason", &d.Reason)
	case *domain.CommitmentRenegotiated:
		add("Reason", &d.Reason)
	case *domain.PIPOpened:
		add("Reason", &d.Reason)
	case *domain.PIPCheckedIn:
		add("Note", &d.Note)
	case *domain.PIPRevised:
		add("Reason", &d.Reason)
	case *domain.PIPExtended:
		add("Reason", &d.Reason)
	case *domain.PIPClosed:
		add("Note", &d.Note)
	case *domain.PIPAcknowledged:
		add("Comment", d.Comment)
	}
	return out
}

// rep renders GET /ui/people/{id}?period=&type=&before=: a month's
// scorecard (default this month), the attainment trend, commitments and
// the coaching timeline, newest first.
func (u *ui) rep(c echo.Context) error {
	p, ok, err := u.see(c, "id")
	if !ok {
		return err
	}
	month, ok := u.month(c, thisMonth(u.Now()))
	if !ok {
		return u.fail(c, httperr.KindMalformed, "period must be a month, YYYY-MM, not in the future.")
	}
	d := repData{Person: p, Period: month, Prev: addMonths(month, -1).String(), Types: timelineTypes}
	if !addMonths(month, 1).Start().After(domain.DateOf(u.Now().UTC())) {
		d.Next = addMonths(month, 1).String()
	}
	if p.ManagerID != nil {
		d.Manager = u.name(p.ManagerID.String())
	}
	deps := depsOf(c)
	var st projections.Stamp
	d.Card, st = u.Views.StampedScorecard(p.ID, month, time.Time{})
	deps.read(st)
	d.Funnel = funnelChart(d.Card.Funnel)
	months := make([]domain.Period, boardMonths)
	for k := range months {
		months[k] = addMonths(month, k-boardMonths+1)
	}
	atts, st := u.Views.StampedAttainments(p.ID, months)
	deps.read(st)
	pts := make([]point, len(months))
	for k, m := range months {
		pts[k] = point{Label: m.Start().Time().Format("Jan"), Value: atts[k]}
	}
	d.Trend = trendLine(pts)
	today := domain.DateOf(u.Now().UTC())
	k, st := u.Views.StampedKeepingBrief(p.ID, today, 6)
	deps.read(st)
	d.Keeping, d.Commitments = k.Totals, k.Commitments
	d.PIPs = u.Views.PIPsOf(p.ID)
	u.pipOffers(c, p, &d)
	if err := u.timeline(c, p, &d); err != nil {
		return u.fail(c, httperr.KindMalformed, err.Error())
	}
	return u.render(c, http.StatusOK, "rep", p.Name, d)
}

// pipOffers fills in the PIP forms the rep page offers: "Open a PIP" to
// whoever may open one, and to the person the acknowledgement of each of
// their PIPs that awaits it.
func (u *ui) pipOffers(c echo.Context, p projections.Person, d *repData) {
	open := u.sampleOpenPIP()
	j := u.journalAt(p.ID, p.Version, open, domain.AcknowledgePIP{}) // what any PIP's acknowledgement reads
	d.CanOpenPIP = u.allowed(c, j, p, open) == nil
	for _, x := range d.PIPs {
		if x.AwaitingAcknowledgement && u.allowed(c, j, p, domain.AcknowledgePIP{PIPID: x.ID}) == nil {
			d.Acks = append(d.Acks, ackView{PIP: x, Form: newForm(p.Version, nil), CSRF: csrfToken(c), Version: len(x.GoalVersions)})
		}
	}
}

// funnelChart draws the three factors, marking the primary gap.
func funnelChart(f projections.Funnel) drawing {
	fs := f.Factors
	bars := []bar{
		{"Opportunities", detail(fs.Opportunities, num), fs.Opportunities.Ratio},
		{"Win rate", detail(fs.WinRate, pct), fs.WinRate.Ratio},
		{"Deal size", detail(fs.DealSize, money), fs.DealSize.Ratio},
	}
	weakest := -1
	if f.PrimaryGap != nil {
		weakest = map[string]int{"activity": 0, "conversion": 1, "deal_size": 2}[*f.PrimaryGap]
		bars[weakest].Detail += " · primary gap"
	}
	return funnelBars(bars, weakest)
}

func detail(f projections.Factor, format func(*float64) string) string {
	return format(f.Actual) + " of " + format(f.Target)
}

// timeline fills the newest-first page of entries before ?before= (a
// stream sequence), of the type prefix ?type=.
func (u *ui) timeline(c echo.Context, p projections.Person, d *repData) error {
	d.Type = c.QueryParam("type")
	if strings.ContainsAny(d.Type, " *>") || len(d.Type) > 64 {
		return fmt.Errorf("type must be an event type or a prefix of one")
	}
	before := uint64(math.MaxUint64)
	if raw := c.QueryParam("before"); raw != "" {
		n, err := strconv.ParseUint(raw, 10, 64)
		if err != nil {
			return fmt.Errorf("before is not a cursor this page gave")
		}
		before, d.Newer = n, true
	}
	steps, older, stamp := u.Views.TimelineNewest(p.ID, d.Type, before, timelinePage, pageWords)
	deps := depsOf(c)
	deps.read(stamp)
	d.Timeline = make([]timelineEntry, 0, len(steps))
	for i := range steps {
		st := &steps[i]
		d.Timeline = append(d.Timeline, u.entryWith(st, st.Summary))
		deps.actor(st.Actor.ID)
	}
	if older && len(d.Timeline) > 0 {
		q := url.Values{"before": {strconv.FormatUint(d.Timeline[len(d.Timeline)-1].Sequence, 10)}, "period": {d.Period.String()}}
		if d.Type != "" {
			q.Set("type", d.Type)
		}
		d.Older = "/ui/people/" + p.ID.String() + "?" + q.Encode()
	}
	return nil
}

// name returns a person's name for an id; a service's name (not an id) as
// it is; an id of no known person reads "someone", never the id.
func (u *ui) name(id string) string {
	pid, err := parseID(id)
	if err != nil {
		return id
	}
	if p, ok := u.Views.Person(pid); ok {
		return p.Name
	}
	return "someone"
}

// actorName is who did something, with their role when it is not member.
func (u *ui) actorName(a domain.Actor) string {
	n := u.name(a.ID)
	if a.Role != domain.RoleMember {
		n += " (" + roleWord(string(a.Role)) + ")"
	}
	return n
}
