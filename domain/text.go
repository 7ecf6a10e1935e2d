package domain

import (
	"math"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Text bounds, in characters (runes).
const (
	MaxNameLen = 200
	MaxNoteLen = 10000
	maxEmail   = 254
)

var metricKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ValidMetricKey reports whether k is a well-formed metric key.
func ValidMetricKey(k string) bool { return metricKey.MatchString(k) }

// cleanText trims s and checks it: valid UTF-8, no control characters (a
// multi-line text may hold newlines and tabs), at most max characters, and
// non-empty when required. It returns the trimmed text.
func (p *Problems) cleanText(field, s string, max int, multiline, required bool) string {
	if !utf8.ValidString(s) {
		p.Add(field, "is not valid UTF-8")
		return s
	}
	s = strings.TrimSpace(s)
	if required && s == "" {
		p.Add(field, "is required")
		return s
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
			p.Add(field, "contains a control character")
			return s
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		p.Add(field, "is %d characters long; at most %d are allowed", n, max)
	}
	return s
}

func (p *Problems) name(field, s string) string {
	return p.cleanText(field, s, MaxNameLen, false, true)
}
func (p *Problems) note(field, s string) string { return p.cleanText(field, s, MaxNoteLen, true, true) }

// optNote checks an optional note; an empty one becomes nil.
func (p *Problems) optNote(field string, s *string) *string {
	if s == nil {
		return nil
	}
	t := p.cleanText(field, *s, MaxNoteLen, true, false)
	if t == "" {
		return nil
	}
	return &t
}

func (p *Problems) optName(field string, s *string) *string {
	if s == nil {
		return nil
	}
	t := p.name(field, *s)
	return &t
}

func (p *Problems) email(field, s string) string {
	s = p.cleanText(field, s, maxEmail, false, true)
	if s == "" {
		return s
	}
	if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
		p.Add(field, "is not an email address")
	}
	return s
}

func (p *Problems) date(field, s string) Date {
	if s == "" {
		p.Add(field, "is required")
		return Date{}
	}
	d, err := ParseDate(s)
	if err != nil {
		p.Add(field, "%s", err)
	} else if !InYears(d.Time()) {
		p.Add(field, "%s", yearsMessage)
	}
	return d
}

func (p *Problems) id(field, s string) uuid.UUID {
	if s == "" {
		p.Add(field, "is required")
		return uuid.Nil
	}
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 || id == uuid.Nil {
		p.Add(field, "is not a UUID")
		return uuid.Nil
	}
	return id
}

func (p *Problems) optID(field string, s *string) *uuid.UUID {
	if s == nil {
		return nil
	}
	id := p.id(field, *s)
	return &id
}

func (p *Problems) oneOf(field, s string, allowed ...string) string {
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	if s == "" {
		p.Add(field, "is required")
	} else {
		p.Add(field, "must be one of %s", strings.Join(allowed, ", "))
	}
	return s
}

func (p *Problems) number(field string, v float64, min, max float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < min || v > max {
		p.Add(field, "must be between %g and %g", min, max)
	}
}

func (p *Problems) metricKey(field, k string) {
	if !ValidMetricKey(k) {
		p.Add(field, "must match ^[a-z][a-z0-9_]{0,63}$")
	}
}

func (p *Problems) timestamp(field, s string) time.Time {
	if s == "" {
		p.Add(field, "is required")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		p.Add(field, "is not an RFC 3339 time")
	} else if !InYears(t) {
		p.Add(field, "%s", yearsMessage)
	}
	return t.UTC()
}
