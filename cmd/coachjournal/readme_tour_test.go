package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain/clock"
)

// tourInstant is the clock the tour's demo runs on unless the suite runs
// on a clock of its own (COACHJOURNAL_NOW, as CI does at 00:30 and 23:30):
// a Wednesday, so the demo's last week has ended and this one has begun.
const tourInstant = "2026-12-09T10:00:00Z"

// tourStep is one command of the README's tour (possibly several lines)
// and the lines the README says it prints (`# → ...`).
type tourStep struct {
	line   int // the README line it starts on
	script string
	want   []string
}

// TestReadmeTour runs the README's API tour as written against a fresh
// `serve --demo`: the shell starts from the export command the demo
// prints (as the README tells a reader to paste it), runs every command of
// the tour in order in one bash, and checks that each command succeeds
// (curl -f: a non-2xx fails it) and prints exactly the lines the README's
// `# →` comments after it say, `…` standing for any text. A command that
// prints something the README does not show fails too.
func TestReadmeTour(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve --demo")
	}
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("COACHJOURNAL_REQUIRE_BROWSER") != "" {
				t.Fatalf("the README's tour needs %s, which is not installed", tool)
			}
			t.Skipf("the README's tour needs %s, which is not installed (CI installs it; COACHJOURNAL_REQUIRE_BROWSER=1 makes this a failure)", tool)
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	steps := tourSteps(t, string(readme))

	now := tourInstant
	if os.Getenv(clock.Env) != "" {
		now = clock.Now().UTC().Format(time.RFC3339)
	}
	exports := startTourDemo(t, now)

	var script strings.Builder
	script.WriteString("set -euo pipefail\n" + exports + "\n")
	for i, s := range steps {
		fmt.Fprintf(&script, "%s\nprintf '\\n%s\\n'\n", s.script, stepMarker(i))
	}
	cmd := exec.Command("bash", "-c", script.String())
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	out := stdout.String()
	for i, s := range steps {
		marker := "\n" + stepMarker(i) + "\n"
		end := strings.Index(out, marker)
		if end < 0 {
			t.Fatalf("README line %d: the tour stopped here (%v):\n%s\nstderr:\n%s\nstdout:\n%s", s.line, runErr, s.script, stderr.String(), out)
		}
		got := printedLines(out[:end])
		out = out[end+len(marker):]
		if !matchLines(s.want, got) {
			t.Errorf("README line %d:\n%s\nprints:\n%s\nthe README says:\n%s", s.line, s.script,
				indent(got), indent(s.want))
		}
	}
	if runErr != nil {
		t.Fatalf("bash: %v\nstderr:\n%s", runErr, stderr.String())
	}
	t.Logf("%d commands of the tour checked against a fresh demo at %s", len(steps), now)
}

func stepMarker(i int) string { return fmt.Sprintf("@@tour-step-%d@@", i) }

// tourSteps reads the shell blocks of the README's "A tour of the API"
// section into steps. A step is a run of command lines (a command may span
// lines) ended by its `# →` lines, a comment or a blank line.
func tourSteps(t *testing.T, readme string) []tourStep {
	t.Helper()
	lines := strings.Split(readme, "\n")
	var steps []tourStep
	var cur *tourStep
	var cmdLines []string
	flush := func() {
		if cur != nil {
			cur.script = strings.Join(cmdLines, "\n")
			steps = append(steps, *cur)
		}
		cur, cmdLines = nil, nil
	}
	inSection, inBlock := false, false
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "## "):
			inSection = l == "## A tour of the API"
			continue
		case !inSection:
			continue
		case strings.HasPrefix(l, "```"):
			flush()
			inBlock = !inBlock && l == "```sh"
			continue
		case !inBlock:
			continue
		}
		switch {
		case strings.HasPrefix(l, "# → ") || l == "# →":
			if cur == nil {
				t.Fatalf("README line %d: %q follows no command", i+1, l)
			}
			cur.want = append(cur.want, strings.TrimPrefix(strings.TrimPrefix(l, "# →"), " "))
		case strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#"):
			flush()
		default:
			if cur != nil && len(cur.want) > 0 { // a new command after the last one's output
				flush()
			}
			if cur == nil {
				cur = &tourStep{line: i + 1}
			}
			cmdLines = append(cmdLines, l)
		}
	}
	flush()
	if len(steps) < 10 {
		t.Fatalf("found %d commands in the README's tour; is the section still \"## A tour of the API\" with ```sh blocks?", len(steps))
	}
	return steps
}

// startTourDemo starts `serve --demo` on a fresh data dir with the clock at
// now and returns the export command it prints for the tour.
func startTourDemo(t *testing.T, now string) string {
	t.Helper()
	dir := t.TempDir()
	outPath := filepath.Join(dir, "stdout")
	outFile, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer outFile.Close()
	stderr := &syncBuffer{}
	cmd := exec.Command(binary, "serve", "--demo", "--data-dir", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0", "--now", now)
	cmd.Stdout, cmd.Stderr = outFile, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.After(120 * time.Second) // a ceiling for a loaded 2-core machine
	for {
		b, _ := os.ReadFile(outPath)
		if exports, ok := demoExports(string(b)); ok {
			return exports
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("serve --demo exited (%v) before printing the tour's export:\n%s\n%s", err, b, stderr.String())
		case <-deadline:
			t.Fatalf("serve --demo printed no export for the tour within 120s:\n%s", b)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// demoExports finds the export command the demo prints for the tour: from
// its "export CJ=" line through the last line continued with a backslash.
func demoExports(out string) (string, bool) {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "export CJ=") {
			continue
		}
		for j := i; j < len(lines)-1; j++ { // the last element has no newline yet
			if !strings.HasSuffix(lines[j], "\\") {
				return strings.Join(lines[i:j+1], "\n"), true
			}
		}
	}
	return "", false
}

// printedLines splits a command's output into lines, without the blank
// ones at either end or carriage returns (HTTP headers end in CRLF).
func printedLines(s string) []string {
	s = strings.Trim(strings.ReplaceAll(s, "\r", ""), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// matchLines: each printed line matches the README's line at the same
// place, with … matching any text.
func matchLines(want, got []string) bool {
	if len(want) != len(got) {
		return false
	}
	for i, w := range want {
		parts := strings.Split(w, "…")
		for j, p := range parts {
			parts[j] = regexp.QuoteMeta(p)
		}
		if !regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(got[i]) {
			return false
		}
	}
	return true
}

func indent(lines []string) string {
	if len(lines) == 0 {
		return "    (nothing)"
	}
	return "    " + strings.Join(lines, "\n    ")
}
