package web

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"
)

// TestReadRows: a row written from readRows is the row pipReadRow
// renders, byte for byte, the first time and from the cache, for rows
// that each differ from the first in one field (a key without that field
// would answer the first row's HTML); an erasure drops every row, and a row rendered across an
// erasure is not kept; the cache holds at most two generations.
func TestReadRows(t *testing.T) {
	var erasures uint64
	rs := &readRows{erasures: func() uint64 { return erasures }}
	at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	base := ReadRow{At: at, Role: "hr", Via: "ui", Sub: "hr-desk", Name: "Hana <HR>", RequestID: "req-\"1\"-0123456789"}
	rows := []ReadRow{base}
	for _, change := range []func(*ReadRow){
		func(r *ReadRow) { r.At = r.At.Add(time.Minute) },
		func(r *ReadRow) { r.Role = "admin" },
		func(r *ReadRow) { r.Via = "api" },
		func(r *ReadRow) { r.Sub = "" },
		func(r *ReadRow) { r.Name = "" },
		func(r *ReadRow) { r.You = true },
		func(r *ReadRow) { r.RequestID = "req-2" },
	} {
		r := base
		change(&r)
		rows = append(rows, r)
	}
	render := func(v readRowView) string {
		var b bytes.Buffer
		if err := v.Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	n := rs.begin()
	for _, hr := range []bool{false, true} {
		for i, row := range rows {
			want := render(readRowView{hr: hr, row: row}) // no cache
			for pass := range 2 {
				if got := render(pipReads{rows: rs, erasures: n}.row(hr, row)); got != want {
					t.Fatalf("row %d (hr %v), pass %d:\n%s\nwant\n%s", i, hr, pass, got, want)
				}
			}
		}
	}
	if got := len(rs.cur) + len(rs.old); got != 2*len(rows) {
		t.Errorf("%d rows kept, want %d", got, 2*len(rows))
	}

	erasures++ // an erasure: nothing kept is shown, and the next view drops it all
	k := readRowKey{at: at.UnixNano(), role: base.Role, via: base.Via, sub: base.Sub, name: base.Name, requestID: base.RequestID, hr: true}
	if _, ok := rs.get(k); ok {
		t.Error("a row kept before an erasure is shown after it")
	}
	rs.put(k, []byte("stale"), n) // rendered across the erasure
	if string(rs.cur[k]) == "stale" {
		t.Error("a row rendered across an erasure is kept")
	}
	if m := rs.begin(); m != erasures || rs.cur != nil || rs.old != nil {
		t.Errorf("after the erasure: begin = %d, %d and %d rows kept; want %d, none", m, len(rs.cur), len(rs.old), erasures)
	}

	n = rs.begin()
	for i := range 3 * readRowsKept {
		r := base
		r.RequestID = fmt.Sprint(i)
		render(pipReads{rows: rs, erasures: n}.row(true, r))
	}
	if got := len(rs.cur) + len(rs.old); got > 2*readRowsKept {
		t.Errorf("%d rows kept, at most %d", got, 2*readRowsKept)
	}
}
