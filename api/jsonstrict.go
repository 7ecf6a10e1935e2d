package api

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
)

// checkBody is the pass over a request body that encoding/json cannot make
// (SPEC §4), run on JSON that json.Valid accepts, before it is decoded into
// a command of type t:
//   - the body is a JSON object: null is refused (400 malformed_json);
//   - every key appears once in its object (400 malformed_json naming it);
//   - a key matches a field's JSON name exactly, not case-insensitively as
//     encoding/json would (400 unknown_field naming it); map keys are free;
//   - every string is valid UTF-8 without lone surrogate escapes such as
//     "\ud800": encoding/json would store U+FFFD instead (422
//     validation_failed naming the field).
//
// It returns the top-level keys present, for commands whose fields must be
// present even when null (a manager change's manager_id).
func checkBody(body []byte, t reflect.Type) (map[string]bool, error) {
	w := walker{b: body}
	w.ws()
	if w.i < len(w.b) && w.b[w.i] == 'n' {
		return nil, httperr.New(httperr.KindMalformed, "the body is null; this endpoint takes a JSON object")
	}
	if w.i == len(w.b) || w.b[w.i] != '{' {
		return nil, nil // not an object: encoding/json answers it
	}
	w.top = map[string]bool{}
	if err := w.value(t, ""); err != nil {
		return nil, err
	}
	return w.top, nil
}

// walker walks JSON that is known to be well formed.
type walker struct {
	b     []byte
	i     int
	top   map[string]bool // the keys of the outermost object
	depth int             // of the objects being walked
}

func (w *walker) ws() {
	for w.i < len(w.b) && (w.b[w.i] == ' ' || w.b[w.i] == '\t' || w.b[w.i] == '\n' || w.b[w.i] == '\r') {
		w.i++
	}
}

// value walks one value expected to decode into t (nil: anything).
func (w *walker) value(t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	w.ws()
	switch w.b[w.i] {
	case '{':
		return w.object(t, path)
	case '[':
		return w.array(t, path)
	case '"':
		_, err := w.str(false, path)
		return err
	}
	for w.i < len(w.b) && !strings.ContainsRune(",]} \t\n\r", rune(w.b[w.i])) {
		w.i++ // a number or a literal
	}
	return nil
}

func (w *walker) object(t reflect.Type, path string) error {
	var fields map[string]reflect.Type
	var elem reflect.Type
	switch {
	case t == nil:
	case t.Kind() == reflect.Struct:
		fields = jsonFields(t)
	case t.Kind() == reflect.Map:
		elem = t.Elem()
	default:
		t = nil // the wrong type: encoding/json names it
	}
	outer := w.depth == 0
	w.depth++
	defer func() { w.depth-- }()
	seen := map[string]bool{}
	w.i++ // {
	for {
		w.ws()
		if w.b[w.i] == '}' {
			w.i++
			return nil
		}
		if w.b[w.i] == ',' {
			w.i++
			w.ws()
		}
		key, err := w.str(true, path)
		if err != nil {
			return err
		}
		field := key
		if path != "" {
			field = path + "." + key
		}
		if seen[key] {
			return httperr.New(httperr.KindMalformed, "a key appears twice in one object",
				domain.FieldError{Field: field, Message: "appears more than once"})
		}
		seen[key] = true
		if outer {
			w.top[key] = true
		}
		next := elem
		if fields != nil {
			ft, ok := fields[key]
			if !ok {
				return httperr.WithCode(httperr.KindMalformed, httperr.CodeUnknownField, "the body has a field this endpoint does not take",
					domain.FieldError{Field: field, Message: "is not a field of this request (keys match exactly)"})
			}
			next = ft
		}
		w.ws()
		w.i++ // :
		if err := w.value(next, field); err != nil {
			return err
		}
	}
}

func (w *walker) array(t reflect.Type, path string) error {
	var elem reflect.Type
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		elem = t.Elem()
	}
	w.i++ // [
	for n := 0; ; n++ {
		w.ws()
		if w.b[w.i] == ']' {
			w.i++
			return nil
		}
		if w.b[w.i] == ',' {
			w.i++
		}
		if err := w.value(elem, path+"["+strconv.Itoa(n)+"]"); err != nil {
			return err
		}
	}
}

// str reads a string, checking its UTF-8 and escapes, and returns its
// decoded text when it is a key (a value's text is not needed).
func (w *walker) str(key bool, path string) (string, error) {
	var sb strings.Builder
	w.i++ // "
	for {
		c := w.b[w.i]
		switch {
		case c == '"':
			w.i++
			return sb.String(), nil
		case c == '\\':
			r, ok := w.escape()
			if !ok {
				return "", w.badText(key, path, "holds a lone surrogate escape (\\ud800-\\udfff)")
			}
			if key {
				sb.WriteRune(r)
			}
		case c < utf8.RuneSelf:
			w.i++
			if key {
				sb.WriteByte(c)
			}
		default:
			r, size := utf8.DecodeRune(w.b[w.i:])
			if r == utf8.RuneError && size == 1 {
				return "", w.badText(key, path, "is not valid UTF-8")
			}
			w.i += size
			if key {
				sb.WriteRune(r)
			}
		}
	}
}

// escape reads one escape at w.i; a \u surrogate must be a high one
// followed by an escaped low one.
func (w *walker) escape() (rune, bool) {
	c := w.b[w.i+1]
	w.i += 2
	switch c {
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'u':
	default: // \" \\ \/
		return rune(c), true
	}
	r := w.hex4()
	switch {
	case r < 0xd800 || r > 0xdfff:
		return r, true
	case r >= 0xdc00: // a low surrogate first
		return 0, false
	}
	if w.i+6 > len(w.b) || w.b[w.i] != '\\' || w.b[w.i+1] != 'u' {
		return 0, false
	}
	w.i += 2
	lo := w.hex4()
	if lo < 0xdc00 || lo > 0xdfff {
		return 0, false
	}
	return 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00), true
}

func (w *walker) hex4() rune {
	n, _ := strconv.ParseUint(string(w.b[w.i:w.i+4]), 16, 32)
	w.i += 4
	return rune(n)
}

func (w *walker) badText(key bool, path, msg string) error {
	if key {
		return httperr.New(httperr.KindMalformed, "a key "+msg)
	}
	if path == "" {
		path = "body"
	}
	return httperr.New(domain.KindInvalid, "text must be valid UTF-8; it is refused, not replaced",
		domain.FieldError{Field: path, Message: msg})
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields maps the exact JSON names of struct type t's fields, embedded
// structs' included, to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonFields(f.Type) {
				m[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	fieldCache.Store(t, m)
	return m
}
