package web

import (
	"errors"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// TestMountParsesTemplates keeps every embedded page template parseable;
// the pages themselves are tested in a browser (cmd/coachjournal).
func TestMountParsesTemplates(t *testing.T) {
	if err := Mount(echo.New(), Deps{Views: projections.NewSet()}); err != nil {
		t.Fatalf("Mount: %v", err)
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
