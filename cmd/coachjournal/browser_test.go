package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/demo"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
)

// The browser tests drive Debian's chromium (headless) against the real
// service in process, seeded with the demo organisation. Without chromium
// they skip, unless COACHJOURNAL_REQUIRE_BROWSER=1 (CI) makes that a
// failure. Screenshots go to testdata-artifacts/browser (git-ignored);
// COACHJOURNAL_UPDATE_SCREENSHOTS=1 also rewrites docs/screenshots.

// browserEnv is the seeded service and one browser.
type browserEnv struct {
	*apitest.Env
	t      *testing.T
	ctx    context.Context
	now    time.Time
	shots  string
	people map[string]string // name → id
}

func newBrowserEnv(t *testing.T) *browserEnv {
	t.Helper()
	chromium := findChromium()
	if chromium == "" {
		if os.Getenv("COACHJOURNAL_REQUIRE_BROWSER") == "1" {
			t.Fatal("chromium is not installed and COACHJOURNAL_REQUIRE_BROWSER=1: apt-get install -y chromium")
		}
		t.Skip("SKIPPED browser tests: chromium not found (apt-get install -y chromium; CI sets COACHJOURNAL_REQUIRE_BROWSER=1)")
	}
	b := &browserEnv{Env: apitest.Start(t), t: t, now: clock.Now().UTC(), people: map[string]string{}}
	if err := demo.Seed(context.Background(), b.Store, b.now); err != nil {
		t.Fatal(err)
	}
	if err := b.Views.WaitFor(context.Background(), b.LastSeq()); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{demo.Owner, demo.Leo, demo.Priya, demo.HR, demo.PIPWon, demo.PIPNow, "Ana Lima", "Ben Brook", "Cy Chen"} {
		b.people[n] = demo.ID(n).String()
	}
	b.shots = filepath.Join("..", "..", "testdata-artifacts", "browser")
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800))
	t.Cleanup(cancel)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(cancelCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 45*time.Second)
	t.Cleanup(cancelTimeout)
	b.ctx = ctx
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// run runs browser actions, failing the test with what was being done.
func (b *browserEnv) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// login signs in through a demo link, as the printed ones are.
func (b *browserEnv) login(sub string, role domain.Role, waitFor string) {
	b.t.Helper()
	tok := b.Token(sub, role)
	b.run("login as "+sub, chromedp.Navigate(b.URL+"/ui/login?token="+url.QueryEscape(tok)), chromedp.WaitVisible(waitFor))
}

func (b *browserEnv) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(sel, chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// svgText reads an SVG's text (SVG elements have no innerText).
func (b *browserEnv) svgText(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.TextContent(sel))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

func (b *browserEnv) screenshot(name string, docs bool) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if docs && os.Getenv("COACHJOURNAL_UPDATE_SCREENSHOTS") == "1" {
		dir := filepath.Join("..", "..", "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// apiScorecard reads a scorecard through the JSON API, as the leader.
func (b *browserEnv) apiScorecard(person, period, token string) (attainment, gap string) {
	b.t.Helper()
	var card struct {
		Funnel struct {
			Attainment *float64 `json:"attainment"`
			PrimaryGap *string  `json:"primary_gap"`
		} `json:"funnel"`
	}
	b.Must(http.StatusOK, http.MethodGet, "/v1/people/"+person+"/scorecard?period="+period, token, nil).Decode(b.t, &card)
	if card.Funnel.Attainment == nil || card.Funnel.PrimaryGap == nil {
		b.t.Fatalf("scorecard of %s for %s has no attainment or gap", person, period)
	}
	return fmt.Sprintf("%.0f%%", *card.Funnel.Attainment*100), strings.ReplaceAll(*card.Funnel.PrimaryGap, "_", " ")
}

func contains(t *testing.T, where, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: %q does not contain %q", where, got, w)
		}
	}
}
