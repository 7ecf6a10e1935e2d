package web

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestCut: a page cut at its placeholders and form keys, written back with
// each hole's value, is the page with each mark replaced by that value,
// whatever the number, order and repetition of the marks (pages repeat the
// CSRF token and a form's key), and a part of it is never changed by a later
// write to another.
func TestCut(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for n := range 2000 {
		csrf, minute := newKey(), newKey()
		keys := make([]string, r.IntN(5))
		for k := range keys {
			keys[k] = newKey()
		}
		if n%7 == 0 {
			minute = "" // a page with no minute field
		}
		marks := append([]string{csrf, minute}, keys...)
		values := map[string]string{csrf: "TOKEN", minute: "12:00"}
		for k, key := range keys {
			values[key] = "KEY" + string(rune('a'+k))
		}
		var page, want strings.Builder
		for range r.IntN(40) {
			text := strings.Repeat("<p>words & more</p>", r.IntN(4))
			page.WriteString(text)
			want.WriteString(text)
			if m := marks[r.IntN(len(marks))]; m != "" {
				page.WriteString(m)
				want.WriteString(values[m])
			}
		}
		body := []byte(page.String())
		e := cut(body, csrf, minute, keys, nil)
		if len(e.parts) != len(e.holes)+1 {
			t.Fatalf("%d parts for %d holes", len(e.parts), len(e.holes))
		}
		copy(body, bytes.Repeat([]byte{'x'}, len(body))) // the buffer goes back to its pool: the entry must not share it
		var got strings.Builder
		for k, part := range e.parts {
			got.Write(part)
			if k == len(e.holes) {
				break
			}
			switch h := e.holes[k]; h {
			case holeCSRF:
				got.WriteString(values[csrf])
			case holeMinute:
				got.WriteString(values[minute])
			default:
				got.WriteString(values[keys[h-1]])
			}
		}
		if got.String() != want.String() {
			t.Fatalf("page %d: written back\n%q\nwant\n%q", n, got.String(), want.String())
		}
		for k := range e.parts[:len(e.parts)-1] {
			if cap(e.parts[k]) != len(e.parts[k]) {
				t.Fatalf("part %d has room past its end (cap %d, len %d): an append would write over what follows", k, cap(e.parts[k]), len(e.parts[k]))
			}
		}
	}
}

// BenchmarkCut cuts a page of 14 KB with a CSRF token, no minute field and
// three form keys, each twice.
//
//	go test ./api/web -run '^$' -bench Cut -benchmem
func BenchmarkCut(b *testing.B) {
	csrf, keys := newKey(), []string{newKey(), newKey(), newKey()}
	var page strings.Builder
	for i := range 8 {
		page.WriteString(strings.Repeat(`<td class="num">$52,000</td>`, 60))
		page.WriteString([]string{csrf, keys[0], keys[1], keys[2]}[i%4])
	}
	body := []byte(page.String())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		cut(body, csrf, "", keys, nil)
	}
}
