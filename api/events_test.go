package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/api"
	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
)

// seeded are strings the org and the loop put in the journals that no
// analyst may ever read.
var seeded = []string{"Olga Owner", "Ana Lima", "Ben Brook", "example.com", "Account Executive",
	"Pipeline is thin", "book 15 first meetings", "secret text"}

type feedItem struct {
	Sequence uint64          `json:"sequence"`
	Type     string          `json:"type"`
	PersonID string          `json:"person_id"`
	Actor    domain.Actor    `json:"actor"`
	Data     json.RawMessage `json:"data"`
}

type feedBody struct {
	Items        []feedItem `json:"items"`
	NextCursor   string     `json:"next_cursor"`
	LastSequence uint64     `json:"last_sequence"`
}

// readFeed pages through the whole feed with query q and returns every item.
func readFeed(t *testing.T, o *org, token, q string) ([]feedItem, []string) {
	t.Helper()
	var all []feedItem
	var bodies []string
	cursor := ""
	for range 1000 {
		r := o.Must(http.StatusOK, http.MethodGet, "/v1/events?limit=4&"+q+"&cursor="+cursor, token, nil)
		bodies = append(bodies, string(r.Body))
		var b feedBody
		r.Decode(t, &b)
		all = append(all, b.Items...)
		if b.NextCursor == "" {
			return all, bodies
		}
		cursor = b.NextCursor
	}
	t.Fatal("the feed never ended")
	return nil, nil
}

var pseudonym = regexp.MustCompile(`^[0-9a-f]{32}$`)

func seedLoop(t *testing.T, o *org) {
	t.Helper()
	p := "/v1/people/"
	o.Created(http.MethodPost, p+o.ana+"/meetings", o.leaderT, map[string]any{
		"kind": "performance", "held_at": clock.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "with_id": o.leader,
		"notes": "Pipeline is thin", "diagnosis": map[string]any{"primary": "activity", "note": "secret text d"}})
	o.Created(http.MethodPost, p+o.ana+"/commitments", o.anaT, map[string]any{"text": "book 15 first meetings by Friday", "due_on": day(4)})
	o.Created(http.MethodPost, p+o.ana+"/metrics", o.anaT, map[string]any{"period": lastWeek(), "source": "self", "values": map[string]any{"activities": 40}})
	o.Created(http.MethodPost, p+o.ben+"/manager", o.admin, map[string]any{"manager_id": o.other})
}

