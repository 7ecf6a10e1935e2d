package api_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/coachjournal/coachjournal/api/web"
	"github.com/coachjournal/coachjournal/eventstore"
)

type readRow struct {
	Role      string
	Via       string
	Sub       string
	Name      string
	You       bool
	RequestID string `json:"request_id"`
	Sequence  uint64
}

type pipReads struct {
	Reads *[]readRow
}

// openPIP opens a PIP for Ben, as HR.
func openPIP(t *testing.T, o *org) string {
	t.Helper()
	return o.Created(http.MethodPost, "/v1/people/"+o.ben+"/pips", o.hr, map[string]any{
		"reason": "three months under 60%", "starts_on": day(-7), "ends_on": day(40),
		"goals": []map[string]any{{"text": "10 new opportunities a month"}}})
}

// uiGet fetches a UI page with the session cookie of token.
func uiGet(t *testing.T, base, path, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.AddCookie(&http.Cookie{Name: web.CookieName, Value: token})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestReadAudit: every read of a PIP, through the API or the UI, leaves an
// audit.read record on the AUDIT stream before it is served; HR and the
// person on the PIP see who read it (the person without service names or
// request ids); a manager above sees no list.
func TestReadAudit(t *testing.T) {
	o := newOrg(t)
	pip := openPIP(t, o)
	path := "/v1/people/" + o.ben + "/pips/" + pip

	o.Must(http.StatusOK, http.MethodGet, path, o.hr, nil, "X-Request-Id", "hr-read-1")
	if code, body := uiGet(t, o.URL, "/ui/people/"+o.ben+"/pips/"+pip, o.hr); code != http.StatusOK || !strings.Contains(body, "Who read this PIP") {
		t.Fatalf("UI PIP page as HR: %d, reads section missing", code)
	}
	var leaderView pipReads
	o.Must(http.StatusOK, http.MethodGet, path, o.leaderT, nil).Decode(t, &leaderView)
	if leaderView.Reads != nil {
		t.Errorf("the manager sees the read list: %+v", *leaderView.Reads)
	}

	var benView pipReads
	o.Must(http.StatusOK, http.MethodGet, path, o.benT, nil).Decode(t, &benView)
	if benView.Reads == nil || len(*benView.Reads) != 4 {
		t.Fatalf("Ben's view of the reads = %+v, want 4 (his, the leader's, HR's in the UI, HR's in the API)", benView.Reads)
	}
	want := []readRow{
		{Role: "member", Via: "api", Name: "Ben Brook", You: true},
		{Role: "member", Via: "api", Name: "Leo Leader"},
		{Role: "hr", Via: "ui"},
		{Role: "hr", Via: "api"},
	}
	for i, r := range *benView.Reads {
		if r != want[i] {
			t.Errorf("Ben's read %d = %+v, want %+v", i, r, want[i])
		}
	}

	var hrView pipReads
	o.Must(http.StatusOK, http.MethodGet, path, o.hr, nil).Decode(t, &hrView)
	rs := *hrView.Reads
	if len(rs) != 5 || !rs[0].You || rs[0].Sub != "hr-service" || rs[4].RequestID != "hr-read-1" || rs[4].Sequence == 0 || rs[3].Via != "ui" {
		t.Errorf("HR's view of the reads = %+v", rs)
	}
	code, body := uiGet(t, o.URL, "/ui/people/"+o.ben+"/pips/"+pip, o.benT)
	_, reads, found := strings.Cut(body, "Who read this PIP")
	if code != http.StatusOK || !found || strings.Contains(reads, "hr-service") || strings.Contains(reads, "hr-read-1") ||
		!strings.Contains(reads, "Leo Leader") {
		t.Errorf("Ben's UI page: %d; must list the reads without service names or request ids: %s", code, reads)
	}

	// Cy (another team) reads nothing and leaves no record.
	o.Must(http.StatusNotFound, http.MethodGet, path, o.cyT, nil)
	st, err := o.Store.JetStream().Stream(context.Background(), eventstore.AuditStream)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := st.Info(context.Background())
	if !info.Config.DenyDelete || !info.Config.DenyPurge || info.State.Msgs != 6 {
		t.Errorf("AUDIT stream: deny delete %v, deny purge %v, %d records, want 6", info.Config.DenyDelete, info.Config.DenyPurge, info.State.Msgs)
	}

	// The index is rebuilt from the stream on restart.
	o.Restart()
	o.Must(http.StatusOK, http.MethodGet, path, o.hr, nil).Decode(t, &hrView)
	if len(*hrView.Reads) != 7 {
		t.Errorf("after restart: %d reads, want 7", len(*hrView.Reads))
	}
}

// TestReadAuditPaged: the PIP page lists the newest 20 reads and links to
// the older ones; ?reads=all lists every read the audit keeps, without the
// link. The API's list is not cut.
func TestReadAuditPaged(t *testing.T) {
	o := newOrg(t)
	pip := openPIP(t, o)
	page := "/ui/people/" + o.ben + "/pips/" + pip
	for range 24 {
		o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ben+"/pips/"+pip, o.hr, nil)
	}
	rows := func(body string) int {
		_, reads, found := strings.Cut(body, `id="reads-title"`)
		if !found {
			t.Fatal("no reads section")
		}
		reads, _, _ = strings.Cut(reads, "</table>")
		return strings.Count(reads, "<tr>") - 1 // less the heading row
	}
	code, body := uiGet(t, o.URL, page, o.hr) // the 25th read
	if code != http.StatusOK || rows(body) != 20 || !strings.Contains(body, `href="?reads=all#reads-title"`) {
		t.Errorf("the page: %d, %d reads listed (want 20) and a link to the older ones: %v", code, rows(body), strings.Contains(body, "?reads=all"))
	}
	code, body = uiGet(t, o.URL, page+"?reads=all", o.hr) // the 26th
	if code != http.StatusOK || rows(body) != 26 || strings.Contains(body, `id="older-reads"`) {
		t.Errorf("?reads=all: %d, %d reads listed, want 26 and no link", code, rows(body))
	}
	var hrView pipReads
	o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ben+"/pips/"+pip, o.hr, nil).Decode(t, &hrView)
	if len(*hrView.Reads) != 27 {
		t.Errorf("the API lists %d reads, want 27", len(*hrView.Reads))
	}
}

// TestReadAuditMetrics: /metrics counts the PIP reads stored and the
// messages that held them: three reads one after the other, three
// messages of one read each (a lone reader's read is never held back).
func TestReadAuditMetrics(t *testing.T) {
	o := newOrg(t)
	pip := openPIP(t, o)
	counter := func(name string) string {
		t.Helper()
		for line := range strings.Lines(string(o.Must(http.StatusOK, http.MethodGet, "/metrics", "", nil).Body)) {
			if v, ok := strings.CutPrefix(line, name+" "); ok {
				return strings.TrimSpace(v)
			}
		}
		t.Fatalf("no %s on /metrics", name)
		return ""
	}
	reads0, msgs0 := counter("coachjournal_read_audit_reads_total"), counter("coachjournal_read_audit_messages_total")
	for range 3 {
		o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ben+"/pips/"+pip, o.hr, nil)
	}
	if reads, msgs := counter("coachjournal_read_audit_reads_total"), counter("coachjournal_read_audit_messages_total"); reads0 != "0" || msgs0 != "0" || reads != "3" || msgs != "3" {
		t.Errorf("reads, messages: %s, %s before, %s, %s after three reads; want 0, 0, then 3, 3", reads0, msgs0, reads, msgs)
	}
}
