package web

import (
	"bytes"
	"container/list"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coachjournal/coachjournal/api/httperr"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// pageCache keeps rendered pages (the team board, the rep page, the 1-on-1
// workspace, the PIP page) while what they were rendered from is
// unchanged, as the API's read cache keeps encoded answers. A page is kept per viewer (who signed
// in, as which role) and per URL, so a page never shows another viewer's
// view; and per day, so a page reads "today" as a fresh one would.
// Each entry keeps the projections.Stamp of everything the page read: the
// journals (the person's, their managers' up the tree, the viewer's, every
// person the page names) and the teams (the board's, the viewer's for the
// navigation), merged with the stamps of the read models it shows. A hit is
// served only while Set.Current says none of those changed, so a write the
// viewer made (and so read-your-writes), a move, a standard set above the
// person, a rename or an erasure all make the next request render afresh.
//
// What differs per request is left as holes: the CSRF token and the
// workspace's default meeting time, the current minute (each rendered as a
// random placeholder no one has seen, then written per request), and each
// form's idempotency key (a fresh one per request, as newForm makes); and
// a page's live parts, which each request renders itself (the PIP page's
// list of reads, which grows with every view, its chain badge and printed
// time: see keptPIP). Memory is bounded like the read cache: least
// recently used first out, once the bodies pass the budget. Bodies hold no
// pointers.
type pageCache struct {
	budget int64
	swept  atomic.Uint64 // the projections' Erasures() at the last sweep

	mu    sync.Mutex
	used  int64
	items map[string]*list.Element // of *cachedPage
	lru   list.List
}

// cachedPage is one rendered page, cut at its holes: parts[k] is followed
// by hole k, the last part by nothing.
type cachedPage struct {
	key   string
	stamp projections.Stamp
	parts [][]byte
	holes []int // per hole: holeCSRF, holeMinute, k > 0 the k-th form key, or liveHole(i)
	size  int64
	reads readRowMemo // a PIP page's: the rows of its list of reads
}

const (
	holeCSRF   = 0
	holeMinute = -1

	pageEntryOverhead = 512
)

// liveHole is the hole code of a page's i-th live part; livePart undoes it.
func liveHole(i int) int { return -2 - i }
func livePart(h int) int { return -2 - h }

func newPageCache(budget int64) *pageCache {
	if budget <= 0 {
		return nil
	}
	return &pageCache{budget: budget, items: map[string]*list.Element{}}
}

func (pc *pageCache) get(key string) *cachedPage {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	el := pc.items[key]
	if el == nil {
		return nil
	}
	pc.lru.MoveToFront(el)
	return el.Value.(*cachedPage)
}

func (pc *pageCache) put(e *cachedPage) {
	e.size = int64(len(e.key)+8*len(e.holes)) + pageEntryOverhead
	for _, p := range e.parts {
		e.size += int64(len(p))
	}
	if slices.ContainsFunc(e.holes, func(h int) bool { return h < holeMinute }) { // live parts: a PIP page
		e.size += readRowMemoSize
	}
	if e.size > pc.budget/8 {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if el := pc.items[e.key]; el != nil {
		pc.used -= el.Value.(*cachedPage).size
		pc.lru.Remove(el)
	}
	pc.items[e.key] = pc.lru.PushFront(e)
	pc.used += e.size
	for pc.used > pc.budget {
		old := pc.lru.Back()
		pc.lru.Remove(old)
		o := old.Value.(*cachedPage)
		delete(pc.items, o.key)
		pc.used -= o.size
	}
}

// sweep drops every page no longer current, once per count of erasures,
// so that no erased text stays in memory (as the read cache does).
func (pc *pageCache) sweep(erasures uint64, current func(projections.Stamp) bool) {
	last := pc.swept.Load()
	if erasures == last || !pc.swept.CompareAndSwap(last, erasures) {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	for key, el := range pc.items {
		e := el.Value.(*cachedPage)
		e.reads.clear() // a reader's name the erasure took
		if !current(e.stamp) {
			pc.lru.Remove(el)
			delete(pc.items, key)
			pc.used -= e.size
		}
	}
}

// pageDeps collects, while a cacheable page is rendered, what it read.
// Its methods do nothing on nil: pages rendered uncached (after a form
// post, say) call them all the same.
type pageDeps struct {
	stamp      projections.Stamp
	stamped    bool // stamp holds a read's stamp
	journals   []uuid.UUID
	teams      []uuid.UUID
	csrfHole   string   // the placeholder rendered for the CSRF token
	minuteHole string   // the placeholder rendered for now's minute (nowMinute)
	live       []string // the placeholders rendered for the page's live parts, in order
}

const depsKey = "web.pagedeps"

func depsOf(c echo.Context) *pageDeps {
	d, _ := c.Get(depsKey).(*pageDeps)
	return d
}

// read merges the stamp of a read model the page shows.
func (d *pageDeps) read(st projections.Stamp) {
	switch {
	case d == nil:
	case d.stamped:
		d.stamp = d.stamp.Merge(st)
	default:
		d.stamp, d.stamped = st, true
	}
}

// journal notes that the page shows something of id's journal (a name).
func (d *pageDeps) journal(ids ...uuid.UUID) {
	if d != nil {
		d.journals = append(d.journals, ids...)
	}
}

// actor notes the journal of an actor the page names, when it is a person.
func (d *pageDeps) actor(id string) {
	if d == nil {
		return
	}
	if pid, err := parseID(id); err == nil {
		d.journals = append(d.journals, pid)
	}
}

// team notes that the page depends on who is in managerID's team.
func (d *pageDeps) team(managerID uuid.UUID) {
	if d != nil {
		d.teams = append(d.teams, managerID)
	}
}

// keyed is page data whose forms carry idempotency keys.
type keyed interface{ formKeys() []string }

// cacheable serves GET page h from the page cache, or renders it,
// collecting what it reads, and keeps it.
func (u *ui) cacheable(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token := csrfToken(c)
		if !u.keeps(c, token) {
			return h(c)
		}
		k := u.pageKey(c)
		if e := u.kept(k); e != nil {
			return u.writeCached(c, e, token, nil)
		}
		r := u.startKeeping(c)
		defer r.release()
		return u.finishKeeping(c, r, k, token, h(c), nil)
	}
}

// keeps reports whether the request's page may be kept: a page cache, a
// CSRF token (a signed-in browser), a query of reasonable length.
func (u *ui) keeps(c echo.Context, token string) bool {
	return u.pageCache != nil && token != "" && len(c.Request().URL.RawQuery) <= 512
}

// kept returns the page kept under key k while it is current, nil when
// there is none (counting the hit or the miss).
func (u *ui) kept(k string) *cachedPage {
	pc := u.pageCache
	if n := u.Views.Erasures(); n != pc.swept.Load() {
		pc.sweep(n, u.Views.Current)
	}
	if e := pc.get(k); e != nil && u.Views.Current(e.stamp) {
		u.count(true)
		return e
	}
	u.count(false)
	return nil
}

// pageRender is a page being rendered to be kept: from startKeeping on,
// what the request reads is collected, and the page is rendered into buf.
type pageRender struct {
	d        *pageDeps
	seq      uint64 // the projections' sequence before any read: see StampSince
	erasures uint64
	buf      *bytes.Buffer
}

func (u *ui) startKeeping(c echo.Context) *pageRender {
	r := &pageRender{d: &pageDeps{csrfHole: newKey(), minuteHole: newKey()}, erasures: u.Views.Erasures()}
	r.seq = u.Views.Sequence()
	c.Set(depsKey, r.d)
	u.viewerDeps(r.d, viewer(c))
	r.buf = getPageBuffer() // cut copies what it keeps
	c.Set(captureKey, r.buf)
	return r
}

func (r *pageRender) release() { putPageBuffer(r.buf) }

// finishKeeping ends the rendering of r (err is the handler's): a page
// rendered with status 200 is kept under k, unless an erasure came
// meanwhile, and written with its holes filled (fill writes the live
// parts); any other page is written as it is, its placeholders replaced.
func (u *ui) finishKeeping(c echo.Context, r *pageRender, k, token string, err error, fill func(buf *bytes.Buffer, part int)) error {
	c.Set(depsKey, nil)
	c.Set(captureKey, nil)
	if err != nil || c.Response().Committed { // a redirect, or an error the error handler answers
		return err
	}
	d, body := r.d, r.buf.Bytes()
	status, _ := c.Get(captureStatusKey).(int)
	if status == http.StatusOK {
		e := cut(body, d.csrfHole, d.minuteHole, formKeysOf(c), d.live)
		if u.Views.Erasures() == r.erasures {
			st := u.Views.StampSince(r.seq, d.journals, d.teams)
			if d.stamped {
				st = st.Merge(d.stamp)
			}
			e.key, e.stamp = k, st
			u.pageCache.put(e)
		}
		return u.writeCached(c, e, token, fill)
	}
	if status == 0 { // the template failed (render logged it): not kept
		status = httperr.Status(domain.KindInternal)
	}
	body = bytes.ReplaceAll(body, []byte(d.minuteHole), []byte(u.minute()))
	return u.writeCaptured(c, status, bytes.ReplaceAll(body, []byte(d.csrfHole), []byte(token)))
}

// pageKey is the page cache's key of the request's page: the viewer (who
// signed in, as which role), the URL and today's date.
func (u *ui) pageKey(c echo.Context) string {
	v := viewer(c)
	var key bytes.Buffer
	key.WriteString(strconv.Itoa(len(v.Sub)))
	key.WriteByte(':')
	key.WriteString(v.Sub)
	key.WriteString(string(v.Role))
	key.WriteByte(0)
	key.Write(v.Person[:])
	key.WriteString(c.Request().URL.Path)
	key.WriteByte('?')
	key.WriteString(c.Request().URL.RawQuery)
	key.WriteByte(0)
	key.WriteString(u.Now().UTC().Format(time.DateOnly))
	return key.String()
}

// nowMinute is the current minute as a meeting time field shows it, or
// on a page being kept its placeholder.
func (u *ui) nowMinute(c echo.Context) string {
	if d := depsOf(c); d != nil {
		return d.minuteHole
	}
	return u.minute()
}

func (u *ui) minute() string { return u.Now().UTC().Truncate(time.Minute).Format(heldAtLayout) }

func (u *ui) count(hit bool) {
	if u.CountPage != nil {
		u.CountPage(hit)
	}
}

// viewerDeps notes what the layout reads of the viewer (viewerView).
func (u *ui) viewerDeps(d *pageDeps, v Viewer) {
	d.journal(v.Person)
	d.team(v.Person)
	for _, r := range u.Views.People(&v.Person) {
		d.team(r.ID) // leadsLeaders
	}
}

const (
	captureKey       = "web.capture"
	captureStatusKey = "web.capture.status"
	formKeysKey      = "web.formkeys"
)

func formKeysOf(c echo.Context) []string {
	k, _ := c.Get(formKeysKey).([]string)
	return k
}

// cut splits body at every occurrence of the placeholders, of each form
// key and of each live part's placeholder. All are fresh random values no text on the page can hold. The
// body is copied once, and the parts are slices of the copy. Each mark is
// searched for once from where its last occurrence ended, so a page is
// read once per mark, however many holes it has.
func cut(body []byte, csrfHole, minuteHole string, keys, live []string) *cachedPage {
	type mark struct {
		hole int
		text []byte
		at   int // the next occurrence at or after from, -1 when none
	}
	marks := make([]mark, 0, 2+len(keys)+len(live))
	add := func(hole int, text string) {
		if text != "" {
			m := mark{hole: hole, text: []byte(text)}
			m.at = indexFrom(body, m.text, 0)
			marks = append(marks, m)
		}
	}
	add(holeCSRF, csrfHole)
	add(holeMinute, minuteHole)
	for k, key := range keys {
		add(k+1, key)
	}
	for i, ph := range live {
		add(liveHole(i), ph)
	}
	body = bytes.Clone(body)
	e := &cachedPage{}
	for from := 0; ; {
		next := -1
		for k := range marks {
			m := &marks[k]
			if m.at >= 0 && m.at < from { // inside the hole just cut (marks never overlap, but be sure)
				m.at = indexFrom(body, m.text, from)
			}
			if m.at >= 0 && (next < 0 || m.at < marks[next].at) {
				next = k
			}
		}
		if next < 0 {
			e.parts = append(e.parts, body[from:len(body):len(body)])
			return e
		}
		m := &marks[next]
		e.parts = append(e.parts, body[from:m.at:m.at])
		e.holes = append(e.holes, m.hole)
		from = m.at + len(m.text)
		m.at = indexFrom(body, m.text, from)
	}
}

// indexFrom is the index in body of text's first occurrence at or after
// from, or -1.
func indexFrom(body, text []byte, from int) int {
	i := bytes.Index(body[from:], text)
	if i < 0 {
		return -1
	}
	return from + i
}

// pageBuffers are the buffers pages are rendered into, kept between
// requests. A new one starts at pageBufferSize, above most pages, so that a
// page is not copied through a chain of doubling buffers; one grown past
// a megabyte (an export-sized page) is not kept.
var pageBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, pageBufferSize)) }}

