package web

import (
	"context"
	"errors"
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
