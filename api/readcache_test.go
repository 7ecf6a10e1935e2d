package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api/apitest"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
)

// cacheCount reads coachjournal_read_cache_total{result} from /metrics.
func cacheCount(t *testing.T, e *apitest.Env, result string) float64 {
	t.Helper()
	return metricValue(t, e, `coachjournal_read_cache_total{result="`+result+`"}`)
}

// metricValue reads one series from /metrics; 0 when it is absent.
func metricValue(t *testing.T, e *apitest.Env, series string) float64 {
	t.Helper()
	r := e.Must(http.StatusOK, http.MethodGet, "/metrics", "", nil)
	prefix := series + " "
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %q: %v", sc.Text(), err)
			}
			return n
		}
	}
	return 0
}

// cachedGET reads path twice and checks that the second read was served
// from the cache; it returns the second response.
func cachedGET(t *testing.T, o *org, path, token string) *apitest.Response {
	t.Helper()
	o.Must(http.StatusOK, http.MethodGet, path, token, nil)
	hits := cacheCount(t, o.Env, "hit")
	r := o.Must(http.StatusOK, http.MethodGet, path, token, nil)
	if got := cacheCount(t, o.Env, "hit"); got != hits+1 {
		t.Fatalf("%s: cache hits %v → %v, want one more", path, hits, got)
	}
	return r
}

var asOfValue = regexp.MustCompile(`"as_of":"[^"]*"`)

// TestReadCacheAnswersAsComputed: a cached answer is byte for byte the
// computed one, but for as_of, which is the time of each answer; ETag and
// content type are those of every read.
func TestReadCacheAnswersAsComputed(t *testing.T) {
	o := scoreOrg(t)
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.anaT, map[string]any{"text": "call <ten> & more", "due_on": day(3)})
	for _, path := range []string{
		"/v1/people/" + o.ana + "/scorecard?period=" + lastMonth(),
		"/v1/teams/" + o.leader + "/board?period=" + lastMonth(),
		"/v1/people/" + o.ana + "/timeline?limit=3",
		"/v1/people/" + o.ana + "/commitment-history",
	} {
		first := o.Must(http.StatusOK, http.MethodGet, path, o.leaderT, nil)
		time.Sleep(2 * time.Millisecond)
		second := cachedGET(t, o, path, o.leaderT)
		if a, b := asOfValue.ReplaceAll(first.Body, nil), asOfValue.ReplaceAll(second.Body, nil); !bytes.Equal(a, b) {
			t.Errorf("%s: cached answer\n%s\nwant\n%s", path, b, a)
		}
		if !strings.Contains(path, "timeline") && bytes.Equal(first.Body, second.Body) {
			t.Errorf("%s: as_of did not move with the time of the answer: %s", path, second.Body)
		}
		for _, m := range asOfValue.FindAll(second.Body, -1) {
			at, err := time.Parse(time.RFC3339Nano, strings.TrimSuffix(strings.TrimPrefix(string(m), `"as_of":"`), `"`))
			if err != nil || clock.Now().Sub(at) > time.Minute {
				t.Errorf("%s: %s is not the time of the answer", path, m)
			}
		}
		if second.Header.Get("ETag") != first.Header.Get("ETag") || second.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: headers %v, want those of the first read %v", path, second.Header, first.Header)
		}
		var v any
		if err := json.Unmarshal(second.Body, &v); err != nil || second.Body[len(second.Body)-1] != '\n' {
			t.Errorf("%s: %v in %q", path, err, second.Body)
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		pretty := o.Must(http.StatusOK, http.MethodGet, path+sep+"pretty", o.leaderT, nil)
		if !bytes.Contains(pretty.Body, []byte("\n  \"")) || bytes.Contains(pretty.Body, []byte(`"as_of": null`)) {
			t.Errorf("%s&pretty = %s", path, pretty.Body)
		}
	}
	if r := o.Must(http.StatusOK, http.MethodGet, "/v1/people/"+o.ana+"/timeline", o.anaT, nil); !bytes.Contains(r.Body, []byte(`call \u003cten\u003e \u0026 more`)) {
		t.Errorf("text is not escaped as encoding/json does: %s", r.Body)
	}
}

