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
