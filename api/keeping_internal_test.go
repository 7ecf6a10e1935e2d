package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// TestServeKeepingErasureRace: the lives of a cached history are not
// carried into an answer across an erasure, even when the sweep that
// follows the erasure has not dropped the entry yet (another request has
// claimed that sweep and is still at it). The race is staged: the entry
// goes stale by a write, the person is erased, and the sweep's count is
// moved on without sweeping.
func TestServeKeepingErasureRace(t *testing.T) {
	set := projections.NewSet()
	ana := uuid.New()
	seq := uint64(0)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	apply := func(d domain.Data) {
		seq++
		at = at.Add(time.Hour)
		set.Apply(seq, domain.Event{ID: uuid.New(), Type: d.EventType(), Schema: 1, PersonID: ana, Version: seq,
			Actor: domain.Actor{ID: ana.String(), Role: domain.RoleMember}, OccurredAt: at, RecordedAt: at, Data: d}, nil)
	}
	apply(&domain.PersonRegistered{Name: "Ana Lima", Email: "ana@example.com"})
	apply(&domain.CommitmentMade{CommitmentID: uuid.New(), Text: "book 15 first meetings", DueOn: domain.NewDate(2026, 11, 20)})
	s := &Server{views: set, reads: newReadCache(0), now: func() time.Time { return at.Add(time.Minute) }}
	s.metrics = newMetrics(prometheus.NewRegistry(), s)
	today := domain.NewDate(2026, 11, 3)
	key := readKey("keeping", string(ana[:]), "", today.String())
	read := func() []byte {
		t.Helper()
		rec := httptest.NewRecorder()
		c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
		if err := s.serveKeeping(c, key, ana, today); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("%v, %d", err, rec.Code)
		}
		return rec.Body.Bytes()
	}
	if b := read(); !bytes.Contains(b, []byte("book 15 first meetings")) {
		t.Fatalf("before the erasure: %s", b)
	}
	apply(&domain.MetricsSubmitted{Period: domain.MonthPeriod(today), Values: map[string]float64{"revenue": 1}, Source: "self"})
	apply(&domain.PersonErased{Reason: "request"})
	s.reads.swept.Store(set.Erasures()) // the sweep is another request's, not done yet
	if s.reads.get(key) == nil {
		t.Fatal("the stale entry is gone: the race is not staged")
	}
	if b := read(); bytes.Contains(b, []byte("book 15")) || !bytes.Contains(b, []byte(domain.Erased)) {
		t.Fatalf("after the erasure: %s", b)
	}
}
