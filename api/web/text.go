package web

import (
	"context"
	"io"
	"strings"
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
// would, escaped the same way, without templ's attribute expression (the
// value boxed, then escaped on a generic path), which was two fifths of
// rendering the list: twenty rows on every view of the PIP page.
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
