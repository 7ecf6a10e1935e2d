package api

import (
	"bytes"
	"container/list"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/coachjournal/coachjournal/projections"
	"github.com/labstack/echo/v4"
)

// DefaultReadCacheBytes is the read cache's default budget: the encoded
// answers it holds, with their keys and stamps, stay below it.
const DefaultReadCacheBytes = 256 << 20

// readCache memoizes the encoded JSON of the heavy reads: scorecards, team
// boards, timeline pages and commitment histories. An answer changes only
// when the projections apply an event it depends on, so each entry keeps
// the projections.Stamp of the state it was computed from, and a hit is
// served only while Set.Current says that state still holds: a write (and
// so read-your-writes and X-Min-Sequence), an erasure, a manager change or
// a standard set above the person all make the next read compute afresh.
// What a caller may see is decided before the cache is consulted, on every
// request (see), and the ETag comes from that same check; the cache holds
// no answer that differs by caller. The time a read of "now" answers at
// (as_of) is not part of the entry: it is written into the holes the entry
// records, on every hit.
//
// Memory is bounded: entries are kept in least-recently-used order and the
// oldest go once the encoded bytes (plus keys and about entryOverhead each)
// pass the budget; a key holds only its latest answer, and an answer over
// an eighth of the budget is not kept. The default, 256 MiB, is sized on
// the bench's org of 10,000 people so that the answers of any one of
// those reads fit and a mix keeps the most used (the sizes are in
// docs/performance.md, "Reads"). Bodies are
// pointer-free, so a full cache adds little to the garbage collector's
// marking. Config.ReadCacheBytes changes the budget or turns the cache off.
//
// Erased text does not linger either: when the projections report a new
// erasure (Set.Erasures), the next read drops every entry that is no
// longer current, and an answer computed across an erasure is not kept.
type readCache struct {
	budget int64
	swept  atomic.Uint64 // the projections' Erasures() at the last sweep

	mu    sync.Mutex
	used  int64
	items map[string]*list.Element // of *cachedRead
	lru   list.List                // front: the most recently used
}

// cachedRead is one encoded answer.
type cachedRead struct {
	key   string
	stamp projections.Stamp
	body  []byte // exactly as c.JSON writes it, trailing newline included
	holes []int  // offsets in body of the placeholders for the answer's time
	size  int64

	// For a commitment history as known now: where each commitment's
	// life lies in body, and the projections' Erasures() it was computed
	// at (serveKeeping).
	lives    []keptLife
	erasures uint64
}

// entryOverhead approximates what an entry costs beyond its key and body.
const entryOverhead = 256

func newReadCache(budget int64) *readCache {
	if budget < 0 {
		return nil
	}
	if budget == 0 {
		budget = DefaultReadCacheBytes
	}
	return &readCache{budget: budget, items: map[string]*list.Element{}}
}

// get returns key's entry, marking it recently used; nil when absent.
func (rc *readCache) get(key string) *cachedRead {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	el := rc.items[key]
	if el == nil {
		return nil
	}
	rc.lru.MoveToFront(el)
	return el.Value.(*cachedRead)
}

