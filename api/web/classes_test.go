package web

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"

	"github.com/a-h/templ"
	templruntime "github.com/a-h/templ/runtime"
)

// TestClassSet: a class set's attribute, spread onto an element, is what
// class={ prefix + v + suffix } writes through templ's CSS class processing,
// for the values built and for others (escaped all the same).
func TestClassSet(t *testing.T) {
	ctx := context.Background()
	for _, c := range []classSet{bandClass, goalStatusClass, scheduleClass, commitmentClass, overdueClass} {
		values := []string{"", "unknown", `x" onclick="alert(1)`, "<b>&amp;'"}
		for v := range c.built {
			values = append(values, v)
		}
		for _, v := range values {
			old, err := templruntime.NewAttributeExpression(templ.CSSClasses([]any{c.prefix + v + c.suffix}).String()).Resolve(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := ` class="` + old + `"`
			var b bytes.Buffer
			if err := templruntime.RenderAttributes(ctx, &b, io.Discard, "td", c.of(v)); err != nil {
				t.Fatal(err)
			}
			if b.String() != want {
				t.Errorf("%q+%q+%q: %s, want %s", c.prefix, v, c.suffix, b.String(), want)
			}
		}
	}
}

// TestBandsListed: band returns the values bands lists, and each of them,
// so that the class sets and the board's constant classes cover them all.
func TestBandsListed(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range []*float64{nil, ptrf(-1), ptrf(0), ptrf(0.5), ptrf(0.75), ptrf(0.8), ptrf(0.9), ptrf(0.95), ptrf(1), ptrf(2)} {
		b := band(v)
		if !slices.Contains(bands, b) {
			t.Errorf("band(%v) = %q, not in bands %q", v, b, bands)
		}
		seen[b] = true
	}
	if len(seen) != len(bands) {
		t.Errorf("band returned %v, want every one of %q", seen, bands)
	}
}
