package api_test

import (
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/coachjournal/coachjournal/api/apitest"
)

// TestWebPageSentWhole: a rendered page (the caches off) is sent with its
// length, not in chunks as it was rendered: the whole page is rendered
// before a byte goes out. The rep page is larger than a chunk.
func TestWebPageSentWhole(t *testing.T) {
	o := newOrgWith(t, apitest.Options{ReadCacheBytes: -1})
	b := newBrowser(t, o, o.leaderT)
	resp, err := b.c.Get(o.URL + "/ui/people/" + o.ana)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(body) < 4<<10 {
		t.Fatalf("rep page: %d, %d bytes; want 200 and a page over 4 KiB (the response buffer)", resp.StatusCode, len(body))
	}
	if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) || len(resp.TransferEncoding) != 0 {
		t.Errorf("rep page of %d bytes sent with Content-Length %q, transfer encoding %v", len(body), got, resp.TransferEncoding)
	}
}