func TestEventFeed(t *testing.T) {
	o := newOrg(t)
	seedLoop(t, o)
	last := o.LastSeq()

	clear, _ := readFeed(t, o, o.admin, "")
	// Every event, in order; the org markers stored beside each structural
	// change (one each, eventstore/org.go) are not events and not in it.
	markers := 0
	for i, it := range clear {
		if domain.StructuralType(it.Type) {
			markers++
		}
		if i > 0 && it.Sequence <= clear[i-1].Sequence {
			t.Fatalf("item %d has sequence %d after %d", i, it.Sequence, clear[i-1].Sequence)
		}
	}
	if uint64(len(clear)+markers) != last || clear[len(clear)-1].Sequence != last {
		t.Fatalf("admin read %d events (%d structural), want every one of the stream's %d messages but the markers", len(clear), markers, last)
	}
	if !strings.Contains(string(clear[2].Data), "Ana Lima") || clear[2].PersonID != o.ana {
		t.Fatalf("admin's third event = %+v, want Ana's registration in clear", clear[2])
	}
	hrItems, _ := readFeed(t, o, o.hr, "type=person.")
	analyst, bodies := readFeed(t, o, o.analyst, "")
	if len(analyst) != len(clear) || len(hrItems) != 7 {
		t.Fatalf("analyst read %d events, HR %d person events; want %d and 7", len(analyst), len(hrItems), len(clear))
	}
	for _, b := range bodies {
		for _, s := range append(seeded, o.ana, o.ben, o.leader, o.owner) {
			if strings.Contains(b, s) {
				t.Fatalf("the analyst feed reveals %q: %s", s, b)
			}
		}
	}
	names := map[string]string{} // pseudonym → person id, via the clear feed
	for i, it := range analyst {
		if !pseudonym.MatchString(it.PersonID) {
			t.Fatalf("analyst item %d person_id = %q, want a pseudonym", i, it.PersonID)
		}
		if prev, ok := names[it.PersonID]; ok && prev != clear[i].PersonID {
			t.Fatalf("pseudonym %s names both %s and %s", it.PersonID, prev, clear[i].PersonID)
		}
		names[it.PersonID] = clear[i].PersonID
	}
	if len(names) != 6 {
		t.Fatalf("%d pseudonyms for 6 people", len(names))
	}
	again, _ := readFeed(t, o, o.analyst, "type=meeting.held")
	if len(again) != 1 || names[again[0].PersonID] != o.ana || !strings.Contains(string(again[0].Data), `"with_id":"`) ||
		names[again[0].Actor.ID] != o.leader || strings.Contains(string(again[0].Data), o.leader) {
		t.Fatalf("meeting as analysts read it = %+v, want pseudonyms of Ana, the leader as actor and with_id", again)
	}

	t.Run("filters", func(t *testing.T) {
		if items, _ := readFeed(t, o, o.admin, "type=commitment.made"); len(items) != 1 {
			t.Errorf("type=commitment.made: %d items, want 1", len(items))
		}
		future := clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		if items, _ := readFeed(t, o, o.admin, "from="+future); len(items) != 0 {
			t.Errorf("from the future: %d items, want 0", len(items))
		}
		want := 0
		for _, it := range clear {
			if it.Sequence > 3 {
				want++
			}
		}
		if items, _ := readFeed(t, o, o.admin, "to="+future+"&after=3"); len(items) != want {
			t.Errorf("after=3: %d items, want %d", len(items), want)
		}
		for _, q := range []string{"type=journal.*", "type=Person", "after=x", "from=yesterday", "limit=0"} {
			o.Must(http.StatusUnprocessableEntity, http.MethodGet, "/v1/events?"+q, o.admin, nil)
		}
		var b feedBody
		o.Must(http.StatusOK, http.MethodGet, "/v1/events?limit=1000&after="+strconv.FormatUint(last, 10), o.admin, nil).Decode(t, &b)
		if len(b.Items) != 0 || b.NextCursor != "" || b.LastSequence != last {
			t.Errorf("at the end: %+v, want no items, no cursor, last_sequence %d", b, last)
		}
	})
	t.Run("members are refused", func(t *testing.T) {
		o.Must(http.StatusForbidden, http.MethodGet, "/v1/events", o.leaderT, nil)
		o.Must(http.StatusForbidden, http.MethodGet, "/v1/events/stream", o.anaT, nil)
		o.Must(http.StatusUnauthorized, http.MethodGet, "/v1/events", "", nil)
	})
}

type sseEvent struct {
	id   uint64
	typ  string
	data string
}

// openStream connects to the live tail and sends each event it reads until
// the returned stop is called; comments (heartbeats) go to beats.
func openStream(t *testing.T, base, token, query, lastID string) (<-chan sseEvent, <-chan struct{}, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/events/stream"+query, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events, beats := make(chan sseEvent, 1024), make(chan struct{}, 1024)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "" && ev.typ != "":
				events <- ev
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
				select {
				case beats <- struct{}{}:
				default:
				}
			case strings.HasPrefix(line, "id: "):
				ev.id, _ = strconv.ParseUint(line[4:], 10, 64)
			case strings.HasPrefix(line, "event: "):
				ev.typ = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}()
	return events, beats, func() { cancel(); <-done }
}

