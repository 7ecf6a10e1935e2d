package web

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
)

// TestEveryRenderedPageHasAView: every page a handler renders by name has
// a component in views (a missing one would fail at run time), and views
// holds no page nobody renders. The pages themselves are tested over HTTP
// (api) and in a browser (cmd/coachjournal).
func TestEveryRenderedPageHasAView(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`render(?:Held)?\(c, [^,]+, "([a-z]+)"`)
	rendered := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllSubmatch(b, -1) {
			rendered[string(m[1])] = true
		}
	}
	if len(rendered) < 15 {
		t.Fatalf("found %d rendered pages: the pattern no longer matches the calls", len(rendered))
	}
	for name := range rendered {
		if views[name] == nil {
			t.Errorf("page %q is rendered but has no view", name)
		}
	}
	for name := range views {
		if !rendered[name] {
			t.Errorf("view %q is never rendered", name)
		}
	}
}

// The org's refusals read as what they are, not as the person having left.
func TestConflictWordsOrg(t *testing.T) {
	u := &ui{Deps: Deps{Views: projections.NewSet()}}
	p := projections.Person{Name: "Ana Lima"}
	o := domain.NewOrg()
	mgr, rep, ana := uuid.New(), uuid.New(), uuid.New()
	o.Evolve(domain.Event{PersonID: ana, Data: &domain.PersonRegistered{}})
	o.Evolve(domain.Event{PersonID: mgr, Data: &domain.PersonRegistered{ManagerID: &ana}})
	o.Evolve(domain.Event{PersonID: rep, Data: &domain.PersonRegistered{}})
	o.Evolve(domain.Event{PersonID: rep, Data: &domain.PersonDeparted{}})
	cases := map[string]domain.Event{
		"reporting cycle":               {PersonID: ana, Data: &domain.ManagerChanged{ManagerID: &mgr}},
		"chosen manager has left":       {PersonID: ana, Data: &domain.ManagerChanged{ManagerID: &rep}},
		"Ana Lima still manages people": {PersonID: ana, Data: &domain.PersonDeparted{}},
	}
	for want, e := range cases {
		var de *domain.Error
		if !errors.As(domain.DecideOrg(o, e), &de) {
			t.Fatalf("%s: DecideOrg did not refuse", want)
		}
		if got := conflictWords(u, p, de); !strings.Contains(got, want) || strings.Contains(got, "has left: their journal") {
			t.Errorf("words = %q, want %q", got, want)
		}
	}
}
