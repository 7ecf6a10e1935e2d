package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// recordOneOnOne handles POST /ui/people/{id}/one-on-one. Its buttons:
// "add-row" shows the form again with one more commitment row (records
// nothing); "outcomes" records only the outcomes of open commitments;
// "record" records them, the meeting and its new commitments. Every event
// is checked first (dryRun), so a refusal records nothing; the first write
// carries the form's version, and each its own derived key.
func (u *ui) recordOneOnOne(c echo.Context) error {
	p, f, ok, err := u.seePosted(c)
	if !ok {
		return err
	}
	action := f.Get("action")
	if action == "add-row" {
		n, _ := strconv.Atoi(f.Get("rows"))
		f.Values.Set("rows", strconv.Itoa(n+1))
		d := u.workspace(c, p, f)
		return u.render(c, http.StatusOK, "oneonone", "1-on-1 with "+p.Name, d)
	}
	d := u.workspace(c, p, f)
	parts := u.resolutionParts(f)
	meeting := action != "outcomes"
	if meeting {
		parts = append(parts, u.meetingParts(c, p, f, len(d.Rows))...)
	}
	if len(parts) == 0 {
		f.Notice = "There was nothing to record: choose an outcome for a commitment, or record the meeting."
		return u.render(c, httperr.Status(domain.KindInvalid), "oneonone", "1-on-1 with "+p.Name, d)
	}
	if f.Invalid() {
		f.Notice = "Nothing was recorded yet: please correct what is marked below."
		return u.render(c, httperr.Status(domain.KindInvalid), "oneonone", "1-on-1 with "+p.Name, d)
	}
	v := viewer(c)
	m := domain.Meta{Actor: domain.Actor{ID: v.Sub, Role: v.Role}, Now: u.Now()}
	if errs := dryRun(u.journalAt(p.ID, f.Version, commands(parts)...), m, parts); len(errs) > 0 {
		for i, err := range errs {
			if kind, handled := u.refused(f, p, err, parts[i].rename); !handled {
				return u.fail(c, kind, errNotFound)
			}
		}
		return u.render(c, httperr.Status(domain.KindInvalid), "oneonone", "1-on-1 with "+p.Name, d)
	}
	return u.recordParts(c, p, f, parts, meeting)
}

