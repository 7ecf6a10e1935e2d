package api_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
)

// roleNames are the values x-roles may hold: the token roles, and public
// for routes that need no token.
var roleNames = []string{"admin", "hr", "analyst", "member", "public"}

// noStore lets api.New build its router for the inventory; the test never
// sends a request, so no method of the embedded nil Journals is called.
type noStore struct{ api.Journals }

// router builds the real Echo router, every route registered as serve does.
func router(t *testing.T) *echo.Echo {
	t.Helper()
	tokens, err := api.NewTokens([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return api.New(noStore{}, projections.NewSet(), tokens, api.Config{})
}

// loadSpec parses and validates the served OpenAPI document.
func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not valid OpenAPI 3: %v", err)
	}
	return doc
}

var echoParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// specPath writes an Echo path as OpenAPI does: /people/:id → /people/{id}.
func specPath(echoPath string) string { return echoParam.ReplaceAllString(echoPath, "{$1}") }

// TestRouteInventory (OWASP API9) walks the real router: every route has an
// entry in openapi.json (an operation, or x-ui-routes for the web UI),
// every entry has a route, and every entry declares x-roles.
func TestRouteInventory(t *testing.T) {
	doc := loadSpec(t)
	routes := map[string]bool{}
	for _, r := range router(t).Routes() {
		if r.Method == echo.RouteNotFound {
			continue // Echo's own 404 fallbacks for groups with middleware
		}
		routes[r.Method+" "+specPath(r.Path)] = true
	}
	declared := map[string][]string{} // "METHOD path" → x-roles
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			roles, err := xRoles(op.Extensions["x-roles"])
			if err != nil {
				t.Errorf("%s: %v", key, err)
			}
			if err := checkPublic(doc, op, roles); err != nil {
				t.Errorf("%s: %v", key, err)
			}
			declared[key] = roles
		}
	}
	ui, _ := doc.Extensions["x-ui-routes"].(map[string]any)
	for key, v := range ui {
		entry, _ := v.(map[string]any)
		if _, err := xRoles(entry["x-roles"]); err != nil {
			t.Errorf("x-ui-routes %s: %v", key, err)
		}
		if !strings.HasPrefix(strings.SplitN(key, " ", 2)[1], "/ui") && key != "GET /" {
			t.Errorf("x-ui-routes %s: only the web UI's routes belong there", key)
		}
		if _, dup := declared[key]; dup {
			t.Errorf("%s is both an operation and in x-ui-routes", key)
		}
		declared[key] = nil
	}
	for _, key := range sortedKeys(routes) {
		if _, ok := declared[key]; !ok {
			t.Errorf("route %s has no entry in api/openapi.json", key)
		}
	}
	for _, key := range sortedKeys(declared) {
		if !routes[key] {
			t.Errorf("api/openapi.json declares %s, which no route serves", key)
		}
	}
}

// xRoles reads an x-roles declaration: a non-empty list of roleNames.
func xRoles(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("x-roles must be a non-empty list of %v, is %v", roleNames, v)
	}
	var roles []string
	for _, r := range list {
		s, _ := r.(string)
		if !slices.Contains(roleNames, s) || slices.Contains(roles, s) {
			return nil, fmt.Errorf("x-roles holds %v: want distinct values of %v", r, roleNames)
		}
		roles = append(roles, s)
	}
	if slices.Contains(roles, "public") && len(roles) > 1 {
		return nil, fmt.Errorf("x-roles: public stands alone")
	}
	return roles, nil
}

// checkPublic: an operation is public exactly when it requires no token.
func checkPublic(doc *openapi3.T, op *openapi3.Operation, roles []string) error {
	sec := doc.Security
	if op.Security != nil {
		sec = *op.Security
	}
	public := slices.Contains(roles, "public")
	switch {
	case public && len(sec) > 0:
		return fmt.Errorf("x-roles is public but the operation requires a bearer token")
	case !public && len(sec) == 0:
		return fmt.Errorf("x-roles is %v but the operation requires no token", roles)
	}
	if _, ok := op.Responses.Map()["500"]; !ok {
		return fmt.Errorf("no 500 response")
	}
	if !public && op.Responses.Value(fmt.Sprint(http.StatusUnauthorized)) == nil {
		return fmt.Errorf("no 401 response")
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
