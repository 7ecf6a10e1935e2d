package web

import (
	"context"
	"io"
	"strings"
	"sync"
	"time"
)

// text is s as escaped text in an element's content, as { s } writes it,
// without the fmt.Sprint templ compiles every text expression to
// (templ.JoinStringErrs: the string boxed, printed and copied). @text(s)
// calls Render on the value itself, and the escaping goes straight to the
// page's buffer: nothing is allocated.
//
// Whitespace: templ drops the whitespace around an @ call that { } would
// keep as a space (between two calls, between an element and a call, at
// the end of a line before an element or an if); text written around a
// call on the same line keeps its spaces. Where a space must stay, keep
// { s } or write the space inside the text.
type text string

// textEscaper is html.EscapeString's replacer, which { s } escapes with
// (templ.EscapeString): the same five characters, the same entities.
var textEscaper = strings.NewReplacer(`&`, "&amp;", `'`, "&#39;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;")

// Render writes t escaped to w.
func (t text) Render(_ context.Context, w io.Writer) error {
	_, err := textEscaper.WriteString(w, string(t))
	return err
}

// space is the one space that templ drops around an @ call where { }
// keeps it: between two calls, after an element, or before an if at the
// end of a line. @space on a line of its own puts it back.
const space = text(" ")

// requestCell is HR's cell of a read's request id in a PIP's list of
// reads: the whole id in the cell's title, its first characters shown.
// It writes what <td class="mono" title={ id }>@text(short(id))…</td>
// would, escaped the same way, without templ's attribute expression,
// which boxes the value (an allocation for each of the twenty rows of
// every view of the PIP page) before it escapes it.
type requestCell string

// Render writes the cell to w.
func (id requestCell) Render(_ context.Context, w io.Writer) error {
	for _, part := range [...]struct {
		s       string
		escaped bool
	}{{`<td class="mono" title="`, false}, {string(id), true}, {`">`, false}, {short(string(id)), true}, {"…</td>", false}} {
		var err error
		if part.escaped {
			_, err = textEscaper.WriteString(w, part.s)
		} else {
			_, err = io.WriteString(w, part.s)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stampText is a moment in words as @text(stamp(t)) writes it, "6 Dec
// 2026 14:05 UTC", formatted into the page's buffer instead of a string of
// its own: the PIP page prints one for each of its twenty reads on every
// view. Its characters need no escaping.
type stampText time.Time

// Render writes the moment to w.
func (t stampText) Render(_ context.Context, w io.Writer) error {
	return writeFormatted(w, func(b []byte) []byte { return time.Time(t).UTC().AppendFormat(b, stampLayout) })
}

// dayTime is a timeline entry's moment: <time datetime="RFC 3339">the day
// in words</time>, as the rep page's template wrote it with an attribute
// expression and @text(day(t)), twenty times a page. Neither part needs
// escaping.
type dayTime time.Time

// Render writes the element to w.
func (t dayTime) Render(_ context.Context, w io.Writer) error {
	return writeFormatted(w, func(b []byte) []byte {
		b = append(b, `<time datetime="`...)
		b = time.Time(t).AppendFormat(b, time.RFC3339)
		b = append(b, `">`...)
		b = time.Time(t).UTC().AppendFormat(b, dayLayout)
		return append(b, "</time>"...)
	})
}

// writeFormatted writes what format appends to an empty buffer, one of
// formatBuffers: a buffer on the stack would escape through w.
func writeFormatted(w io.Writer, format func([]byte) []byte) error {
	p := formatBuffers.Get().(*[]byte)
	*p = format((*p)[:0])
	_, err := w.Write(*p)
	formatBuffers.Put(p)
	return err
}

var formatBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 96); return &b }}