// TestReadCacheFollowsWrites: a cached scorecard shows a new submission
// at once (the write answers after the projections applied it), with or
// without X-Min-Sequence, and a new team standard of the leader above; an
// as_of read keeps showing what was known then.
func TestReadCacheFollowsWrites(t *testing.T) {
	o := scoreOrg(t)
	path := "/v1/people/" + o.ana + "/scorecard?period=" + lastMonth()
	attainment := func(r *apitest.Response) float64 {
		t.Helper()
		var c scorecardBody
		r.Decode(t, &c)
		return *c.Funnel.Attainment
	}
	if got := attainment(cachedGET(t, o, path, o.anaT)); got != 0.75 {
		t.Fatalf("attainment %v, want 0.75", got)
	}
	before := clock.Now().UTC()
	time.Sleep(2 * time.Millisecond)
	asOf := path + "&as_of=" + url.QueryEscape(before.Format(time.RFC3339Nano))
	cachedGET(t, o, asOf, o.anaT)

	w := o.Must(http.StatusCreated, http.MethodPost, "/v1/people/"+o.ana+"/metrics", o.leaderT, map[string]any{
		"period": lastMonth(), "source": "manager", "correction_reason": "a late deal",
		"values": map[string]any{"new_opportunities": 10, "deals_won": 4, "revenue": 200000}})
	r := o.Must(http.StatusOK, http.MethodGet, path, o.anaT, nil)
	if got := attainment(r); got != 1 {
		t.Errorf("after the correction: %v, want 1", got)
	}
	if r.Header.Get("ETag") != w.Header.Get("ETag") {
		t.Errorf("ETag %s after the write, want the write's %s", r.Header.Get("ETag"), w.Header.Get("ETag"))
	}
	seq := w.Header.Get("X-Journal-Sequence")
	if got := attainment(o.Must(http.StatusOK, http.MethodGet, path, o.leaderT, nil, "X-Min-Sequence", seq)); got != 1 {
		t.Errorf("with X-Min-Sequence %s: %v, want 1", seq, got)
	}
	if got := attainment(cachedGET(t, o, asOf, o.anaT)); got != 0.75 {
		t.Errorf("as of before the correction: %v, want 0.75", got)
	}

	// The leader's new team standard (another journal) reaches Ana's card.
	o.Created(http.MethodPost, "/v1/people/"+o.leader+"/standards", o.leaderT, map[string]any{
		"applies_to": "reports", "effective_from": "2021-01-01",
		"targets": []map[string]any{{"metric": "revenue", "target": 400000, "kind": "lagging"}}})
	if got := attainment(o.Must(http.StatusOK, http.MethodGet, path, o.anaT, nil)); got != 0.5 {
		t.Errorf("after the leader's new standard: %v, want 0.5", got)
	}
}

// TestReadCacheManagerChange: the old manager loses a moved rep from their
// cached board, and their cached scorecard of the rep is refused (404):
// who sees whom is checked before any cached answer; the new manager's
// board and a newly registered rep show at once.
func TestReadCacheManagerChange(t *testing.T) {
	o := scoreOrg(t)
	board := func(mgr, token string) []string {
		t.Helper()
		var b struct {
			Rows []struct {
				PersonID string `json:"person_id"`
			}
		}
		o.Must(http.StatusOK, http.MethodGet, "/v1/teams/"+mgr+"/board?period="+lastMonth(), token, nil).Decode(t, &b)
		var ids []string
		for _, r := range b.Rows {
			ids = append(ids, r.PersonID)
		}
		return ids
	}
	benCard := "/v1/people/" + o.ben + "/scorecard?period=" + lastMonth()
	cachedGET(t, o, "/v1/teams/"+o.leader+"/board?period="+lastMonth(), o.leaderT)
	cachedGET(t, o, "/v1/teams/"+o.other+"/board?period="+lastMonth(), o.otherT)
	cachedGET(t, o, benCard, o.leaderT)

	o.Created(http.MethodPost, "/v1/people/"+o.ben+"/manager", o.ownerT, map[string]any{"manager_id": o.other})
	if got := board(o.leader, o.leaderT); len(got) != 1 || got[0] != o.ana {
		t.Errorf("the old manager's board = %v, want Ana only", got)
	}
	if got := board(o.other, o.otherT); len(got) != 2 || got[0] != o.ben || got[1] != o.cy {
		t.Errorf("the new manager's board = %v, want Ben then Cy (registration order)", got)
	}
	o.Must(http.StatusNotFound, http.MethodGet, benCard, o.leaderT, nil)
	o.Must(http.StatusOK, http.MethodGet, benCard, o.otherT, nil)

	dan := o.Created(http.MethodPost, "/v1/people", o.admin, map[string]any{"name": "Dan Dale", "email": "dan@example.com", "manager_id": o.leader})
	if got := board(o.leader, o.leaderT); len(got) != 2 || got[1] != dan {
		t.Errorf("the board after Dan joined = %v, want Ana and Dan", got)
	}
}

