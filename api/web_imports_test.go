package api_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// TestAPIImportsWebOnlyToMountIt: the API depends on the web UI's package
// only in the files that mount it and give its forms the command path
// (web_mount.go, web_write.go); everything else in api stands without it.
func TestAPIImportsWebOnlyToMountIt(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"web_mount.go": true, "web_write.go": true}
	fset := token.NewFileSet()
	for _, f := range files {
		if filepath.Ext(f) != ".go" || len(f) > 8 && f[len(f)-8:] == "_test.go" {
			continue
		}
		ast, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); path == "github.com/coachjournal/coachjournal/api/web" && !allowed[f] {
				t.Errorf("%s imports api/web; only the files that mount the UI may", f)
			}
		}
	}
}