const pageBufferSize = 32 << 10

func getPageBuffer() *bytes.Buffer {
	buf := pageBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	return buf
}

func putPageBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= 1<<20 {
		pageBuffers.Put(buf)
	}
}

// writeCached writes a kept page with this request's CSRF token and fresh
// form keys in its holes, and its live parts as fill writes them (nil for
// a page without any).
func (u *ui) writeCached(c echo.Context, e *cachedPage, token string, fill func(buf *bytes.Buffer, part int)) error {
	buf := getPageBuffer()
	defer putPageBuffer(buf)
	var keys map[int]string
	for k, part := range e.parts {
		buf.Write(part)
		if k == len(e.holes) {
			break
		}
		h := e.holes[k]
		switch h {
		case holeCSRF:
			buf.WriteString(token)
			continue
		case holeMinute:
			buf.WriteString(u.minute())
			continue
		}
		if h < holeMinute {
			fill(buf, livePart(h))
			continue
		}
		if keys == nil {
			keys = map[int]string{}
		}
		if _, ok := keys[h]; !ok {
			keys[h] = newKey()
		}
		buf.WriteString(keys[h])
	}
	return u.writeCaptured(c, http.StatusOK, buf.Bytes())
}

func (u *ui) writeCaptured(c echo.Context, status int, body []byte) error {
	u.pageHeaders(c)
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(body)
	return err
}
