package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ReadRow is one read of a PIP as the viewer may see it (the API's read
// audit decides which fields a viewer gets).
type ReadRow struct {
	At        time.Time
	Role      string
	Via       string
	Sub       string // empty unless the viewer is HR or admin
	Name      string // the reader's name when the reader is a person
	You       bool
	RequestID string // empty unless the viewer is HR or admin
}

// ReadPIP starts recording that the viewer reads pip, person's PIP (the read audit), and
// returns the newest reads the viewer may see, this one first, at most
// limit (0: as many as the read audit lists), with whether they may see
// them at all; and recorded, which waits until the read is stored and says
// whether the page may be sent: not when the read could not be stored, nor
// when the reads could not be listed (just after a start, the reads stored
// before it still loading). The page is rendered while the read is being stored
// and sent only once recorded returned nil: no PIP page is ever served
// unrecorded, and its rendering does not wait for the disk.
type ReadPIPFunc func(ctx context.Context, v Viewer, person, pip uuid.UUID, requestID string, limit int) (rows []ReadRow, visible bool, recorded func() error)

// readsOnPage is how many reads the PIP page lists before "Show older
// reads": a PIP read every day would otherwise list a hundred rows of the
// same names above the print. ?reads=all lists as many as the read audit
// keeps.
const readsOnPage = 20

// pipReads is the reads section of the PIP page.
type pipReads struct {
	Visible bool
	Rows    []ReadRow
	More    bool // older reads than Rows exist: the page links to them
	All     bool // the page lists as many as the read audit keeps
	// The rows already rendered, and readRows.begin's count of erasures;
	// rows nil: none kept.
	rows     *readRows
	erasures uint64
}

// recordRead starts recording the page's read (ReadPIPFunc): the page may
// be sent only once recorded returns nil. Without a read audit recorded
// always refuses, so that no PIP page is ever served unrecorded.
// The newest readsOnPage reads are listed unless all is set.
func (u *ui) recordRead(ctx context.Context, v Viewer, person, pip uuid.UUID, requestID string, all bool) (r pipReads, recorded func() error) {
	if u.ReadPIP == nil {
		return pipReads{}, func() error { return errNoReadAudit }
	}
	limit := readsOnPage + 1 // one more tells whether there are older ones
	if all {
		limit = 0
	}
	var erasures uint64
	if u.readRows != nil {
		erasures = u.readRows.begin()
	}
	rows, visible, recorded := u.ReadPIP(ctx, v, person, pip, requestID, limit)
	r = pipReads{Visible: visible, Rows: rows, All: all, rows: u.readRows, erasures: erasures}
	if !all && len(rows) > readsOnPage {
		r.Rows, r.More = rows[:readsOnPage], true
	}
	return r, recorded
}

var errNoReadAudit = errors.New("the read audit is not available")

// ErrReadsNotListed marks a recorded func's refusal because the PIP's
// reads could not be listed (just after a start, while the reads stored
// before it load), not because its read could not be stored: the page says
// which.
var ErrReadsNotListed = errors.New("the reads of the PIP could not be listed")

// readRows keeps the HTML of the reads' rows already rendered. A read is
// never changed, and its row shows nothing but what its key holds, so a
// row rendered once is the same for every later view that shows it so:
// a kept PIP page's view renders only its own read's row, where it
// rendered the twenty listed (a third of its handler's CPU; docs/
// performance.md, "The PIP page's read audit"). Bounded by two
// generations of readRowsKept rows each; a row found in the older is
// kept in the newer. An erasure drops every row (a reader's name may be
// in one), as it drops the pages kept.
type readRows struct {
	erasures func() uint64 // the projections' count of erasures
	mu       sync.RWMutex
	swept    uint64 // erasures when the rows were last dropped
	cur, old map[readRowKey][]byte
}

// readRowsKept bounds each generation of readRows: about 400 bytes a row
// with its key, so at most about 3 MB in all.
const readRowsKept = 4096

// readRowKey is everything a row shows: the read, as the viewer may see
// it, and whether the viewer sees request ids.
type readRowKey struct {
	at                              int64 // Unix nanoseconds
	role, via, sub, name, requestID string
	you, hr                         bool
}

// begin drops the rows if there was an erasure since they were last
// dropped, and returns the count of erasures, taken before the rows about
// to be shown were listed: rows rendered for them are kept only if it has
// not moved by then.
func (rs *readRows) begin() uint64 {
	n := rs.erasures()
	rs.mu.RLock()
	swept := rs.swept
	rs.mu.RUnlock()
	if swept != n {
		rs.mu.Lock()
		rs.cur, rs.old, rs.swept = nil, nil, n
		rs.mu.Unlock()
	}
	return n
}

// row is the component of row's line in the reads' table.
func (r pipReads) row(hr bool, row ReadRow) readRowView {
	return readRowView{rows: r.rows, erasures: r.erasures, hr: hr, row: row}
}

// readRowView is a row of the reads' table, from readRows when it holds
// it; without readRows (nil: the page cache is off), rendered every time.
type readRowView struct {
	rows     *readRows
	erasures uint64 // readRows.begin's
	hr       bool
	row      ReadRow
}

// Render writes the row from the cache, or renders it and keeps it.
func (v readRowView) Render(ctx context.Context, w io.Writer) error {
	if v.rows == nil {
		return pipReadRow(v.hr, v.row).Render(ctx, w)
	}
	k := readRowKey{at: v.row.At.UnixNano(), role: v.row.Role, via: v.row.Via, sub: v.row.Sub, name: v.row.Name,
		requestID: v.row.RequestID, you: v.row.You, hr: v.hr}
	if b, ok := v.rows.get(k); ok {
		_, err := w.Write(b)
		return err
	}
	var buf bytes.Buffer
	if err := pipReadRow(v.hr, v.row).Render(ctx, &buf); err != nil {
		return err
	}
	v.rows.put(k, buf.Bytes(), v.erasures)
	_, err := w.Write(buf.Bytes())
	return err
}

// get returns the row kept under k, none while an erasure has not been
// swept.
func (rs *readRows) get(k readRowKey) ([]byte, bool) {
	rs.mu.RLock()
	b, ok := rs.cur[k]
	older := false
	if !ok {
		b, ok = rs.old[k]
		older = ok
	}
	swept := rs.swept
	rs.mu.RUnlock()
	if !ok || swept != rs.erasures() {
		return nil, false
	}
	if older {
		rs.put(k, b, swept)
	}
	return b, true
}

// put keeps b under k, unless an erasure came since erasures was taken.
func (rs *readRows) put(k readRowKey, b []byte, erasures uint64) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if erasures != rs.swept || erasures != rs.erasures() {
		return
	}
	if rs.cur == nil || len(rs.cur) >= readRowsKept {
		rs.old, rs.cur = rs.cur, make(map[readRowKey][]byte, readRowsKept/4)
	}
	rs.cur[k] = b
}
