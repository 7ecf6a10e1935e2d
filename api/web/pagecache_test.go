package web

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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

// TestReadRowMemo: a kept PIP page's rows of reads, the run of them its
// last view listed copied from the memo, are the rows rendered afresh,
// view after view, as new reads come in above, old ones drop off below, a
// reader is renamed or erased, a view lists its reads before the last
// view's own is stored, and the memo is emptied by an erasure. The
// copied rows are marked in the memo (<TR> for <tr>, the same length), so
// the test sees which rows were copied and that they are cut where they
// end.
func TestReadRowMemo(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 8))
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	names := []string{"Ana Lima", "Helen <HR> Ward", "", "Ben & Co"}
	newRead := func(i int) ReadRow {
		return ReadRow{At: at.Add(time.Duration(i) * time.Minute), Role: []string{"hr", "member", "admin"}[r.IntN(3)],
			Via: []string{"ui", "api"}[r.IntN(2)], Sub: "sub-" + strconv.Itoa(r.IntN(3)), Name: names[r.IntN(len(names))],
			You: r.IntN(4) == 0, RequestID: newKey()}
	}
	for _, hr := range []bool{true, false} {
		var m readRowMemo
		var rows []ReadRow // newest first
		copied := 0
		for view := range 300 {
			fresh := r.IntN(3) + 1 // this view's read, and others' since the last
			for range fresh {
				rows = append([]ReadRow{newRead(view*10 + len(rows))}, rows...)
			}
			if view%13 == 7 && len(rows) > fresh { // the last view's own read not listed yet: not stored when this view listed
				rows = slices.Delete(rows, fresh, fresh+1)
			}
			rows = rows[:min(len(rows), readsOnPage):min(len(rows), readsOnPage)]
			want := len(rows) - fresh // the rows the last view listed
			switch view % 17 {
			case 5: // a reader renamed: their row is rendered, and those below it unless it led the run
				k := r.IntN(len(rows))
				rows[k].Name = "Renamed"
				switch {
				case k == fresh: // the first the last view listed: the run starts below it
					want--
				case k > fresh:
					want = min(want, k-fresh)
				}
			case 11: // a reader erased: the name is gone, and an erasure empties every memo
				rows[r.IntN(len(rows))].Name = ""
				m.clear()
				want = 0
			}
			if view == 0 {
				want = 0
			}
			m.html[m.cur] = bytes.ReplaceAll(m.html[m.cur], []byte("<tr>"), []byte("<TR>"))
			var fromScratch, got bytes.Buffer
			if err := pipReadRows(hr, rows).Render(context.Background(), &fromScratch); err != nil {
				t.Fatal(err)
			}
			if err := m.component(hr, rows).Render(context.Background(), &got); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(got.String(), "<TR>"); n != want {
				t.Fatalf("hr %v, view %d: %d rows copied, want %d", hr, view, n, want)
			}
			copied += want
			if s := strings.ReplaceAll(got.String(), "<TR>", "<tr>"); s != fromScratch.String() {
				t.Fatalf("hr %v, view %d: the rows from the memo\n%s\nwant\n%s", hr, view, s, fromScratch.String())
			}
		}
		if copied < 300*(readsOnPage-5) {
			t.Errorf("hr %v: %d rows copied in 300 views; want most", hr, copied)
		}
	}
}
