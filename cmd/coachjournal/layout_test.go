package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayout keeps the dependencies pointing inward (STYLE.md): domain
// imports nothing of the project and no infrastructure; projections only
// domain; nudges only the read models; eventstore and api do not import
// each other; export (behind the export command and GET /v1/export) reads
// the stream through its Source port, so it imports neither the store nor
// the API; the web UI reaches the store only through the API's ports;
// notify is an adapter at the edge (the store's queue, the senders), and
// nothing inward imports it. Every package of the module has a rule, so a
// new one is placed on purpose.
func TestLayout(t *testing.T) {
	const mod = "github.com/coachjournal/coachjournal/"
	rules := []struct {
		pkg       string
		forbidden []string
	}{
		{"domain", []string{mod, "github.com/nats-io", "github.com/labstack"}},
		{"projections", []string{mod + "eventstore", mod + "api", mod + "export", "github.com/nats-io", "github.com/labstack"}},
		{"nudges", []string{mod + "eventstore", mod + "api", "github.com/nats-io", "github.com/labstack"}},
		{"eventstore", []string{mod + "api", mod + "projections", mod + "export", "github.com/labstack"}},
		{"api", []string{mod + "eventstore", "github.com/nats-io"}},
		{"export", []string{mod + "eventstore", mod + "api", "github.com/nats-io", "github.com/labstack"}},
		{"domain/clock", []string{mod}},
		{"eventjson", []string{mod, "github.com/nats-io", "github.com/labstack"}}, // the events' JSON codec: domain and stdlib only
		{"projections/snapshot", []string{mod + "eventstore", mod + "api", mod + "export", mod + "notify", "github.com/nats-io", "github.com/labstack"}},
		{"api/web", []string{mod + "eventstore", mod + "api/apitest", mod + "notify", "github.com/nats-io"}},
		{"notify", []string{mod + "api", mod + "export", "github.com/labstack"}},
		{"api/apitest", []string{mod + "cmd", mod + "notify"}}, // the tests' in-process service
		{"cmd/coachjournal", nil}, // main: wires everything
	}
	out, err := exec.Command("go", "list", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	ruled := map[string]bool{}
	for _, r := range rules {
		ruled[mod+r.pkg] = true
	}
	for _, pkg := range strings.Fields(string(out)) {
		if !ruled[pkg] {
			t.Errorf("package %s has no rule in TestLayout", pkg)
		}
	}
	for _, r := range rules {
		out, err := exec.Command("go", "list", "-deps", "../../"+r.pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", r.pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == mod+r.pkg || (r.pkg != "domain" && (dep == mod+"domain" || dep == mod+"domain/clock")) {
				continue
			}
			for _, f := range r.forbidden {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s depends on %s", r.pkg, dep)
				}
			}
		}
	}
}
