package projections

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestClipFastPath: clip's shortcut for one-line ASCII texts answers as
// the folding it skips, for texts around the cut and with every kind of
// white space.
func TestClipFastPath(t *testing.T) {
	fold := func(s string) string {
		s = strings.Join(strings.Fields(s), " ")
		if utf8.RuneCountInString(s) <= summaryText {
			return s
		}
		r := []rune(s)
		return strings.TrimSpace(string(r[:summaryText-1])) + "…"
	}
	parts := []string{"a", "book", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "é", "…", "x\u0085y", "15", "meetings."}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		s := b.String()
		if got, want := clip(s), fold(s); got != want {
			t.Fatalf("clip(%q) = %q, want %q", s, got, want)
		}
	}
}
