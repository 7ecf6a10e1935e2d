package eventjson

import (
	"encoding/binary"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// scanner reads the JSON that json.Marshal writes for events, in one pass and
// without reflection. It is a fast path only: every method reports false on
// anything it is not sure to read exactly as encoding/json would (escapes,
// unknown or repeated keys, null where no pointer is, invalid input), and the
// caller then decodes the whole message again with encoding/json, whose
// result, value or error, is the one that counts.
type scanner struct {
	b     []byte
	i     int
	depth int // of the values skip is inside; events nest a few levels
}

// maxSkipDepth bounds skip's recursion: deeper input is left to encoding/json.
const maxSkipDepth = 32

func (r *scanner) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// eat consumes c after white space.
func (r *scanner) eat(c byte) bool {
	r.ws()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (r *scanner) end() bool {
	r.ws()
	return r.i == len(r.b)
}

// null consumes a null literal if one comes next.
func (r *scanner) null() bool {
	r.ws()
	return r.literal("null")
}

// rawString returns the content of a string that has no escapes, no control
// characters and only valid UTF-8: its bytes are then exactly its value.
func (r *scanner) rawString() ([]byte, bool) {
	r.ws()
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		return nil, false
	}
	start, ascii := r.i+1, true
	j := start
	for ; j+8 <= len(r.b) && plainWord(binary.LittleEndian.Uint64(r.b[j:])); j += 8 {
	}
	for ; j < len(r.b); j++ {
		switch c := r.b[j]; {
		case c == '"':
			s := r.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			r.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= 0x80:
			ascii = false
		}
	}
	return nil, false
}

// plainWord reports whether none of the 8 bytes of x ends a string or needs
// care: no '"', no '\\', no control character, nothing above ASCII.
func plainWord(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(y uint64) uint64 { return (y - ones) & ^y & highs }
	return (x|(x-ones*0x20))&highs == 0 && zero(x^(ones*'"'))|zero(x^(ones*'\\')) == 0
}

// number returns the bytes of a number as the JSON grammar spells it.
func (r *scanner) number() ([]byte, bool) {
	r.ws()
	b, i := r.b, r.i
	digits := func() int {
		n := 0
		for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	n := b[r.i:i]
	r.i = i
	return n, true
}

// skip steps over one value, checking its grammar, and returns its bytes.
func (r *scanner) skip() ([]byte, bool) {
	r.ws()
	if r.i >= len(r.b) {
		return nil, false
	}
	start := r.i
	ok := false
	r.depth++
	switch c := r.b[r.i]; {
	case r.depth > maxSkipDepth:
	case c == '{':
		ok = r.object(func([]byte) bool { _, ok := r.skip(); return ok })
	case c == '[':
		ok = r.array(func() bool { _, ok := r.skip(); return ok })
	case c == '"':
		_, ok = r.rawString()
	case c == 't':
		ok = r.literal("true")
	case c == 'f':
		ok = r.literal("false")
	case c == 'n':
		ok = r.literal("null")
	default:
		_, ok = r.number()
	}
	r.depth--
	return r.b[start:r.i], ok
}

func (r *scanner) literal(lit string) bool {
	if len(r.b)-r.i >= len(lit) && string(r.b[r.i:r.i+len(lit)]) == lit {
		r.i += len(lit)
		return true
	}
	return false
}

// object reads an object, calling field with each key once the scanner
// stands before its value. A key seen twice fails: encoding/json would merge
// or overwrite, which the fast path leaves to it.
func (r *scanner) object(field func(key []byte) bool) bool {
	if !r.eat('{') {
		return false
	}
	if r.eat('}') {
		return true
	}
	var seen [16][]byte
	for n := 0; ; n++ {
		k, ok := r.rawString()
		if !ok || n == len(seen) {
			return false
		}
		for _, s := range seen[:n] {
			if string(s) == string(k) {
				return false
			}
		}
		seen[n] = k
		if !r.eat(':') || !field(k) {
			return false
		}
		if r.eat('}') {
			return true
		}
		if !r.eat(',') {
			return false
		}
	}
}

// array reads an array, calling elem with the scanner before each element.
func (r *scanner) array(elem func() bool) bool {
	if !r.eat('[') {
		return false
	}
	if r.eat(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if r.eat(']') {
			return true
		}
		if !r.eat(',') {
			return false
		}
	}
}

func (r *scanner) str(p *string) bool {
	s, ok := r.rawString()
	*p = string(s)
	return ok
}

// words are the values that recur in most events: metric keys and the
// values of enumerations. A decoded event shares these strings.
var words = func() map[string]string {
	m := map[string]string{}
	for _, w := range []string{
		"activities", "new_opportunities", "deals_won", "deals_lost", "revenue", "win_rate", "avg_deal_size",
		"self", "manager", "import", "reports", "month", "leading", "lagging",
		"performance", "pipeline", "coaching", "ride_along", "activity", "conversion", "deal_size", "market", "other",
		"on_track", "at_risk", "met", "not_met", "succeeded", "withdrawn",
	} {
		m[w] = w
	}
	return m
}()

// word reads a string, sharing it when it is one of words.
func (r *scanner) word(p *string) bool {
	s, ok := r.rawString()
	if w, known := words[string(s)]; known {
		*p = w
	} else {
		*p = string(s)
	}
	return ok
}

func (r *scanner) id(p *uuid.UUID) bool {
	s, ok := r.rawString()
	return ok && p.UnmarshalText(s) == nil
}

// time hands the literal to time.Time.UnmarshalJSON, as encoding/json does.
func (r *scanner) time(p *time.Time) bool {
	r.ws()
	start := r.i
	if _, ok := r.rawString(); !ok {
		return false
	}
	return p.UnmarshalJSON(r.b[start:r.i]) == nil
}

// date reads what Date.UnmarshalJSON accepts: "" or YYYY-MM-DD.
func (r *scanner) date(p *domain.Date) bool {
	s, ok := r.rawString()
	if !ok || len(s) == 0 {
		return ok
	}
	if d, ok := canonicalDate(s); ok {
		*p = d
		return true
	}
	d, err := domain.ParseDate(string(s))
	*p = d
	return err == nil
}

// canonicalDate reads an all-digit YYYY-MM-DD naming a real day, as
// ParseDate would, without time.Parse. Anything else is left to ParseDate.
func canonicalDate(s []byte) (domain.Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return domain.Date{}, false
	}
	y, m, d := digits(s[:4]), digits(s[5:7]), digits(s[8:])
	if y < 0 || m < 1 || m > 12 || d < 1 || d > 31 {
		return domain.Date{}, false
	}
	t := domain.NewDate(y, time.Month(m), d)
	if t.Time().Day() != d { // past the end of the month: time.Date normalised it
		return domain.Date{}, false
	}
	return t, true
}

// digits returns the value of a run of decimal digits, or -1.
func digits[T string | []byte](b T) int {
	n := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = 10*n + int(c-'0')
	}
	return n
}

