package web

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// defaultRows is how many empty new-commitment rows the workspace shows;
// "Add another row" re-renders the form with one more (no JavaScript).
const defaultRows, maxRows = 3, 20

// heldAtLayout is the meeting time field's format (an HTML
// datetime-local), read as UTC: the UI states times in UTC.
const heldAtLayout = "2006-01-02T15:04"

type choice struct{ Value, Label, Hint string }

var meetingKinds = []choice{
	{"performance", "Performance 1-on-1", "the rep's numbers against the standard"},
	{"pipeline", "Pipeline review", "deal by deal"},
	{"coaching", "Coaching session", "a skill, practised"},
	{"ride_along", "Ride-along", "joining the rep's calls"},
}

// diagnoses are the domain's primary gaps with what each calls for (SPEC §1).
var diagnoses = []choice{
	{"activity", "Activity", "not enough activity or pipeline (will): focus, structure the day and check in daily"},
	{"conversion", "Conversion", "activity is there, deals do not convert (skill): coaching, listen to calls, role-play the stuck stage"},
	{"deal_size", "Deal size", "deals close but are small: targeting bigger deals"},
	{"market", "Market", "the whole team misses at once: communication, a 90-day plan agreed with leadership, then told to the team"},
	{"other", "Something else", "say what in the note"},
	{"", "No diagnosis", "numbers are on track, or not discussed"},
}

var outcomes = []choice{
	{"", "No change", ""},
	{"followup", "Follow up", "a note and the progress so far"},
	{"kept", "Kept", ""},
	{"missed", "Missed", ""},
	{"withdrawn", "Withdrawn", "say why"},
	{"renegotiate", "New due date", "the new date and why"},
}

type oneOnOneData struct {
	Person      projections.Person
	Manager     string
	Period      domain.Period
	Card        projections.Scorecard
	Funnel      drawing
	Suggested   string
	SuggestNote string
	Open        []openCommitment
	Last        *lastMeeting
	Skipped     *domain.MeetingSkipped
	Form        *form
	Skip        *form
	Rows        []int
	Metrics     []choice
	Kinds       []choice
	Diagnoses   []choice
	Outcomes    []choice
	Saved       string
	Today       string
}

type openCommitment struct {
	projections.Commitment
	Overdue   bool
	FollowUps []followUp
}

type followUp struct {
	At       time.Time
	Note     string
	Progress *float64
	Who      string
}

type lastMeeting struct {
	domain.MeetingHeld
	By string
}

func (d oneOnOneData) formKeys() []string { return []string{d.Form.Key, d.Skip.Key} }

// oneOnOne renders GET /ui/people/{id}/one-on-one: the 1-on-1 workspace.
func (u *ui) oneOnOne(c echo.Context) error {
	p, ok, err := u.see(c, "id")
	if !ok {
		return err
	}
	vals := url.Values{"kind": {"performance"}, "held_at": {u.nowMinute(c)}, "duration": {"30"},
		"rows": {strconv.Itoa(defaultRows)}}
	d := u.workspace(c, p, newForm(p.Version, vals))
	d.Form.Values.Set("diagnosis", d.Suggested)
	d.Saved = savedNote(c)
	return u.render(c, http.StatusOK, "oneonone", "1-on-1 with "+p.Name, d)
}

// workspace prepares the page around f from the journal.
func (u *ui) workspace(c echo.Context, p projections.Person, f *form) oneOnOneData {
	now := u.Now().UTC()
	today := domain.DateOf(now)
	d := oneOnOneData{Person: p, Form: f, Kinds: meetingKinds, Diagnoses: diagnoses, Outcomes: outcomes, Today: today.String()}
	if p.ManagerID != nil {
		d.Manager = u.name(p.ManagerID.String())
	}
	deps := depsOf(c)
	var st projections.Stamp
	d.Period = thisMonth(now)
	d.Card, st = u.Views.StampedScorecard(p.ID, d.Period, time.Time{})
	deps.read(st)
	if d.Card.Funnel.Attainment == nil {
		d.Period = lastMonth(now)
		d.Card, st = u.Views.StampedScorecard(p.ID, d.Period, time.Time{})
		deps.read(st)
	}
	d.Funnel = funnelChart(d.Card.Funnel)
	if g := d.Card.Funnel.PrimaryGap; g != nil {
		d.Suggested = *g
	}
	if d.Card.Funnel.MarketShiftSuspected {
		d.Suggested = "market"
	}
	for _, dg := range diagnoses {
		if dg.Value == d.Suggested && dg.Value != "" {
			d.SuggestNote = dg.Label + ": " + dg.Hint
		}
	}
	for _, cm := range u.Views.OpenCommitments(p.ID) {
		if cm.Status != "open" {
			continue
		}
		oc := openCommitment{Commitment: cm, Overdue: cm.Overdue(today)}
		for _, st := range cm.History {
			if fu, ok := st.Data.(*domain.CommitmentFollowedUp); ok {
				oc.FollowUps = append(oc.FollowUps, followUp{At: st.OccurredAt, Note: fu.Note, Progress: fu.Progress, Who: u.actorName(st.Actor)})
				deps.actor(st.Actor.ID)
			}
		}
		d.Open = append(d.Open, oc)
	}
	slices.SortStableFunc(d.Open, func(a, b openCommitment) int { return a.DueOn.Time().Compare(b.DueOn.Time()) })
	d.Last, d.Skipped = u.lastMeeting(deps, p.ID)
	d.Metrics = u.standardMetrics(p.ID, today)
	n, _ := strconv.Atoi(f.Get("rows"))
	n = min(max(n, defaultRows), maxRows)
	f.Values.Set("rows", strconv.Itoa(n))
	for i := 1; i <= n; i++ {
		d.Rows = append(d.Rows, i)
	}
	f.label = oneOnOneLabel
	d.Skip = newForm(p.Version, url.Values{"scheduled_for": {today.String()}})
	return d
}

