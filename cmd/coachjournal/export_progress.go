package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// progress draws a progress bar on stderr when it is a terminal, and
// nothing otherwise (logs and pipes stay clean).
type progress struct {
	w     io.Writer // nil: quiet
	start time.Time
	next  time.Time
	seq   uint64
	last  uint64
}

func newProgress(stderr io.Writer) *progress {
	p := &progress{start: time.Now()}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.w = f
	}
	return p
}

// at records that sequence seq of last is done, redrawing a few times a second.
func (p *progress) at(seq, last uint64) {
	p.seq, p.last = seq, last
	if p.w == nil {
		return
	}
	if now := time.Now(); now.After(p.next) {
		p.next = now.Add(200 * time.Millisecond)
		p.draw()
	}
}

func (p *progress) draw() {
	const width = 30
	frac := float64(p.seq) / float64(max(p.last, 1))
	filled := int(frac * width)
	rate := float64(p.seq) / max(time.Since(p.start).Seconds(), 1e-3)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%% %d/%d events, %.0f/s ", strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		100*frac, p.seq, p.last, rate)
}

func (p *progress) done() {
	if p.w != nil && p.last > 0 {
		p.draw()
		fmt.Fprintln(p.w)
	}
}