// TestReadCacheErasure: cached timelines and commitment histories read
// [erased] as soon as the erasure is applied: the person's own, and the
// summary of another's timeline that names them.
func TestReadCacheErasure(t *testing.T) {
	o := newOrg(t)
	ana := "/v1/people/" + o.ana
	o.Created(http.MethodPost, ana+"/commitments", o.anaT, map[string]any{"text": "shadow Ben on three discovery calls", "due_on": day(3)})
	o.Created(http.MethodPost, "/v1/people/"+o.cy+"/manager", o.admin, map[string]any{"manager_id": o.leader})
	reads := []string{ana + "/timeline", ana + "/commitment-history", "/v1/people/" + o.cy + "/timeline"}
	for _, path := range reads {
		r := cachedGET(t, o, path, o.hr)
		if !bytes.Contains(r.Body, []byte("shadow Ben")) && !bytes.Contains(r.Body, []byte("Now reports to Leo Leader")) {
			t.Fatalf("%s before erasure = %s", path, r.Body)
		}
	}

	o.Created(http.MethodPost, ana+"/erasure", o.hr, map[string]any{"reason": "request"})
	o.Created(http.MethodPost, "/v1/people/"+o.leader+"/erasure", o.hr, map[string]any{"reason": "request"})
	for _, path := range reads {
		r := o.Must(http.StatusOK, http.MethodGet, path, o.hr, nil)
		for _, s := range []string{"shadow Ben", "Leo Leader"} {
			if bytes.Contains(r.Body, []byte(s)) {
				t.Errorf("%s after erasure still shows %q: %s", path, s, r.Body)
			}
		}
		if !bytes.Contains(r.Body, []byte("[erased]")) {
			t.Errorf("%s after erasure shows no [erased]: %s", path, r.Body)
		}
	}
}

// TestVerifiedTokenExpires: a token remembered as verified is refused once
// it expires (exp plus the 5 s leeway), as verifying it again would.
func TestVerifiedTokenExpires(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	tok, err := o.Tokens.Mint(o.ana, "member", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Second)
	path := "/v1/people/" + o.ana + "/timeline"
	o.Must(http.StatusOK, http.MethodGet, path, tok, nil)
	o.Must(http.StatusOK, http.MethodGet, path, tok, nil)
	time.Sleep(time.Until(exp.Add(5*time.Second + 100*time.Millisecond)))
	o.Must(http.StatusUnauthorized, http.MethodGet, path, tok, nil)
	// A tampered copy of a remembered token is another string: verified, refused.
	good := o.Token(o.ana, "member")
	o.Must(http.StatusOK, http.MethodGet, path, good, nil)
	o.Must(http.StatusUnauthorized, http.MethodGet, path, good[:len(good)-2]+"xx", nil)
}

// TestReadCacheDuringOutage: with NATS down, a cached read still answers
// from the last known projections, marked stale like every read.
func TestReadCacheDuringOutage(t *testing.T) {
	dir, port := t.TempDir(), freePort(t)
	ns := startNATS(t, dir, port)
	env := apitest.StartWith(t, apitest.Options{NATSURL: ns.ClientURL()})
	admin := env.Token("admin-service", domain.RoleAdmin)
	ana := env.Created(http.MethodPost, "/v1/people", admin, map[string]any{"name": "Ana Lima", "email": "ana@example.com"})
	path := "/v1/people/" + ana + "/timeline"
	before := env.Must(http.StatusOK, http.MethodGet, path, admin, nil)
	env.Must(http.StatusOK, http.MethodGet, path, admin, nil)

	ns.Shutdown()
	ns.WaitForShutdown()
	hits := cacheCount(t, env, "hit")
	r := env.Must(http.StatusOK, http.MethodGet, path, admin, nil)
	if r.Header.Get("X-Projections-Stale") != "true" || !bytes.Equal(r.Body, before.Body) || cacheCount(t, env, "hit") != hits+1 {
		t.Errorf("cached read during the outage: %v %s, want the cached answer marked stale", r.Header, r.Body)
	}
}
