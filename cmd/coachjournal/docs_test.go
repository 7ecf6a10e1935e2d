package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// mdLink is a Markdown link or image: [text](target) or ![alt](target);
// mdRef a reference definition ([name]: target); htmlLink an HTML href or
// src.
var (
	mdLink   = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdRef    = regexp.MustCompile(`(?m)^ {0,3}\[[^\]]+\]:\s*(\S+)`)
	htmlLink = regexp.MustCompile(`(?:href|src)="([^"]+)"`)
)

// TestDocsLinksStayInside checks that the README and every page under
// docs/ link only to files of the repository that exist, and to headings
// that exist when a link names one (#anchor): a clone is all a reader has,
// so a link outside it (a URL, an absolute path, ../ above the root) or to
// a file or heading that moved is a dead end.
func TestDocsLinksStayInside(t *testing.T) {
	root := filepath.Join("..", "..")
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, filepath.Join(root, "README.md"))
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		var targets []string
		for _, re := range []*regexp.Regexp{mdLink, mdRef, htmlLink} {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				targets = append(targets, m[1])
			}
		}
		for _, target := range targets {
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") || strings.HasPrefix(target, "/") {
				t.Errorf("%s links outside the repository: %s", page, target)
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := page
			if file != "" {
				path = filepath.Join(filepath.Dir(page), file)
			}
			abs, _ := filepath.Abs(path)
			rootAbs, _ := filepath.Abs(root)
			if !strings.HasPrefix(abs, rootAbs+string(filepath.Separator)) {
				t.Errorf("%s links outside the repository: %s", page, target)
				continue
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s links to %s, which does not exist", page, target)
				continue
			}
			if anchor != "" && strings.HasSuffix(path, ".md") && !headingAnchors(t, path)[anchor] {
				t.Errorf("%s links to %s: %s has no heading with the anchor #%s", page, target, path, anchor)
			}
		}
	}
	if len(pages) < 5 {
		t.Errorf("docs/ holds %d pages; the contract (events, scorecard, access, api) should be there", len(pages)-1)
	}
}

// headingAnchors returns the anchors GitHub gives a Markdown file's
// headings: lower case, punctuation but - and _ dropped, spaces as -, a
// repeated one suffixed -1, -2, ….
func headingAnchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	seen := map[string]int{}
	inCode := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
		}
		text, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if inCode || !strings.HasPrefix(line, "#") || !ok {
			continue
		}
		var slug strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(text)) {
			switch {
			case r == ' ':
				slug.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				slug.WriteRune(r)
			}
		}
		a := slug.String()
		if n := seen[a]; n > 0 {
			anchors[fmt.Sprintf("%s-%d", a, n)] = true
		} else {
			anchors[a] = true
		}
		seen[a]++
	}
	return anchors
}
