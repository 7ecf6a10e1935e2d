package eventjson

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sync"
)

// canonWriter writes the canonical form of a JSON document in one pass over
// its bytes. It is a fast path only, like scanner, whose reading it shares:
// it reports false on anything it cannot vouch is written exactly as
// Canonical's encoding/json round trip writes it (escapes, HTML characters,
// repeated keys, deep nesting, trailing bytes, invalid input), and the
// caller then canonicalizes the whole document the slow way.
type canonWriter struct {
	scanner
	out  []byte
	drop string // the top-level key left out, if any
	mem  []member
	head envelopeHead
}

// member is one written "key":value of an object: out[start:end], with its
// key at b[key:keyEnd].
type member struct {
	key, keyEnd, start, end int
}

// envelopeHead is what VerifyHash reads of the top-level object besides its
// canonical bytes: the raw tokens of hash and prev_hash and how often each
// came, and whether some other key could match either field when
// encoding/json decodes it case-insensitively.
type envelopeHead struct {
	hash, prevHash   []byte
	nHash, nPrevHash int
	oddKey           bool
}

// maxCanonDepth bounds the nesting the fast path follows.
const maxCanonDepth = 64

// canonWriters keeps writers with their buffers between calls: a writer's
// methods store through it, so one on the stack would escape anyway.
var canonWriters = sync.Pool{New: func() any { return new(canonWriter) }}

// maxPooledOut bounds the buffer a pooled writer keeps.
const maxPooledOut = 64 << 10

func newCanonWriter() *canonWriter { return canonWriters.Get().(*canonWriter) }

// free returns c to the pool, holding on to nothing of the last document.
func (c *canonWriter) free() {
	if cap(c.out) > maxPooledOut {
		c.out = nil
	}
	c.scanner, c.head = scanner{}, envelopeHead{}
	canonWriters.Put(c)
}

// write appends the canonical form of doc, less the top-level key drop, to
// c.out, and notes c.head. With false, c.out's contents past what it held
// are undefined.
func (c *canonWriter) write(doc []byte, drop string) bool {
	c.scanner, c.drop, c.head, c.mem = scanner{b: doc}, drop, envelopeHead{}, c.mem[:0]
	return c.value(0) && c.end()
}

func (c *canonWriter) value(depth int) bool {
	c.ws()
	if c.i >= len(c.b) || depth >= maxCanonDepth {
		return false
	}
	switch ch := c.b[c.i]; ch {
	case '{':
		return c.object(depth)
	case '[':
		return c.array(depth)
	case '"':
		s, ok := c.verbatim()
		c.out = append(append(append(c.out, '"'), s...), '"')
		return ok
	case 't', 'f', 'n':
		start := c.i
		ok := c.literal("true") || c.literal("false") || c.literal("null")
		c.out = append(c.out, c.b[start:c.i]...)
		return ok
	}
	n, ok := c.number()
	c.out = append(c.out, n...)
	return ok
}

// verbatim reads a string that encoding/json decodes to its own bytes and
// encodes back to them: rawString's, less <, > and & (escaped for HTML)
// and U+2028 and U+2029 (escaped for JavaScript).
func (c *canonWriter) verbatim() ([]byte, bool) {
	s, ok := c.rawString()
	if !ok {
		return nil, false
	}
	i := 0
	for ; i+8 <= len(s) && !reescapedWord(binary.LittleEndian.Uint64(s[i:])); i += 8 {
	}
	for ; i < len(s); i++ {
		switch s[i] {
		case '<', '>', '&':
			return nil, false
		case 0xE2: // U+2028 and U+2029 are E2 80 A8 and E2 80 A9
			if i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9) {
				return nil, false
			}
		}
	}
	return s, true
}

// reescapedWord reports whether one of the 8 bytes of x is <, >, & or the
// first byte of U+2028 or U+2029.
func reescapedWord(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(y uint64) uint64 { return (y - ones) & ^y & highs }
	return zero(x^(ones*'<'))|zero(x^(ones*'>'))|zero(x^(ones*'&'))|zero(x^(ones*0xE2)) != 0
}

