package projections

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// summaryText is how much of a free text a summary quotes.
const summaryText = 80

// Words writes the dates and periods a summary names. The API's
// summaries write them as their ISO text (the JSON is for integrations); a
// page passes its own words to SummaryIn.
type Words struct {
	Date   func(domain.Date) string
	Period func(domain.Period) string
}

// isoWords writes dates and periods as the API does: 2026-11-27, 2026-11.
var isoWords = Words{Date: domain.Date.String, Period: domain.Period.String}

// SummaryIn is the one human line of st, as its Summary says it, with its
// dates and periods written by w.
func (s *Set) SummaryIn(st Step, w Words) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.summaryOf(st.Data, w)
}

// summary returns the one human line of a stored step. It is built at read
// time from the stored data, so it follows erasure; it never holds an email.
func (s *Set) summary(st *step) string { return s.summaryOf(st.data, isoWords) }

// summaryOf is the summary of a step's data, stored (metrics packed) or
// as a Step exposes it, with its dates and periods written by w.
func (s *Set) summaryOf(data domain.Data, w Words) string {
	switch d := data.(type) {
	case *domain.PersonRegistered:
		return "Registered " + d.Name + paren(d.Title)
	case *domain.PersonUpdated:
		return updated(d)
	case *domain.ManagerChanged:
		if d.ManagerID == nil {
			return "Moved to the top of the org (no manager)"
		}
		return "Now reports to " + s.name(*d.ManagerID)
	case *domain.PersonDeparted:
		return "Departed on " + w.Date(d.On) + ": " + quote(d.Reason)
	case *domain.PersonErased:
		return "Personal data erased"
	case *domain.StandardSet:
		return fmt.Sprintf("Standard set for %s from %s: %s", appliesTo(d.AppliesTo), w.Date(d.EffectiveFrom), plural(len(d.Targets), "target"))
	case *domain.CadenceSet:
		return fmt.Sprintf("Meeting cadence set: every %d days", d.EveryDays)
	case *metricsData:
		return numbers(d.corr != nil, w.Period(d.period.unpack()), d.shape.source, len(d.vals))
	case *domain.MetricsSubmitted:
		return numbers(d.CorrectionReason != nil, w.Period(d.Period), d.Source, len(d.Values))
	case *domain.MeetingHeld:
		return meeting(d)
	case *domain.MeetingSkipped:
		return "Meeting of " + w.Date(d.ScheduledFor) + " skipped: " + clip(d.Reason)
	case *domain.CommitmentMade:
		return "Commitment made: " + quote(d.Text) + ", due " + w.Date(d.DueOn)
	case *domain.CommitmentFollowedUp:
		line := "Followed up on " + s.quoteCommitment(d.CommitmentID)
		if d.Progress != nil {
			line += " (" + strconv.FormatFloat(*d.Progress*100, 'f', -1, 64) + "% done)"
		}
		return line + ": " + clip(d.Note)
	case *domain.CommitmentRenegotiated:
		return "Commitment renegotiated: " + s.quoteCommitment(d.CommitmentID) + ", now due " + w.Date(d.NewDueOn)
	case *domain.CommitmentKept:
		return "Commitment kept: " + s.quoteCommitment(d.CommitmentID)
	case *domain.CommitmentMissed:
		return "Commitment missed: " + s.quoteCommitment(d.CommitmentID)
	case *domain.CommitmentWithdrawn:
		return "Commitment withdrawn: " + s.quoteCommitment(d.CommitmentID)
	case *domain.PIPOpened:
		return fmt.Sprintf("PIP opened: %d days, %s", d.StartsOn.DaysUntil(d.EndsOn), plural(len(d.Goals), "goal"))
	case *domain.PIPAcknowledged:
		return "PIP acknowledged"
	case *domain.PIPCheckedIn:
		return "Check-in on " + w.Date(d.On) + ": " + statusCounts(d.Goals)
	case *domain.PIPRevised:
		return "PIP goals revised: " + plural(len(d.Goals), "goal") + "; awaiting acknowledgement"
	case *domain.PIPExtended:
		return "PIP extended to " + w.Date(d.NewEndsOn)
	case *domain.PIPClosed:
		return "PIP closed: " + strings.ReplaceAll(d.Outcome, "_", " ")
	}
	return data.EventType()
}

// numbers is the summary of a submission of n metrics for period.
func numbers(correction bool, period, source string, n int) string {
	verb := "Submitted"
	if correction {
		verb = "Corrected"
	}
	return verb + " numbers for " + period + " (" + source + "): " + plural(n, "metric")
}

func paren(s *string) string {
	if s == nil || *s == "" {
		return ""
	}
	return " (" + *s + ")"
}

func updated(d *domain.PersonUpdated) string {
	var parts []string
	if d.Name != nil {
		parts = append(parts, "name to "+*d.Name)
	}
	if d.Title != nil {
		parts = append(parts, "title to "+*d.Title)
	}
	if d.Email != nil {
		parts = append(parts, "email") // never the address itself
	}
	if len(parts) == 0 {
		return "Updated"
	}
	return "Updated " + strings.Join(parts, ", ")
}

func appliesTo(a string) string {
	if a == "reports" {
		return "reports"
	}
	return "self"
}

func meeting(d *domain.MeetingHeld) string {
	kind := strings.ReplaceAll(d.Kind, "_", "-")
	if kind != "" {
		kind = strings.ToUpper(kind[:1]) + kind[1:]
	}
	line := kind + " meeting held"
	if d.DurationMinutes != nil {
		line += " (" + strconv.Itoa(*d.DurationMinutes) + " min)"
	}
	if d.Diagnosis != nil {
		line += " — diagnosis: " + strings.ReplaceAll(d.Diagnosis.Primary, "_", " ")
	}
	return line
}

func (s *Set) quoteCommitment(id uuid.UUID) string {
	if t, ok := s.commitmentText(id); ok {
		return quote(t)
	}
	return "commitment " + id.String()
}

func statusCounts(goals []domain.GoalStatus) string {
	order := []string{"on_track", "at_risk", "met", "not_met"}
	counts := map[string]int{}
	for _, g := range goals {
		counts[g.Status]++
	}
	var parts []string
	for _, st := range order {
		if n := counts[st]; n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+strings.ReplaceAll(st, "_", " "))
		}
	}
	if len(parts) == 0 {
		return "no goal statuses"
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func quote(s string) string { return `"` + clip(s) + `"` }

// oneLine reports whether s is ASCII with single spaces between words and
// none at either end: what clip's folding of white space would leave as
// it is.
func oneLine(s string) bool {
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= utf8.RuneSelf, b == '\t', b == '\n', b == '\v', b == '\f', b == '\r':
			return false
		case b == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' '):
			return false
		}
	}
	return true
}

// clip shortens s to summaryText characters, on one line.
func clip(s string) string {
	if oneLine(s) && len(s) <= summaryText {
		return s // most texts: nothing to fold or cut
	}
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= summaryText {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:summaryText-1])) + "…"
}
