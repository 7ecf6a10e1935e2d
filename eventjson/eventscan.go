package eventjson

import (
	"bytes"

	"github.com/coachjournal/coachjournal/domain"
)

// eventTypeNames holds the catalog's type names, so that a decoded event
// shares its Type string with the catalog instead of allocating its own.
var eventTypeNames = func() map[string]string {
	m := map[string]string{}
	for _, t := range domain.EventTypes() {
		m[t] = t
	}
	return m
}()

// scanEvent is Decode's fast path: one pass over the envelope without
// reflection. It reports false whenever encoding/json must decide, which then
// decodes the message from the start; the data goes through decodeData
// either way, so upcasting still happens in one place.
func scanEvent(b []byte) (domain.Event, bool) {
	r := scanner{b: b}
	var e domain.Event
	var raw []byte
	ok := r.object(func(k []byte) bool {
		switch string(k) {
		case "id":
			return r.id(&e.ID)
		case "type":
			return r.eventType(&e.Type)
		case "schema":
			return r.int(&e.Schema)
		case "person_id":
			return r.id(&e.PersonID)
		case "version":
			return r.uint(&e.Version)
		case "actor":
			return r.actor(&e.Actor)
		case "occurred_at":
			return r.time(&e.OccurredAt)
		case "recorded_at":
			return r.time(&e.RecordedAt)
		case "data":
			return r.data(&e, &raw)
		case "prev_hash":
			return r.str(&e.PrevHash)
		case "hash":
			return r.str(&e.Hash)
		}
		return false
	})
	if !ok || (e.Data == nil && raw == nil) || !r.end() {
		return domain.Event{}, false
	}
	current := domain.SchemaOf(e.Type)
	if e.Data == nil {
		if e.Schema != current {
			raw = bytes.Clone(raw) // an upcaster gets its own bytes, as from encoding/json
		}
		d, err := decodeData(e.Type, e.Schema, raw)
		if err != nil {
			return domain.Event{}, false
		}
		e.Data = d
	}
	e.Schema = current
	return e, true
}

// data reads the data in place when the type and the schema came first (as
// json.Marshal writes them) and the schema is current; otherwise, or when
// the scan fails, it keeps the raw bytes for decodeData.
func (r *scanner) data(e *domain.Event, raw *[]byte) bool {
	if current := domain.SchemaOf(e.Type); current != 0 && e.Schema == current {
		d, start := domain.NewData(e.Type), r.i
		if scanInto(d, r) {
			e.Data = d
			return true
		}
		r.i = start
	}
	b, ok := r.skip()
	*raw = b
	return ok && b[0] == '{'
}

func (r *scanner) eventType(p *string) bool {
	s, ok := r.rawString()
	if t, known := eventTypeNames[string(s)]; known {
		*p = t
	} else {
		*p = string(s)
	}
	return ok
}

func (r *scanner) actor(a *domain.Actor) bool {
	return r.object(func(k []byte) bool {
		switch string(k) {
		case "id":
			return r.str(&a.ID)
		case "role":
			s, ok := r.rawString()
			switch string(s) {
			case string(domain.RoleAdmin):
				a.Role = domain.RoleAdmin
			case string(domain.RoleHR):
				a.Role = domain.RoleHR
			case string(domain.RoleAnalyst):
				a.Role = domain.RoleAnalyst
			case string(domain.RoleMember):
				a.Role = domain.RoleMember
			default:
				a.Role = domain.Role(s)
			}
			return ok
		}
		return false
	})
}
