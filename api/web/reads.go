package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
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
// read and those of others since, above) and copies the run of rows it
// did list, in one piece. A row is matched on everything it shows, so
// a reader renamed or erased since is rendered afresh; an erasure also
// empties every memo (pageCache.sweep), so that no erased name stays in
// memory. The markup is built in one of two buffers, the last view's in
// the other, so a view allocates nothing but the rows it renders; views
// of the same page take turns.
type readRowMemo struct {
	mu   sync.Mutex
	rows []ReadRow // the last view's rows, newest first
	html [2][]byte // html[cur]: their markup, one row after another
	ends [2][]int  // ends[cur]: where each row's markup ends in html[cur]
	cur  int
}

// readRowMemoSize is what the page cache counts for a memo in its page's
// size: two buffers of readsOnPage rows of some 300 bytes, with room to
// spare (rows of very long names take more).
const readRowMemoSize = 16 << 10

// component writes rows as pipReadRows does, copying from the memo the
// run of rows the last view listed in the same order; the memo then holds
// the rows just written. A nil memo renders them all.
func (m *readRowMemo) component(hr bool, rows []ReadRow) templ.Component {
	if m == nil {
		return pipReadRows(hr, rows)
	}
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		m.mu.Lock()
		defer m.mu.Unlock()
		last, html, ends := m.rows, m.html[m.cur], m.ends[m.cur]
		// The run: the rows the last view listed, in the same order, from
		// one of its first three on (its own read, at its top, may not be
		// listed yet by a view that started before it was stored). at is
		// where the run starts in rows, from where in last.
		at, from, run := len(rows), 0, 0
		for j := 0; j < min(len(last), 3) && run == 0; j++ {
			if i := slices.IndexFunc(rows, func(r ReadRow) bool { return sameRead(r, last[j]) }); i >= 0 {
				at, from = i, j
				for at+run < len(rows) && from+run < len(last) && sameRead(rows[at+run], last[from+run]) {
					run++
				}
			}
		}
		next := bytes.NewBuffer(m.html[1-m.cur][:0])
		nextEnds := m.ends[1-m.cur][:0]
		for i := 0; i < len(rows); i++ {
			if i == at && run > 0 {
				begin := 0
				if from > 0 {
					begin = ends[from-1]
				}
				start := next.Len() - begin
				next.Write(html[begin:ends[from+run-1]])
				for k := range run {
					nextEnds = append(nextEnds, start+ends[from+k])
				}
				i += run - 1
				continue
			}
			if err := pipReadRow(hr, rows[i]).Render(ctx, next); err != nil {
				return err
			}
			nextEnds = append(nextEnds, next.Len())
		}
		m.cur = 1 - m.cur
		m.rows, m.html[m.cur], m.ends[m.cur] = rows, next.Bytes(), nextEnds
		_, err := w.Write(next.Bytes())
		return err
	})
}

// clear forgets every row, and drops the buffers that held them.
func (m *readRowMemo) clear() {
	m.mu.Lock()
	m.rows, m.html, m.ends = nil, [2][]byte{}, [2][]int{}
	m.mu.Unlock()
}

// sameRead reports whether a and b show the same.
func sameRead(a, b ReadRow) bool {
	return a.At.Equal(b.At) && a.Role == b.Role && a.Via == b.Via && a.Sub == b.Sub && a.Name == b.Name &&
		a.You == b.You && a.RequestID == b.RequestID
}