// lastMeeting is the latest meeting held, and the latest skip recorded
// after it, read newest first: only the entries up to that meeting.
func (u *ui) lastMeeting(deps *pageDeps, id uuid.UUID) (*lastMeeting, *domain.MeetingSkipped) {
	var skipped *domain.MeetingSkipped
	for before := uint64(math.MaxUint64); ; {
		page, more, st := u.Views.TimelineNewest(id, "meeting.", before, 2, pageWords) // mostly the newest is the one
		deps.read(st)
		for _, st := range page {
			switch m := st.Data.(type) {
			case *domain.MeetingHeld:
				deps.actor(st.Actor.ID)
				return &lastMeeting{MeetingHeld: *m, By: u.actorName(st.Actor)}, skipped
			case *domain.MeetingSkipped:
				if skipped == nil {
					skipped = m
				}
			}
		}
		if !more || len(page) == 0 {
			return nil, skipped
		}
		before = page[len(page)-1].Sequence
	}
}

// standardMetrics lists the metrics of the standard in force on day, or
// the built-in ones without a standard.
func (u *ui) standardMetrics(id uuid.UUID, day domain.Date) []choice {
	var out []choice
	if std, ok := u.Views.Standard(id, day, time.Time{}); ok {
		for _, t := range std.Targets {
			out = append(out, choice{Value: t.Metric, Label: standardLabel(t.Metric, t.Unit),
				Hint: metricValue(projections.MetricRow{Metric: t.Metric, Unit: t.Unit}, &t.Target)})
		}
		return out
	}
	for _, m := range []string{"activities", "new_opportunities", "deals_won", "deals_lost", "revenue"} {
		out = append(out, choice{Value: m, Label: standardLabel(m, nil)})
	}
	return out
}

// standardLabel names a metric as people say it: new_opportunities →
// "New opportunities", with its unit when the standard gives one.
func standardLabel(key string, unit *string) string {
	s := strings.ReplaceAll(key, "_", " ")
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	if key == "revenue" && unit == nil {
		return s + " ($)"
	}
	if unit != nil && *unit != "" {
		s += " (" + *unit + ")"
	}
	return s
}

// oneOnOneLabel labels the workspace's fields: the meeting's, a new
// commitment row's (c<i>_text …) and an open commitment's (r.<id>.note …).
func oneOnOneLabel(field string) string {
	if l, ok := meetingLabels[field]; ok {
		return l
	}
	if rest, ok := strings.CutPrefix(field, "r."); ok {
		if i := strings.LastIndexByte(rest, '.'); i >= 0 {
			return openRowLabels[rest[i+1:]]
		}
	}
	if rest, ok := strings.CutPrefix(field, "c"); ok {
		if i := strings.IndexByte(rest, '_'); i > 0 {
			if _, err := strconv.Atoi(rest[:i]); err == nil {
				return newRowLabels[rest[i+1:]]
			}
		}
	}
	return ""
}

var (
	meetingLabels = map[string]string{"kind": "Kind", "held_at": "When", "duration": "Duration", "notes": "Notes",
		"diagnosis": "Diagnosis", "diagnosis_note": "Diagnosis note", "with": "The leader",
		"scheduled_for": "Scheduled for", "reason": "Reason"}
	newRowLabels  = map[string]string{"text": "Commitment", "due": "Due date", "metric": "Metric", "target": "Target"}
	openRowLabels = map[string]string{"outcome": "Outcome", "note": "Note", "progress": "Progress", "due": "New due date"}
)

// openRowNames are the form fields of an open commitment's row, named
// after its id: r.<id>.outcome, .note, .progress and .due.
type openRowNames struct{ id, row, outcome, note, progress, due string }

func openRowNamesOf(id uuid.UUID) openRowNames {
	s := id.String()
	r := "r." + s + "."
	return openRowNames{id: s, row: "c-" + s, outcome: r + "outcome", note: r + "note", progress: r + "progress", due: r + "due"}
}

// newRowNames are the form fields of new commitment row i: c<i>_text,
// _due, _metric and _target.
type newRowNames struct{ number, row, text, due, metric, target string }

// newRows are rows 1 to maxRows' names, made once.
var newRows = func() (rs [maxRows + 1]newRowNames) {
	for i := range rs {
		rs[i] = makeNewRowNames(i)
	}
	return rs
}()

func newRowNamesOf(i int) newRowNames {
	if i >= 0 && i < len(newRows) {
		return newRows[i]
	}
	return makeNewRowNames(i)
}

func makeNewRowNames(i int) newRowNames {
	n := strconv.Itoa(i)
	r := "c" + n + "_"
	return newRowNames{number: n, row: "row-" + n, text: r + "text", due: r + "due", metric: r + "metric", target: r + "target"}
}
