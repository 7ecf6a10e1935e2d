package web

import (
	"bytes"
	"context"
	"testing"

	"github.com/a-h/templ"
	templruntime "github.com/a-h/templ/runtime"
)

// TestText: @text(s) writes what { s } writes (templ.EscapeString of s),
// and allocates nothing, even for text that needs escaping.
func TestText(t *testing.T) {
	ctx := context.Background()
	for _, s := range []string{"", "Ana Lima", `<script>alert("x")</script>`, "Tom & Jerry's", "a>b<c", `"'&<>`,
		"&amp; already escaped", "ünïcödé · — → ✓", "tab\tnew\nline", "\xff invalid utf-8", "trailing &"} {
		var b bytes.Buffer
		if err := text(s).Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		if want := templ.EscapeString(s); b.String() != want {
			t.Errorf("text(%q) wrote %q, want %q", s, b.String(), want)
		}
	}
	var page bytes.Buffer
	buf, _ := templruntime.GetBuffer(&page) // the buffer generated code renders into
	defer func() { _ = templruntime.ReleaseBuffer(buf) }()
	s := `Tom & Jerry's <b>"deal"</b>`
	if n := testing.AllocsPerRun(100, func() {
		if err := text(s).Render(ctx, buf); err != nil {
			t.Fatal(err)
		}
		_ = buf.Flush()
		page.Reset()
	}); n != 0 {
		t.Errorf("text allocates %v times per render, want 0", n)
	}
}
