package web

import (
	"context"
	"errors"
	"time"

	"github.com/coachjournal/coachjournal/projections"
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

// ReadPIP records that the viewer reads pip (the read audit) and returns
// the reads the viewer may see, with whether they may see them at all.
// A PIP page is rendered only when the read was recorded.
type ReadPIPFunc func(ctx context.Context, v Viewer, pip projections.PIP, requestID string) (rows []ReadRow, visible bool, err error)

// pipReads is the reads section of the PIP page.
type pipReads struct {
	Visible bool
	Rows    []ReadRow
}

// recordRead records the page's read; without a read audit it refuses,
// so that no PIP page is ever served unrecorded.
func (u *ui) recordRead(ctx context.Context, v Viewer, pip projections.PIP, requestID string) (pipReads, error) {
	if u.ReadPIP == nil {
		return pipReads{}, errNoReadAudit
	}
	rows, visible, err := u.ReadPIP(ctx, v, pip, requestID)
	return pipReads{Visible: visible, Rows: rows}, err
}

var errNoReadAudit = errors.New("the read audit is not available")