func (c *canonWriter) array(depth int) bool {
	c.i++
	c.out = append(c.out, '[')
	if c.eat(']') {
		c.out = append(c.out, ']')
		return true
	}
	for {
		if !c.value(depth + 1) {
			return false
		}
		switch {
		case c.eat(','):
			c.out = append(c.out, ',')
		case c.eat(']'):
			c.out = append(c.out, ']')
			return true
		default:
			return false
		}
	}
}

// object writes the members in the order read, then, unless that was
// already sorted, again in key order past them, and moves those down.
// Keys are verbatim strings, so their bytes are their values, which
// encoding/json sorts bytewise.
func (c *canonWriter) object(depth int) bool {
	c.i++
	c.out = append(c.out, '{')
	base, p := len(c.mem), len(c.out)
	sorted := true
	if !c.eat('}') {
		for {
			mark := len(c.out)
			if len(c.mem) > base {
				c.out = append(c.out, ',')
			}
			start := len(c.out)
			key, ok := c.verbatim()
			m := member{key: c.i - 1 - len(key), keyEnd: c.i - 1, start: start}
			if !ok || !c.eat(':') {
				return false
			}
			c.out = append(append(append(c.out, '"'), key...), '"', ':')
			c.ws()
			v := c.i
			if !c.value(depth + 1) {
				return false
			}
			m.end = len(c.out)
			switch {
			case depth == 0 && c.top(key, c.b[v:c.i]):
				c.out = c.out[:mark]
			case len(c.mem) > base && string(c.key(c.mem[len(c.mem)-1])) >= string(key):
				sorted = false
				fallthrough
			default:
				c.mem = append(c.mem, m)
			}
			if c.eat('}') {
				break
			}
			if !c.eat(',') {
				return false
			}
		}
	}
	ok := sorted || c.sort(p, c.mem[base:])
	c.mem = c.mem[:base]
	c.out = append(c.out, '}')
	return ok
}

func (c *canonWriter) key(m member) []byte { return c.b[m.key:m.keyEnd] }

// sort rewrites out[p:], the members ms with commas between, in key order.
// A key seen twice fails: encoding/json keeps the last value.
func (c *canonWriter) sort(p int, ms []member) bool {
	slices.SortFunc(ms, func(x, y member) int { return bytes.Compare(c.key(x), c.key(y)) })
	end := len(c.out)
	for k, m := range ms {
		if k > 0 {
			if bytes.Equal(c.key(ms[k-1]), c.key(m)) {
				return false
			}
			c.out = append(c.out, ',')
		}
		c.out = append(c.out, c.out[m.start:m.end]...)
	}
	c.out = c.out[:p+copy(c.out[p:], c.out[end:])]
	return true
}

// top notes what VerifyHash needs of a top-level member and reports whether
// it is the one to leave out (every time it comes: encoding/json keeps one,
// which Canonical deletes).
func (c *canonWriter) top(key, raw []byte) (dropped bool) {
	switch string(key) {
	case "hash":
		c.head.hash, c.head.nHash = raw, c.head.nHash+1
	case "prev_hash":
		c.head.prevHash, c.head.nPrevHash = raw, c.head.nPrevHash+1
	default:
		c.head.oddKey = c.head.oddKey || foldsLike(key, "hash") || foldsLike(key, "prev_hash")
	}
	return c.drop != "" && string(key) == c.drop
}

// foldsLike reports whether encoding/json could match key to a field
// named name (ASCII) other than exactly: by ASCII case or by any non-ASCII
// rune, which it folds with Unicode's simple folding (ſ matches s).
func foldsLike(key []byte, name string) bool {
	for _, b := range key {
		if b >= 0x80 {
			return true
		}
	}
	return bytes.EqualFold(key, []byte(name))
}
