package main

import (
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/coachjournal/coachjournal/"

// layoutRule constrains what one package may depend on, directly or not:
// with only set, nothing but the standard library and those prefixes;
// else nothing under the forbidden prefixes.
type layoutRule struct {
	pkg       string
	only      []string
	forbidden []string
}

// infra is what only the adapters at the edge may use.
var infra = []string{"github.com/nats-io", "github.com/labstack", "github.com/synadia-io"}

// The packages the projections must never reach: the store, the API and
// the runner that feeds them (package service).
var notFromProjections = append([]string{mod + "eventstore", mod + "api", mod + "service", mod + "export", mod + "notify"}, infra...)

// layoutRules keep the dependencies pointing inward (STYLE.md): domain
// imports only the standard library and uuid; projections, and every
// package under it, only domain (never the store, the API or the runner);
// nudges only the read models; eventstore and api do not import each
// other; export (behind the export command and GET /v1/export) reads the
// stream through its Source port, so it imports neither the store nor the
// API; the web UI reaches the store only through the API's ports; notify is
// an adapter at the edge (the store's queue, the senders), and nothing
// inward imports it; service assembles the running service and is used by
// cmd, the bench and the tests' helper, never by what it assembles. Every
// package of the module has a rule, so a new one is placed on purpose.
var layoutRules = []layoutRule{
	{pkg: "domain", only: []string{"github.com/google/uuid"}},
	{pkg: "domain/clock", only: []string{}},
	{pkg: "eventjson", only: []string{mod + "domain", "github.com/google/uuid"}}, // the events' JSON codec
	{pkg: "projections", forbidden: notFromProjections},
	{pkg: "projections/snapshot", forbidden: notFromProjections},
	{pkg: "nudges", forbidden: append([]string{mod + "eventstore", mod + "api", mod + "service"}, infra...)},
	{pkg: "eventstore", forbidden: []string{mod + "api", mod + "projections", mod + "export", mod + "service", "github.com/labstack"}},
	{pkg: "api", forbidden: []string{mod + "eventstore", mod + "service", "github.com/nats-io", "github.com/synadia-io"}},
	{pkg: "api/httperr", forbidden: append([]string{mod + "api/web", mod + "api/apitest", mod + "eventstore", mod + "export", mod + "notify", mod + "service"}, infra...)}, // the one kind → status table, for api and api/web
	{pkg: "api/web", forbidden: []string{mod + "eventstore", mod + "service", mod + "api/apitest", mod + "notify", "github.com/nats-io"}},
	{pkg: "export", forbidden: append([]string{mod + "eventstore", mod + "api", mod + "service"}, infra...)},
	{pkg: "notify", forbidden: []string{mod + "api", mod + "export", mod + "service", "github.com/labstack"}},
	{pkg: "service", forbidden: []string{mod + "cmd", mod + "bench", mod + "demo", mod + "api/apitest", mod + "notify"}},
	{pkg: "api/apitest", forbidden: []string{mod + "cmd", mod + "notify", mod + "bench", mod + "demo"}}, // the tests' in-process service, through service
	{pkg: "demo", forbidden: []string{mod + "cmd", mod + "bench", mod + "notify"}},                      // seeds through the domain's commands
	{pkg: "bench", forbidden: []string{mod + "cmd", mod + "demo", mod + "api/apitest"}},                 // measures the service it assembles
	{pkg: "cmd/coachjournal"}, // main: flags and wiring
}

// violations are the deps (a package's whole dependency closure) that r
// does not allow.
func (r layoutRule) violations(deps []string) []string {
	var bad []string
	for _, dep := range deps {
		if dep == mod+r.pkg {
			continue
		}
		if r.only != nil {
			if !stdlib(dep) && !hasPrefix(dep, r.only) {
				bad = append(bad, dep)
			}
			continue
		}
		if dep == mod+"domain" || dep == mod+"domain/clock" {
			continue // every package may use the domain
		}
		if hasPrefix(dep, r.forbidden) {
			bad = append(bad, dep)
		}
	}
	return bad
}

// stdlib: the standard library's import paths have no dot in their first
// element.
func stdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// TestLayout checks every package of the module against its rule.
func TestLayout(t *testing.T) {
	out, err := exec.Command("go", "list", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	ruled := map[string]bool{}
	for _, r := range layoutRules {
		ruled[mod+r.pkg] = true
	}
	for _, pkg := range strings.Fields(string(out)) {
		if !ruled[pkg] {
			t.Errorf("package %s has no rule in TestLayout", pkg)
		}
	}
	for _, r := range layoutRules {
		out, err := exec.Command("go", "list", "-deps", "../../"+r.pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", r.pkg, err)
		}
		for _, dep := range r.violations(strings.Fields(string(out))) {
			t.Errorf("%s depends on %s", r.pkg, dep)
		}
	}
}

// TestLayoutRulesBite: the rules refuse what the layout forbids, so that
// TestLayout passing means something.
func TestLayoutRulesBite(t *testing.T) {
	rule := func(pkg string) layoutRule {
		for _, r := range layoutRules {
			if r.pkg == pkg {
				return r
			}
		}
		t.Fatalf("no rule for %s", pkg)
		return layoutRule{}
	}
	for _, c := range []struct{ pkg, dep string }{
		{"domain", "github.com/labstack/echo/v4"},
		{"domain", "golang.org/x/text/unicode/norm"},
		{"domain", mod + "projections"},
		{"domain/clock", "github.com/google/uuid"},
		{"projections", mod + "eventstore"},
		{"projections", mod + "api"},
		{"projections", mod + "service"},
		{"projections/snapshot", mod + "service"},
		{"projections/snapshot", mod + "eventstore"},
		{"api", mod + "eventstore"},
		{"api", mod + "service"},
		{"api/web", mod + "eventstore"},
	} {
		if bad := rule(c.pkg).violations([]string{"fmt", c.dep}); len(bad) != 1 || bad[0] != c.dep {
			t.Errorf("%s depending on %s: violations %v, want just it", c.pkg, c.dep, bad)
		}
	}
	if bad := rule("domain").violations([]string{"fmt", "encoding/json", "github.com/google/uuid"}); len(bad) != 0 {
		t.Errorf("domain on the standard library and uuid: violations %v", bad)
	}
}
