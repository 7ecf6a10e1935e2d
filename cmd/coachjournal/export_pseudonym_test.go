package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
)

// TestExportActorsAndHashes: the pseudonymized export names no actor in
// clear, not even a service subject such as "ops", and carries no hash an
// analyst could recompute with a guessed person id; the clear export
// (admin use) keeps both.
func TestExportActorsAndHashes(t *testing.T) {
	o := newExportOrg(t)
	ops := o.Token("ops", domain.RoleAdmin)
	o.Created(http.MethodPost, "/v1/people/"+o.leader+"/cadence", ops, map[string]any{"every_days": 14})
	dir := t.TempDir()
	runExport(t, o.DataDir, "--format", "ndjson", "--out", filepath.Join(dir, "p.ndjson"))
	runExport(t, o.DataDir, "--format", "ndjson", "--out", filepath.Join(dir, "c.ndjson"), "--clear")
	pseudo, clear := readAll(t, filepath.Join(dir, "p.ndjson")), readAll(t, filepath.Join(dir, "c.ndjson"))
	for _, s := range []string{`"ops"`, `"admin-service"`, `"hash"`, `"prev_hash"`} {
		if n := strings.Count(pseudo, s); n > 0 {
			t.Errorf("the pseudonymized export holds %s %d times", s, n)
		}
		if !strings.Contains(clear, s) {
			t.Errorf("the clear export lost %s", s)
		}
	}
}