// period reads what Period.UnmarshalJSON accepts: "" or a period.
func (r *scanner) period(p *domain.Period) bool {
	s, ok := r.rawString()
	if !ok || len(s) == 0 {
		return ok
	}
	*p, ok = canonicalPeriod(s)
	return ok
}

// canonicalPeriod reads the all-digit spellings "YYYY-Www" and "YYYY-MM",
// the only ones ParsePeriod accepts, from bytes, as ParsePeriod's own
// shortcut does from a string (TestCanonicalDateAndPeriod holds the two
// together).
func canonicalPeriod[T string | []byte](s T) (domain.Period, bool) {
	switch {
	case len(s) == 8 && s[4] == '-' && s[5] == 'W':
		y, w := digits(s[:4]), digits(s[6:])
		if y >= 1 && w >= 1 && w <= weeksIn(y) {
			return domain.Period{Year: y, Week: w}, true
		}
	case len(s) == 7 && s[4] == '-':
		y, m := digits(s[:4]), digits(s[5:])
		if y >= 1 && m >= 1 && m <= 12 {
			return domain.Period{Year: y, Mon: time.Month(m)}, true
		}
	}
	return domain.Period{}, false
}

// weeksIn returns 52 or 53: the ISO week of 28 December is always the last.
func weeksIn(year int) int {
	_, w := time.Date(year, 12, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

// int, uint and float parse numbers with the strconv calls encoding/json makes.
func (r *scanner) int(p *int) bool {
	n, ok := r.number()
	if !ok {
		return false
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	*p = int(v)
	return err == nil
}

func (r *scanner) uint(p *uint64) bool {
	n, ok := r.number()
	if !ok {
		return false
	}
	v, err := strconv.ParseUint(string(n), 10, 64)
	*p = v
	return err == nil
}

func (r *scanner) float(p *float64) bool {
	n, ok := r.number()
	if !ok {
		return false
	}
	v, err := strconv.ParseFloat(string(n), 64)
	*p = v
	return err == nil
}

// floatMap reads an object of numbers; a key seen twice keeps the last value,
// as encoding/json does.
func (r *scanner) floatMap(p *map[string]float64) bool {
	if r.null() {
		*p = nil
		return true
	}
	if !r.eat('{') {
		return false
	}
	m := make(map[string]float64, 8)
	*p = m
	if r.eat('}') {
		return true
	}
	for {
		k, ok := r.rawString()
		var v float64
		if !ok || !r.eat(':') || !r.float(&v) {
			return false
		}
		if w, known := words[string(k)]; known {
			m[w] = v
		} else {
			m[string(k)] = v
		}
		if r.eat('}') {
			return true
		}
		if !r.eat(',') {
			return false
		}
	}
}

// opt reads null as nil, anything else into a new value, as encoding/json
// does for a pointer field.
func opt[T any](r *scanner, p **T, read func(*T) bool) bool {
	if r.null() {
		*p = nil
		return true
	}
	v := new(T)
	*p = v
	return read(v)
}

// list reads null as nil and [] as an empty, non-nil slice, as encoding/json does.
func list[T any](r *scanner, p *[]T, read func(*T) bool) bool {
	if r.null() {
		*p = nil
		return true
	}
	out := []T{}
	ok := r.array(func() bool {
		var zero T
		out = append(out, zero)
		return read(&out[len(out)-1])
	})
	*p = out
	return ok
}
