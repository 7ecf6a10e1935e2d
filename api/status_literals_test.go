package api_test

import (
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoErrorStatusOutsideTheTable: the handlers of the API and the web UI
// return errors of a kind (or render with httperr.Status of one), and only
// httperr's table says which status a kind answers. No file of api or
// api/web may name an error status itself: no http.StatusXxx of 400 and
// up (so no problem(http.StatusXxx, …) either), and no 4xx/5xx number
// handed to a call.
func TestNoErrorStatusOutsideTheTable(t *testing.T) {
	httpPkg, err := importer.Default().Import("net/http")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, dir := range []string{".", "web"} {
		fs, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	fset := token.NewFileSet()
	scanned := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		scanned++
		http := importName(file, "net/http")
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && http != "" && x.Name == http {
					if v, ok := intConst(httpPkg, n.Sel.Name); ok && strings.HasPrefix(n.Sel.Name, "Status") && v >= 400 {
						t.Errorf("%s: http.%s (%d): return an error of its kind, or use httperr.Status", fset.Position(n.Pos()), n.Sel.Name, v)
					}
				}
			case *ast.CallExpr:
				for _, arg := range n.Args {
					if lit, ok := arg.(*ast.BasicLit); ok && lit.Kind == token.INT {
						if v, err := strconv.Atoi(lit.Value); err == nil && v >= 400 && v < 600 {
							t.Errorf("%s: status-like number %d handed to a call: use httperr's table", fset.Position(lit.Pos()), v)
						}
					}
				}
			}
			return true
		})
	}
	if scanned < 20 {
		t.Fatalf("scanned %d files of api and api/web; the glob is wrong", scanned)
	}
}

// importName is the name file refers to the package path by, or "".
func importName(file *ast.File, path string) string {
	for _, imp := range file.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == path {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return path[strings.LastIndex(path, "/")+1:]
		}
	}
	return ""
}

// intConst is the value of the integer constant name of pkg.
func intConst(pkg *types.Package, name string) (int64, bool) {
	c, ok := pkg.Scope().Lookup(name).(*types.Const)
	if !ok || c.Val().Kind() != constant.Int {
		return 0, false
	}
	return constant.Int64Val(c.Val())
}
