package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// mdLink is a Markdown link or image: [text](target) or ![alt](target).
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocsLinksStayInside checks that the README and every page under
// docs/ link only to files of the repository that exist: a clone is all a
// reader has, so a link outside it (or to a file that moved) is a dead end.
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
		for _, m := range mdLink.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				t.Errorf("%s links outside the repository: %s", page, target)
				continue
			}
			if strings.HasPrefix(target, "#") {
				continue
			}
			path := filepath.Join(filepath.Dir(page), strings.SplitN(target, "#", 2)[0])
			abs, _ := filepath.Abs(path)
			rootAbs, _ := filepath.Abs(root)
			if !strings.HasPrefix(abs, rootAbs+string(filepath.Separator)) {
				t.Errorf("%s links outside the repository: %s", page, target)
				continue
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s links to %s, which does not exist", page, target)
			}
		}
	}
	if len(pages) < 5 {
		t.Errorf("docs/ holds %d pages; the contract (events, scorecard, access, api) should be there", len(pages)-1)
	}
}