// sweep drops every entry that is no longer current, once for each
// count of erasures the projections report: a stale answer is never
// served, and after an erasure none holding the erased text is kept.
func (rc *readCache) sweep(erasures uint64, current func(projections.Stamp) bool) {
	last := rc.swept.Load()
	if erasures == last || !rc.swept.CompareAndSwap(last, erasures) { // one sweep per count
		return
	}
	rc.mu.Lock()
	all := make([]*cachedRead, 0, len(rc.items))
	for el := rc.lru.Front(); el != nil; el = el.Next() {
		all = append(all, el.Value.(*cachedRead))
	}
	rc.mu.Unlock()
	var stale []*cachedRead
	for _, e := range all {
		if !current(e.stamp) {
			stale = append(stale, e)
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, e := range stale {
		if el := rc.items[e.key]; el != nil && el.Value.(*cachedRead) == e {
			rc.lru.Remove(el)
			delete(rc.items, e.key)
			rc.used -= e.size
		}
	}
}

// put stores e as key's latest answer and evicts the least recently used
// entries past the budget.
func (rc *readCache) put(e *cachedRead) {
	e.size = int64(len(e.key)+len(e.body)+8*len(e.holes)+int(unsafe.Sizeof(keptLife{}))*len(e.lives)) + entryOverhead
	if e.size > rc.budget/8 {
		return // one answer may not push out a large part of the rest
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if el := rc.items[e.key]; el != nil {
		rc.used -= el.Value.(*cachedRead).size
		rc.lru.Remove(el)
	}
	rc.items[e.key] = rc.lru.PushFront(e)
	rc.used += e.size
	for rc.used > rc.budget {
		old := rc.lru.Back()
		rc.lru.Remove(old)
		o := old.Value.(*cachedRead)
		delete(rc.items, o.key)
		rc.used -= o.size
	}
}

// timeHole names, in the encoded answer, the value of every as_of the
// handler would fill in with the time it answered: encoding/json writes a
// nil *time.Time as null and a zero time.Time as below. Only the field of
// that name is matched: a JSON string cannot contain an unescaped quote, so
// neither can occur inside a text.
var (
	nullAsOf = []byte("null")
	zeroAsOf = []byte(`"0001-01-01T00:00:00Z"`)
)

// readAnswer computes an answer and the stamp of what it was computed from.
type readAnswer func() (any, projections.Stamp)

// serveRead answers a read from the cache when the entry for key is still
// current, else computes it, encodes it as c.JSON would and caches it.
// hole is the encoded value of each "as_of" that stands for now (nullAsOf
// or zeroAsOf), or nil when the answer holds no such time.
func (s *Server) serveRead(c echo.Context, key string, hole []byte, answer readAnswer) error {
	_, pretty := c.QueryParams()["pretty"]
	cacheable := s.reads != nil && !pretty && !c.Echo().Debug
	if cacheable {
		if e := s.lookupRead(key); e != nil && s.views.Current(e.stamp) {
			s.metrics.readCacheHits.Inc()
			return s.writeRead(c, e.body, e.holes, len(hole))
		}
		s.metrics.readCacheMisses.Inc()
	}
	erasures := s.views.Erasures()
	v, stamp := answer()
	buf := encodeBuffers.Get().(*bytes.Buffer)
	defer putEncodeBuffer(buf)
	buf.Reset()
	enc := json.NewEncoder(buf)
	sep := ":"
	if pretty || c.Echo().Debug {
		enc.SetIndent("", "  ") // as c.JSON does
		sep = ": "
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	holes := findHoles(buf.Bytes(), sep, hole)
	if cacheable && s.views.Erasures() == erasures { // else the answer may hold text erased since: not kept
		s.reads.put(&cachedRead{key: key, stamp: stamp, body: bytes.Clone(buf.Bytes()), holes: holes})
	}
	return s.writeRead(c, buf.Bytes(), holes, len(hole))
}

// lookupRead returns key's entry, current or not, once the entries an
// erasure left stale are swept; nil when there is none.
func (s *Server) lookupRead(key string) *cachedRead {
	if n := s.views.Erasures(); n != s.reads.swept.Load() {
		s.reads.sweep(n, s.views.Current)
	}
	return s.reads.get(key)
}

// findHoles returns the offset of every value hole of an "as_of" member.
func findHoles(body []byte, sep string, hole []byte) []int {
	if hole == nil {
		return nil
	}
	needle := append([]byte(`"as_of"`+sep), hole...)
	var holes []int
	for at := 0; ; {
		k := bytes.Index(body[at:], needle)
		if k < 0 {
			return holes
		}
		at += k + len(needle)
		holes = append(holes, at-len(hole))
	}
}

// writeRead writes body with the time of the answer in its holes (each
// holeLen bytes long), as a 200 application/json answer, in one Write: a
// large answer then leaves in as few packets and system calls as it can.
func (s *Server) writeRead(c echo.Context, body []byte, holes []int, holeLen int) error {
	out := body
	if len(holes) > 0 {
		now, err := s.now().UTC().MarshalJSON()
		if err != nil {
			return err
		}
		buf := encodeBuffers.Get().(*bytes.Buffer)
		defer putEncodeBuffer(buf)
		buf.Reset()
		at := 0
		for _, k := range holes {
			buf.Write(body[at:k])
			buf.Write(now)
			at = k + holeLen
		}
		buf.Write(body[at:])
		out = buf.Bytes()
	}
	r := c.Response()
	h := r.Header()
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(out)))
	r.WriteHeader(http.StatusOK)
	_, err := r.Write(out)
	return err
}

// encodeBuffers are reused to encode answers: an answer is encoded whole
// before it is written (and cached).
var encodeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps an unusually large answer's buffer out of the pool.
const maxPooledBuffer = 1 << 20

func putEncodeBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuffer {
		encodeBuffers.Put(b)
	}
}

// readKey builds a cache key from a kind and the parameters that select
// the answer; each part is length-prefixed, so no two lists of parts give
// the same key.
func readKey(kind string, parts ...string) string {
	b := make([]byte, 0, 96)
	b = append(b, kind...)
	for _, p := range parts {
		b = strconv.AppendInt(append(b, '|'), int64(len(p)), 10)
		b = append(append(b, ':'), p...)
	}
	return string(b)
}

// instantKey is a time's instant (the same for every zone and spelling of
// it); "" for the zero time, which reads as now.
func instantKey(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.Unix(), 10) + "." + strconv.Itoa(t.Nanosecond())
}
