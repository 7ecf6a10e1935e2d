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
// the API.
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
	}
	for _, r := range rules {
		out, err := exec.Command("go", "list", "-deps", "../../"+r.pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", r.pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == mod+r.pkg || (r.pkg != "domain" && dep == mod+"domain") {
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
