package web

import (
	"bytes"
	"context"
	"testing"
	"time"

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

// TestRequestCell: requestCell writes the cell the template wrote with
// title={ id } (an attribute expression, which templ escapes with
// templ.EscapeString) and @text(short(id)), for ids a client may send
// (X-Request-Id: any printable ASCII) and the server's own.
func TestRequestCell(t *testing.T) {
	for _, id := range []string{"", "0193a0c4-1f0e-7000-8000-000000000000", `a"b<c&d'e>f`, `"'&<>"'&<>"'&<>`, "short"} {
		var b bytes.Buffer
		if err := requestCell(id).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		want := `<td class="mono" title="` + templ.EscapeString(id) + `">` + templ.EscapeString(short(id)) + "…</td>"
		if b.String() != want {
			t.Errorf("requestCell(%q) wrote %q, want %q", id, b.String(), want)
		}
	}
}

// TestStampAndDayTime: stampText and dayTime write what the templates
// wrote with @text(stamp(t)) and <time datetime={ t.Format(time.RFC3339) }>
// @text(day(t))</time>, in UTC and in another zone, on the hour and off it.
func TestStampAndDayTime(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	for _, at := range []time.Time{{}, time.Date(2026, 12, 6, 14, 5, 0, 0, time.UTC), time.Date(2026, 1, 31, 23, 59, 59, 999_999_999, paris),
		time.Date(1999, 7, 4, 0, 0, 7, 120, time.UTC)} {
		var b bytes.Buffer
		if err := stampText(at).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if want := templ.EscapeString(stamp(at)); b.String() != want {
			t.Errorf("stampText(%v) wrote %q, want %q", at, b.String(), want)
		}
		b.Reset()
		if err := dayTime(at).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if want := `<time datetime="` + templ.EscapeString(at.Format(time.RFC3339)) + `">` + templ.EscapeString(day(at)) + "</time>"; b.String() != want {
			t.Errorf("dayTime(%v) wrote %q, want %q", at, b.String(), want)
		}
	}
}