// TestEventStreamResumes disconnects a live-tail client while writes go on
// and reconnects it with Last-Event-ID: it misses nothing and gets nothing twice.
func TestEventStreamResumes(t *testing.T) {
	o := newOrg(t)
	const writes = 40
	wrote := make(chan error, 1)
	go func() {
		for i := range writes {
			r := o.Do(http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.anaT,
				map[string]any{"text": fmt.Sprintf("secret text %d", i), "due_on": day(3)})
			if r.Status != http.StatusCreated {
				wrote <- fmt.Errorf("write %d: %d %s", i, r.Status, r.Body)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		wrote <- nil
	}()

	var got []sseEvent
	events, _, stop := openStream(t, o.URL, o.analyst, "", "")
	for len(got) < 12 {
		select {
		case e := <-events:
			got = append(got, e)
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d events before the disconnect", len(got))
		}
	}
	stop()
	lastID := strconv.FormatUint(got[len(got)-1].id, 10)
	events, _, stop = openStream(t, o.URL, o.analyst, "?after=1", lastID) // the header wins over after
	defer stop()
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	last := o.LastSeq()
	for got[len(got)-1].id < last {
		select {
		case e := <-events:
			got = append(got, e)
		case <-time.After(10 * time.Second):
			t.Fatalf("stream stopped at %d of %d", got[len(got)-1].id, last)
		}
	}
	feed, _ := readFeed(t, o, o.analyst, "")
	if len(got) != len(feed) {
		t.Fatalf("the stream delivered %d events, the stream holds %d", len(got), len(feed))
	}
	for i, e := range got {
		var it feedItem
		if err := json.Unmarshal([]byte(e.data), &it); err != nil {
			t.Fatal(err)
		}
		if e.id != feed[i].Sequence || it.Sequence != e.id || e.typ != feed[i].Type || it.PersonID != feed[i].PersonID {
			t.Fatalf("stream event %d = id %d %s %s, want %d %s %s (as the feed)", i, e.id, e.typ, it.PersonID, feed[i].Sequence, feed[i].Type, feed[i].PersonID)
		}
		for _, s := range append(seeded, o.ana) {
			if strings.Contains(e.data, s) {
				t.Fatalf("the analyst stream reveals %q: %s", s, e.data)
			}
		}
	}
}

// TestEventStreamOutlivesServerTimeouts runs the tail behind an http.Server
// with short read and write timeouts (serve sets both): it stays open,
// heartbeats, and still delivers.
func TestEventStreamOutlivesServerTimeouts(t *testing.T) {
	o := newOrg(t)
	key, err := api.LoadOrCreateKey(filepath.Join(o.DataDir, "pseudonym.key"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(api.New(o.Store, o.Views, o.Tokens, api.Config{PseudonymKey: key, Heartbeat: 50 * time.Millisecond}))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	srv.Start()
	defer srv.Close()
	events, beats, stop := openStream(t, srv.URL, o.admin, "?type=commitment.", "")
	defer stop()
	deadline := time.After(time.Second)
	for n := 0; ; n++ {
		select {
		case <-beats:
			continue
		case e := <-events:
			t.Fatalf("unexpected event %+v", e)
		case <-deadline:
		}
		if n < 5 {
			t.Fatalf("%d heartbeats in a second, want about 20", n)
		}
		break
	}
	o.Created(http.MethodPost, "/v1/people/"+o.ana+"/commitments", o.anaT, map[string]any{"text": "late one", "due_on": day(3)})
	select {
	case e := <-events:
		if e.typ != "commitment.made" || !strings.Contains(e.data, "late one") {
			t.Fatalf("event = %+v, want the commitment in clear", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event after the server's timeouts")
	}
}

// TestEventFeedAfterBeyond: an after (or cursor) beyond the stream's last
// sequence is a bad value, 422 naming it, on the feed and its live tail,
// not a 503 after a read that times out (issue 15).
func TestEventFeedAfterBeyond(t *testing.T) {
	o := newOrg(t)
	last := o.LastSeq()
	next := strconv.FormatUint(last+1, 10)
	for _, tc := range []struct{ query, field string }{
		{"after=" + next, "after"},
		{"after=18446744073709551615", "after"},
		{"cursor=" + next, "cursor"},
		{"after=1&cursor=" + next, "cursor"},
	} {
		paths := []string{"/v1/events?"}
		if tc.field == "after" {
			paths = append(paths, "/v1/events/stream?") // the live tail takes no cursor
		}
		for _, path := range paths {
			r := o.Must(http.StatusUnprocessableEntity, http.MethodGet, path+tc.query, o.admin, nil)
			var p struct {
				Code   string
				Errors []struct{ Field string }
			}
			r.Decode(t, &p)
			if p.Code != "validation_failed" || len(p.Errors) != 1 || p.Errors[0].Field != tc.field {
				t.Errorf("%s%s: %s, want validation_failed naming %s", path, tc.query, r.Body, tc.field)
			}
		}
	}
	o.Must(http.StatusOK, http.MethodGet, "/v1/events?after="+strconv.FormatUint(last, 10), o.admin, nil)
}