// recordParts writes the parts in order; on a refusal part-way the form
// is shown again with its key, so sending it again replays what was
// recorded and records the rest.
func (u *ui) recordParts(c echo.Context, p projections.Person, f *form, parts []part, meeting bool) error {
	meetingID, replayed, made, resolved := uuid.Nil, true, 0, 0
	for i, pt := range parts {
		cmd := pt.cmd
		if pt.meeting != nil {
			cmd = pt.meeting(cmd, meetingID)
		}
		res, err := u.write(c, p.ID, f, pt.name, cmd, i == 0)
		if err != nil {
			kind, handled := u.refused(f, p, err, pt.rename)
			if !handled {
				return u.fail(c, kind, errNotFound)
			}
			if i > 0 { // something is recorded: the form now starts from the current journal
				cur, _ := u.Views.Person(p.ID)
				f.Version = cur.Version
				f.Notice = "Part of this was recorded, part was not: " + f.Notice + " Sending the form again records only what is missing."
			}
			p, _ = u.Views.Person(p.ID)
			return u.render(c, httperr.Status(kind), "oneonone", "1-on-1 with "+p.Name, u.workspace(c, p, f))
		}
		replayed = replayed && res.Replayed
		switch d := res.Event.Data.(type) {
		case *domain.MeetingHeld:
			meetingID = d.MeetingID
		case *domain.CommitmentMade:
			made++
		default:
			resolved++
		}
	}
	var what []string
	if meeting {
		what = append(what, "the meeting")
	}
	if made > 0 {
		what = append(what, plural(made, "new commitment"))
	}
	if resolved > 0 {
		what = append(what, plural(resolved, "commitment outcome"))
	}
	return saved(c, "/ui/people/"+p.ID.String()+"/one-on-one", strings.Join(what, ", "), replayed, "saved")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// resolutionParts reads the outcome chosen for each open commitment the
// form listed (hidden "open" fields, in the order shown).
func (u *ui) resolutionParts(f *form) []part {
	var parts []part
	for _, raw := range f.Values["open"] {
		id, err := uuid.Parse(raw)
		if err != nil || len(raw) != 36 {
			continue
		}
		n := openRowNamesOf(id)
		rename := func(field string) string {
			switch field {
			case "new_due_on":
				return n.due
			case "progress":
				return n.progress
			case "note", "reason":
				return n.note
			}
			return n.outcome
		}
		note := strings.TrimSpace(f.Get(n.note))
		var cmd domain.Command
		switch f.Get(n.outcome) {
		case "":
			continue
		case "followup":
			fu := domain.FollowUpCommitment{CommitmentID: id, Note: note}
			if raw := strings.TrimSpace(strings.TrimSuffix(f.Get(n.progress), "%")); raw != "" {
				pr, err := strconv.ParseFloat(raw, 64)
				if err != nil || pr < 0 || pr > 100 {
					f.fieldError(n.progress, "Progress must be a percentage from 0 to 100.")
				}
				pr /= 100
				fu.Progress = &pr
			}
			cmd = fu
		case "kept", "missed", "withdrawn":
			rc := domain.ResolveCommitment{CommitmentID: id, Status: f.Get(n.outcome)}
			if note != "" {
				rc.Note = &note
			}
			cmd = rc
		case "renegotiate":
			cmd = domain.RenegotiateCommitment{CommitmentID: id, NewDueOn: f.Get(n.due), Reason: note}
		default:
			f.fieldError(n.outcome, "Outcome needs one of the choices.")
			continue
		}
		parts = append(parts, part{name: "r." + n.id, cmd: cmd, rename: rename})
	}
	return parts
}

// meetingParts reads the meeting and its new commitments (rows with
// anything typed in them).
func (u *ui) meetingParts(c echo.Context, p projections.Person, f *form, rows int) []part {
	hm := domain.HoldMeeting{Kind: f.Get("kind"), WithID: u.leaderOf(c, p)}
	if raw := f.Get("held_at"); raw != "" {
		t, err := time.Parse(heldAtLayout, raw)
		if err != nil {
			f.fieldError("held_at", "When must be a date and a time, like 2026-11-20 15:00.")
		}
		hm.HeldAt = t.UTC().Format(time.RFC3339)
	}
	if raw := strings.TrimSpace(f.Get("duration")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			f.fieldError("duration", "Duration must be a whole number of minutes.")
		}
		hm.DurationMinutes = &n
	}
	if notes := f.Get("notes"); strings.TrimSpace(notes) != "" {
		hm.Notes = &notes
	}
	if g := f.Get("diagnosis"); g != "" {
		hm.Diagnosis = &domain.DiagnosisInput{Primary: g}
		if note := f.Get("diagnosis_note"); strings.TrimSpace(note) != "" {
			hm.Diagnosis.Note = &note
		}
	}
	parts := []part{{name: "meeting", cmd: hm, rename: meetingField}}
	for i := 1; i <= rows; i++ {
		n := newRowNamesOf(i)
		text, due, metric, target := f.Get(n.text), f.Get(n.due), f.Get(n.metric), strings.TrimSpace(f.Get(n.target))
		if strings.TrimSpace(text+due+target) == "" {
			continue
		}
		mc := domain.MakeCommitment{Text: text, DueOn: due}
		if metric != "" || target != "" {
			t, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimPrefix(target, "$"), ",", ""), 64)
			if err != nil {
				f.fieldError(n.target, "Target must be a number, with the metric it counts.")
			}
			if metric == "" {
				f.fieldError(n.metric, "Metric: choose what the target counts.")
			}
			mc.Metric = &domain.CommitmentMetric{Key: metric, Target: t}
		}
		parts = append(parts, part{name: "c" + n.number, cmd: mc, rename: commitmentField(n),
			meeting: func(cmd domain.Command, id uuid.UUID) domain.Command {
				mc := cmd.(domain.MakeCommitment)
				if id != uuid.Nil {
					s := id.String()
					mc.MeetingID = &s
				}
				return mc
			}})
	}
	return parts
}

// leaderOf is who the meeting is with: the viewer, unless the viewer is
// the person (or not a person): then the person's manager.
func (u *ui) leaderOf(c echo.Context, p projections.Person) string {
	v := viewer(c)
	if v.Person != uuid.Nil && v.Person != p.ID {
		return v.Person.String()
	}
	if p.ManagerID != nil {
		return p.ManagerID.String()
	}
	return v.Person.String()
}

func meetingField(f string) string {
	switch f {
	case "duration_minutes":
		return "duration"
	case "diagnosis.primary":
		return "diagnosis"
	case "diagnosis.note":
		return "diagnosis_note"
	case "with_id":
		return "with"
	}
	return f
}

func commitmentField(n newRowNames) func(string) string {
	return func(f string) string {
		switch f {
		case "due_on":
			return n.due
		case "metric.key":
			return n.metric
		case "metric.target":
			return n.target
		}
		return n.text
	}
}

// skipOneOnOne handles POST /ui/people/{id}/one-on-one/skipped: the
// meeting did not happen, with the reason.
func (u *ui) skipOneOnOne(c echo.Context) error {
	p, f, ok, err := u.seePosted(c)
	if !ok {
		return err
	}
	f.label = labelsIn(map[string]string{"scheduled_for": "Scheduled for", "reason": "Reason"})
	cmd := domain.SkipMeeting{ScheduledFor: f.Get("scheduled_for"), Reason: f.Get("reason")}
	res, err := u.write(c, p.ID, f, "skipped", cmd, true)
	if err != nil {
		kind, handled := u.refused(f, p, err, func(s string) string { return s })
		if !handled {
			return u.fail(c, kind, errNotFound)
		}
		p, _ = u.Views.Person(p.ID)
		d := u.workspace(c, p, newForm(p.Version, nil))
		d.Skip = f
		return u.render(c, httperr.Status(kind), "oneonone", "1-on-1 with "+p.Name, d)
	}
	return saved(c, "/ui/people/"+p.ID.String()+"/one-on-one", "the meeting as skipped", res.Replayed, "saved")
}
