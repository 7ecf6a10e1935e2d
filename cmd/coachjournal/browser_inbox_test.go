package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/coachjournal/coachjournal/demo"
	"github.com/coachjournal/coachjournal/domain"
)

// TestBrowserInbox: Leo opens his inbox from the nav over the demo: Ana's
// overdue commitment in words with a link to the 1-on-1 where it is
// settled; "Mark as read" (a plain form) keeps it below the unread; the
// page fits a 390 px phone. Screenshots at 1280 and 390 px.
func TestBrowserInbox(t *testing.T) {
	b := newBrowserEnv(t)
	b.login(b.people[demo.Leo], domain.RoleMember, "main")
	b.run("open the inbox", chromedp.Click(`nav a[href="/ui/inbox"]`, chromedp.NodeVisible), chromedp.WaitVisible("ul.inbox"))
	main := b.text("main")
	contains(t, "Leo's inbox", main, "Ana Lima's commitment", "is still open", "to look at") // "1 reminder" on a Monday, "2 reminders" once a 1-on-1 is missing
	for _, s := range []string{"commitment_overdue", "one_on_one_missing", "00000000"} {
		if strings.Contains(main, s) {
			t.Errorf("the inbox shows %q", s)
		}
	}
	b.screenshot("inbox", true)
	first := b.text("ul.inbox li:first-child p:first-child")
	b.run("mark the first read", chromedp.Click(`ul.inbox li:first-child button`, chromedp.NodeVisible),
		chromedp.WaitVisible(`ul.inbox li.read`))
	if got := b.text("ul.inbox li.read p:first-child"); got != first {
		t.Errorf("the reminder marked read is %q, want %q", got, first)
	}
	b.run("phone", chromedp.EmulateViewport(phoneWidth, 844), chromedp.Navigate(b.URL+"/ui/inbox"), chromedp.WaitVisible("ul.inbox"))
	b.noSideways("inbox")
	b.screenshot("inbox-phone", true)
}
