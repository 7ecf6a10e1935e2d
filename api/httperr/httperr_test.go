package httperr

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"sort"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
)

// kinds is every kind and what it must answer; TestTable checks that it
// names every Kind constant declared in domain and here, so a new kind
// without a row in the table fails.
var kinds = []struct {
	name   string
	kind   domain.Kind
	status int
	code   string
}{
	{"KindInternal", domain.KindInternal, 500, "internal"},
	{"KindInvalid", domain.KindInvalid, 422, "validation_failed"},
	{"KindNotFound", domain.KindNotFound, 404, "not_found"},
	{"KindConflict", domain.KindConflict, 409, "conflict"},
	{"KindForbidden", domain.KindForbidden, 403, "forbidden"},
	{"KindPrecondition", domain.KindPrecondition, 412, "precondition_failed"},
	{"KindUnavailable", domain.KindUnavailable, 503, "unavailable"},
	{"KindMalformed", KindMalformed, 400, "malformed_json"},
	{"KindUnauthorized", KindUnauthorized, 401, "unauthorized"},
	{"KindTooLarge", KindTooLarge, 413, "payload_too_large"},
	{"KindRateLimited", KindRateLimited, 429, "rate_limited"},
	{"KindMethodNotAllowed", KindMethodNotAllowed, 405, "method_not_allowed"},
}

func TestTable(t *testing.T) {
	declared := append(kindConsts(t, "../../domain/errors.go", "Kind"), kindConsts(t, "httperr.go", "domain.Kind")...)
	var named []string
	for _, k := range kinds {
		named = append(named, k.name)
	}
	sort.Strings(declared)
	sort.Strings(named)
	if fmt.Sprint(declared) != fmt.Sprint(named) {
		t.Fatalf("declared kinds %v, the test's %v: give every kind a row in the table and here", declared, named)
	}
	if len(table) != len(kinds) {
		t.Errorf("table has %d rows, want one per kind (%d)", len(table), len(kinds))
	}
	for _, k := range kinds {
		e, ok := table[k.kind]
		if !ok || e.Status != k.status || e.Code != k.code {
			t.Errorf("%s: table row %+v (present %v), want status %d code %q", k.name, e, ok, k.status, k.code)
		}
		p := New(k.kind, "d")
		if p.Status != k.status || p.Code != k.code || p.Title != http.StatusText(k.status) || p.Kind != k.kind || Status(k.kind) != k.status {
			t.Errorf("%s: New = %+v, Status %d; want %d %q %q", k.name, p, Status(k.kind), k.status, k.code, http.StatusText(k.status))
		}
	}
	if got := Lookup(domain.Kind(99)); got != table[domain.KindInternal] {
		t.Errorf("Lookup of an unknown kind = %+v, want the internal row", got)
	}
}

// TestSpecCodes: every stable code of SPEC §4 is answered, with its status.
func TestSpecCodes(t *testing.T) {
	spec := map[string]int{
		"malformed_json": 400, "unknown_field": 400, "validation_failed": 422, "unauthorized": 401,
		"not_found": 404, "forbidden": 403, "conflict": 409, "idempotency_key_reused": 409,
		"precondition_failed": 412, "payload_too_large": 413, "rate_limited": 429, "unavailable": 503,
		"outcome_unknown": 503,
	}
	answered := map[string]int{}
	for _, e := range table {
		answered[e.Code] = e.Status
	}
	for code, r := range refinements {
		answered[code] = WithCode(r.kind, code, "d").Status
	}
	for code, status := range spec {
		if got, ok := answered[code]; !ok || got != status {
			t.Errorf("code %s answers %d (present %v), want %d", code, got, ok, status)
		}
	}
}

func TestOf(t *testing.T) {
	fields := []domain.FieldError{{Field: "name", Message: "is empty"}}
	cases := []struct {
		name                string
		err                 error
		status              int
		code, title, detail string
		retryAfter          int
		internal            bool
		fields              []domain.FieldError
	}{
		{"invalid", domain.Invalid(fields...), 422, "validation_failed", "Unprocessable Entity", "the request breaks a rule", 0, false, fields},
		{"wrapped not found", fmt.Errorf("read: %w", domain.Errorf(domain.KindNotFound, "no such PIP")), 404, "not_found", "Not Found", "no such PIP", 0, false, nil},
		{"unavailable", domain.Errorf(domain.KindUnavailable, "down"), 503, "unavailable", "Service Unavailable", "down", 1, false, nil},
		{"key reused", domain.ConflictCode(domain.CodeIdempotencyKeyReused, "other body"), 409, "idempotency_key_reused", "Conflict", "other body", 0, false, nil},
		{"outcome unknown", &domain.Error{Kind: domain.KindUnavailable, Code: domain.CodeOutcomeUnknown, Message: "no ack"}, 503, "outcome_unknown", "Outcome unknown", "no ack", 1, false, nil},
		{"problem", WithCode(KindMalformed, CodeUnknownField, "extra", fields...), 400, "unknown_field", "Bad Request", "extra", 0, false, fields},
		{"domain internal", domain.Errorf(domain.KindInternal, "secret path /var/x"), 500, "internal", "Internal Server Error", "an internal error occurred; it has been logged", 0, true, nil},
		{"plain", errors.New("secret path /var/x"), 500, "internal", "Internal Server Error", "an internal error occurred; it has been logged", 0, true, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, internal := Of(c.err)
			if p.Status != c.status || p.Code != c.code || p.Title != c.title || p.Detail != c.detail || p.RetryAfter != c.retryAfter || internal != c.internal {
				t.Errorf("Of = %+v internal %v; want %d %q %q %q retry %d internal %v", p, internal, c.status, c.code, c.title, c.detail, c.retryAfter, c.internal)
			}
			if fmt.Sprint(p.Errors) != fmt.Sprint(c.fields) {
				t.Errorf("fields %v, want %v", p.Errors, c.fields)
			}
			if KindOf(c.err) != p.Kind {
				t.Errorf("KindOf = %d, the problem's kind %d", KindOf(c.err), p.Kind)
			}
		})
	}
}

func TestKindOfStatus(t *testing.T) {
	for _, k := range kinds {
		got, ok := KindOfStatus(k.status)
		if k.kind == domain.KindInternal {
			if ok {
				t.Errorf("KindOfStatus(500) = %d, true; want no kind", got)
			}
			continue
		}
		if !ok || got != k.kind {
			t.Errorf("KindOfStatus(%d) = %d %v, want %s", k.status, got, ok, k.name)
		}
	}
	if _, ok := KindOfStatus(418); ok {
		t.Error("KindOfStatus(418) found a kind")
	}
}

// kindConsts are the names of the constants of type typ declared in file.
func kindConsts(t *testing.T, file, typ string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		of := "" // an iota block's later specs repeat the type of the first
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if v.Type != nil {
				of = typeName(v.Type)
			} else if len(v.Values) > 0 {
				of = ""
			}
			if of != typ {
				continue
			}
			for _, n := range v.Names {
				names = append(names, n.Name)
			}
		}
	}
	if len(names) == 0 {
		t.Fatalf("%s declares no constant of type %s", file, typ)
	}
	return names
}

func typeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			return x.Name + "." + e.Sel.Name
		}
	}
	return ""
}
