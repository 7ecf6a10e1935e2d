package web

import (
	"testing"

	"github.com/coachjournal/coachjournal/projections"
	"github.com/labstack/echo/v4"
)

// TestMountParsesTemplates keeps every embedded page template parseable;
// the pages themselves are tested in a browser (cmd/coachjournal).
func TestMountParsesTemplates(t *testing.T) {
	if err := Mount(echo.New(), Deps{Views: projections.NewSet()}); err != nil {
		t.Fatalf("Mount: %v", err)
	}
}
