package api_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestWebInbox: a rep's inbox page shows what the journal reminds her of
// in words with the page that settles it; "Mark as read" (a plain form
// post with the CSRF token) keeps it, quieter, below the unread; a post
// without the token, or for a reminder that is not hers, marks nothing.
func TestWebInbox(t *testing.T) {
	o := newOrg(t)
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.anaT, map[string]any{"text": "send the Acme proposal", "due_on": day(1)})
	ana := newBrowser(t, o, o.anaT)
	p := ana.get("/ui/inbox")
	if p.status != http.StatusOK || !strings.Contains(p.text(), "Your commitment “send the Acme proposal” is due tomorrow.") ||
		!strings.Contains(p.text(), "1 reminder to look at") || !strings.Contains(p.body, `href="/ui/people/`+o.ana+`"`) {
		t.Fatalf("Ana's inbox: %d\n%s", p.status, p.body)
	}
	m := regexp.MustCompile(`action="(/ui/inbox/([0-9a-f]+)/read)"><input type="hidden" name="_csrf" value="([^"]*)">`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no mark-as-read form:\n%s", p.body)
	}
	action, csrf := m[1], m[3]
	if r := ana.post(action, url.Values{}); r.status != http.StatusBadRequest {
		t.Errorf("a post without the CSRF token: %d, want 400 (echo's CSRF middleware: missing token)", r.status)
	}
	if r := ana.post(action, url.Values{"_csrf": {"forged"}}); r.status != http.StatusForbidden {
		t.Errorf("a post with a forged CSRF token: %d, want 403", r.status)
	}
	if r := newBrowser(t, o, o.benT).post(action, url.Values{"_csrf": {csrf}}); r.status != http.StatusNotFound && r.status != http.StatusForbidden {
		t.Errorf("Ben marks Ana's reminder: %d, want 404 (or 403 for the foreign CSRF token)", r.status)
	}
	if p := ana.get("/ui/inbox"); !strings.Contains(p.text(), "1 reminder to look at") {
		t.Fatalf("refused posts marked the reminder read:\n%s", p.body)
	}
	if r := ana.post(action, url.Values{"_csrf": {csrf}}); r.status != http.StatusSeeOther || r.location != "/ui/inbox" {
		t.Fatalf("mark as read: %d %s, want 303 to /ui/inbox", r.status, r.location)
	}
	p = ana.get("/ui/inbox")
	if !strings.Contains(p.text(), "Nothing new.") || !strings.Contains(p.body, `class="card read"`) || strings.Contains(p.body, action) {
		t.Errorf("after marking it read:\n%s", p.body)
	}
	var api struct {
		Unread int
		Items  []struct{ Read bool }
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/me/nudges", o.anaT, nil).Decode(t, &api)
	if api.Unread != 0 || len(api.Items) != 1 || !api.Items[0].Read {
		t.Errorf("the API's inbox after the page marked it read: %+v", api)
	}
}
