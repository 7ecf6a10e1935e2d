package web

import (
	"io/fs"
	"net/http"
	"strings"
)

// staticFiles serves the embedded assets of fsys, files only: a directory
// (the root included) is 404, never a listing of what the UI ships.
func staticFiles(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSuffix(r.URL.Path, "/")
		if fi, err := fs.Stat(fsys, name); err != nil || fi.IsDir() || name != r.URL.Path {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}
