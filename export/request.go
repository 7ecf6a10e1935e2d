package export

import (
	"net/url"
	"time"

	"github.com/coachjournal/coachjournal/domain"
)

// Request is one file of an export asked over HTTP (GET /v1/export, the
// analyst's download form).
type Request struct {
	Format string // ndjson (default), csv or parquet
	Table  string // csv, parquet: events (default), metrics or scorecards; ndjson: events
	Query  domain.EventQuery
	Clear  bool // person ids and text in clear (admins only; the caller checks)
}

// ParseRequest reads format, table, type, from, to and clear from v.
// Errors: KindInvalid naming every field that is wrong, in words.
func ParseRequest(v url.Values) (Request, error) {
	r := Request{Format: v.Get("format"), Table: v.Get("table"), Query: domain.EventQuery{Type: v.Get("type")}}
	var p domain.Problems
	switch r.Format {
	case "":
		r.Format = NDJSON
	case NDJSON, CSV, Parquet:
	default:
		p.Add("format", "must be ndjson, csv or parquet")
	}
	switch r.Table {
	case "", Events:
		r.Table = Events
	case Metrics, Scorecards:
		if r.Format == NDJSON {
			p.Add("table", "ndjson holds the events; choose csv or parquet for the %s table", r.Table)
		}
	default:
		p.Add("table", "must be events, metrics or scorecards")
	}
	if !domain.ValidType(r.Query.Type) {
		p.Add("type", "must be an event type, or a prefix of types ending in '.'")
	}
	for _, b := range []struct {
		name string
		t    *time.Time
	}{{"from", &r.Query.From}, {"to", &r.Query.To}} {
		raw := v.Get(b.name)
		if raw == "" {
			continue
		}
		t, ok := ParseTime(raw)
		if !ok {
			p.Add(b.name, "must be an RFC 3339 time or a date (YYYY-MM-DD)")
		}
		*b.t = t
	}
	if !r.Query.From.IsZero() && !r.Query.To.IsZero() && !r.Query.From.Before(r.Query.To) {
		p.Add("to", "must be after from")
	}
	switch v.Get("clear") {
	case "", "false":
	case "true":
		r.Clear = true
	default:
		p.Add("clear", "must be true or false")
	}
	return r, p.Err()
}

// ParseTime reads an RFC 3339 time or a date (its midnight UTC).
func ParseTime(raw string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t, true
	}
	if d, err := domain.ParseDate(raw); err == nil {
		return d.Time(), true
	}
	return time.Time{}, false
}

// Filename is the name a download of r suggests, dated on.
func (r Request) Filename(on time.Time) string {
	name := "coachjournal-" + r.Table + "-" + on.UTC().Format("2006-01-02")
	if r.Clear {
		name += "-clear"
	}
	return name + "." + r.Format
}
