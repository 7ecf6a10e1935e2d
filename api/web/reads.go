package web

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
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

// ReadPIP starts recording that the viewer reads pip, person's PIP (the
// read audit), and returns the newest reads the viewer may see, this one
// first, at most limit (0: as many as the read audit lists), with whether
// they may see them at all; and recorded, which waits until the read is
// stored and says whether the page may be sent: not when the read could
// not be stored, nor when the reads could not be listed (just after a
// start, the reads stored before it still loading). The page is rendered
// while the read is being stored and sent only once recorded returned nil:
// no PIP page is ever served unrecorded, and its rendering does not wait
// for the disk.
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
	rows, visible, recorded := u.ReadPIP(ctx, v, person, pip, requestID, limit)
	r = pipReads{Visible: visible, Rows: rows, All: all}
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

// readRowMemo keeps the rows of a kept PIP page's list of reads as its
// last view wrote them. A row is the same bytes whenever the same read is
// shown to the same viewer, and a kept page has one viewer (pageKey), so
// the next view renders only the rows the last one did not list (its own
// read and those of others since, above) and copies the run of rows that
// follows them, in one piece. A row is matched on everything it shows, so
// a reader renamed or erased since is rendered afresh; an erasure also
// empties every memo (pageCache.sweep), so that no erased name stays in
// memory.
type readRowMemo struct {
	mu   sync.Mutex
	rows []ReadRow // the last view's rows, newest first
	html string    // their markup, one row after another
	ends []int     // where each row's markup ends in html
}

// readRowMemoSize is what a memo may hold, counted in its page's size in
// the page cache: readsOnPage rows of some 300 bytes, and their fields.
const readRowMemoSize = 16 << 10

// component writes rows as pipReadRows does, copying from the memo the
// run of rows the last view listed in the same order; the memo then holds
// the rows just written.
func (m *readRowMemo) component(hr bool, rows []ReadRow) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		m.mu.Lock()
		last, html, ends := m.rows, m.html, m.ends
		m.mu.Unlock()
		// The first of rows the last view listed first, and how many
		// rows from there on it listed in the same order.
		at, run := len(rows), 0
		if len(last) > 0 {
			at = slices.IndexFunc(rows, func(r ReadRow) bool { return sameRead(r, last[0]) })
			if at < 0 {
				at = len(rows)
			}
			for at+run < len(rows) && run < len(last) && sameRead(rows[at+run], last[run]) {
				run++
			}
		}
		var b strings.Builder
		b.Grow(len(html) + 512)
		next := make([]int, len(rows))
		for i := 0; i < len(rows); i++ {
			if i == at && run > 0 {
				start := b.Len()
				b.WriteString(html[:ends[run-1]])
				for k := range run {
					next[at+k] = start + ends[k]
				}
				i += run - 1
				continue
			}
			if err := pipReadRow(hr, rows[i]).Render(ctx, &b); err != nil {
				return err
			}
			next[i] = b.Len()
		}
		out := b.String()
		m.mu.Lock()
		m.rows, m.html, m.ends = rows, out, next
		m.mu.Unlock()
		_, err := io.WriteString(w, out)
		return err
	})
}

// clear forgets every row.
func (m *readRowMemo) clear() {
	m.mu.Lock()
	m.rows, m.html, m.ends = nil, "", nil
	m.mu.Unlock()
}

// sameRead reports whether a and b show the same.
func sameRead(a, b ReadRow) bool {
	return a.At.Equal(b.At) && a.Role == b.Role && a.Via == b.Via && a.Sub == b.Sub && a.Name == b.Name &&
		a.You == b.You && a.RequestID == b.RequestID
}
