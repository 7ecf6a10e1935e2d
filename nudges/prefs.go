package nudges

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // time zones on machines without a zoneinfo database

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
)

// Prefs are a person's choices about nudges beyond the inbox (the inbox
// always has them all).
type Prefs struct {
	// Channels turns a channel (email, slack, webhook) off with false; a
	// channel not named is on.
	Channels map[string]bool `json:"channels"`
	// QuietFrom and QuietTo ("22:00", "07:00", local time) hold nudges
	// back between them; they go out when the quiet hours end. Both or
	// neither.
	QuietFrom string `json:"quiet_from,omitempty"`
	QuietTo   string `json:"quiet_to,omitempty"`
	// TimeZone (IANA, e.g. Europe/Berlin) is where the quiet hours and the
	// digest's Monday morning are; default UTC.
	TimeZone string `json:"time_zone,omitempty"`
	// DigestOnly sends only the weekly digest, no nudge on its own.
	DigestOnly bool `json:"digest_only"`
}

// Channel names, as Prefs.Channels and the senders know them.
var Channels = []string{"email", "slack", "webhook"}

// Validate names each field that is wrong, in words.
func (p Prefs) Validate() []domain.FieldError {
	var out []domain.FieldError
	for ch := range p.Channels {
		if !isChannel(ch) {
			out = append(out, domain.FieldError{Field: "channels." + ch, Message: "is not a channel (email, slack, webhook)"})
		}
	}
	if (p.QuietFrom == "") != (p.QuietTo == "") {
		out = append(out, domain.FieldError{Field: "quiet_to", Message: "quiet hours need both a start and an end"})
	}
	for field, v := range map[string]string{"quiet_from": p.QuietFrom, "quiet_to": p.QuietTo} {
		if _, ok := minuteOf(v); v != "" && !ok {
			out = append(out, domain.FieldError{Field: field, Message: "must be a time of day like 22:00"})
		}
	}
	if p.TimeZone != "" {
		if _, err := time.LoadLocation(p.TimeZone); err != nil || strings.EqualFold(p.TimeZone, "local") {
			out = append(out, domain.FieldError{Field: "time_zone", Message: "is not a time zone name like Europe/Berlin"})
		}
	}
	return out
}

func isChannel(ch string) bool {
	for _, c := range Channels {
		if c == ch {
			return true
		}
	}
	return false
}

// On reports whether channel is on.
func (p Prefs) On(channel string) bool {
	on, named := p.Channels[channel]
	return !named || on
}

// Location is the person's time zone (UTC when unset or unknown).
func (p Prefs) Location() *time.Location {
	if loc, err := time.LoadLocation(p.TimeZone); err == nil && p.TimeZone != "" {
		return loc
	}
	return time.UTC
}

// Quiet reports whether t falls in the quiet hours.
func (p Prefs) Quiet(t time.Time) bool {
	from, ok1 := minuteOf(p.QuietFrom)
	to, ok2 := minuteOf(p.QuietTo)
	if !ok1 || !ok2 || from == to {
		return false
	}
	local := t.In(p.Location())
	m := local.Hour()*60 + local.Minute()
	if from < to {
		return m >= from && m < to
	}
	return m >= from || m < to // over midnight
}

// minuteOf parses "HH:MM".
func minuteOf(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// digestHour is the local hour on Monday from which the weekly digest goes.
const digestHour = 8

// DigestWeek returns the ISO week whose digest is due at t: on Monday from
// 08:00 in the person's time zone to the end of that Monday; ok is false at
// any other time (a digest not sent on its Monday is not sent later).
func (p Prefs) DigestWeek(t time.Time) (week domain.Period, ok bool) {
	local := t.In(p.Location())
	if local.Weekday() != time.Monday || local.Hour() < digestHour {
		return domain.Period{}, false
	}
	return domain.WeekPeriod(domain.DateOf(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC))), true
}

// Digest is a person's weekly digest on day today: their nudges, their
// open and overdue commitments, their 1-on-1s of the past week and their
// PIP dates, in words; ok is false for someone gone.
func Digest(v Views, person uuid.UUID, week domain.Period, today domain.Date) (Nudge, bool) {
	p, ok := v.Person(person)
	if !ok || p.Erased || p.DepartedOn != nil {
		return Nudge{}, false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Your week (%s):\n", week)
	open, overdue := 0, 0
	for _, c := range v.Commitments(person) {
		if c.Status != "open" {
			continue
		}
		open++
		if c.DueOn.Before(today) {
			overdue++
		}
	}
	fmt.Fprintf(&b, "- %d open commitments, %d of them overdue.\n", open, overdue)
	reports := active(v.People(&person))
	if len(reports) > 0 {
		held := 0
		c := v.Cadence(person, today.AddDays(-7), today.AddDays(-1))
		for _, row := range c.Rows {
			if row.LastMeeting != nil && !row.LastMeeting.Before(today.AddDays(-7)) {
				held++
			}
		}
		fmt.Fprintf(&b, "- Performance 1-on-1s in the past week: %d of %d reports.\n", held, len(reports))
	}
	for _, x := range v.PIPsOf(person) {
		if x.State == projections.PIPActive {
			fmt.Fprintf(&b, "- Your improvement plan runs until %s.\n", x.EndsOn.Time().Format("2 January"))
		}
	}
	for _, n := range For(v, Recipient{Person: person, Role: domain.RoleMember}, today) {
		fmt.Fprintf(&b, "- %s\n", n.Text)
	}
	return Nudge{Kind: WeeklyDigest, About: person, Since: today, ID: id(WeeklyDigest, person.String(), week.String()),
		Text: strings.TrimRight(b.String(), "\n"), Link: "/ui/inbox"}, true
}
