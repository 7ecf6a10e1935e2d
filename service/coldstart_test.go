package service

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/coachjournal/coachjournal/projections"
	"github.com/coachjournal/coachjournal/projections/snapshot"
	"github.com/google/uuid"
)

// TestSnapshotColdStart measures a cold start from a snapshot against a
// full replay (Follow from 0) on a stream of N events, with N from
// COACHJOURNAL_SNAPSHOT_BENCH (e.g. 200000 or 1000000); it is skipped
// without it. The stream holds real encrypted events of 500 people
// (metrics, meetings, commitments), copied until it has N. It reports;
// it asserts nothing about speed.
func TestSnapshotColdStart(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("COACHJOURNAL_SNAPSHOT_BENCH"))
	if n == 0 {
		t.Skip("set COACHJOURNAL_SNAPSHOT_BENCH=N to measure")
	}
	ctx := context.Background()
	dir := t.TempDir()
	store, err := eventstore.Open(ctx, eventstore.Config{DataDir: dir, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	fillStream(t, store, n)
	last, err := store.LastSequence(ctx)
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	full := projections.NewSet()
	follow(t, store, full, last)
	replay := time.Since(start)

	snaps := &snapshot.Store{Dir: snapshot.Dir(dir), Key: store.SnapshotKey(), Stream: store.StreamCreated()}
	start = time.Now()
	if _, err := snaps.Save(full); err != nil {
		t.Fatal(err)
	}
	write := time.Since(start)
	info, err := os.Stat(snaps.Path())
	if err != nil {
		t.Fatal(err)
	}
	full = nil

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start = time.Now()
	views := snapshot.Resume(snaps, last, slog.New(slog.DiscardHandler))
	load := time.Since(start)
	if views.Sequence() != last {
		t.Fatalf("resumed at %d, want %d", views.Sequence(), last)
	}
	follow(t, store, views, last)
	cold := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(views)

	t.Logf("events %d: full replay %v (%.0f events/s); cold start from snapshot %v (load %v): %.1fx faster",
		last, replay.Round(time.Millisecond), float64(last)/replay.Seconds(), cold.Round(time.Millisecond), load.Round(time.Millisecond), replay.Seconds()/cold.Seconds())
	t.Logf("snapshot %.1f MB (%.0f B/event), written in %v; heap after resume %.0f B/event",
		float64(info.Size())/1e6, float64(info.Size())/float64(last), write.Round(time.Millisecond), float64(after.HeapAlloc-before.HeapAlloc)/float64(last))
}

// follow applies the stream after views' sequence up to last.
func follow(t *testing.T, store *eventstore.Store, views *projections.Set, last uint64) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = store.Follow(ctx, views.Sequence(), views.Apply) }()
	wait, stop := context.WithTimeout(ctx, 10*time.Minute)
	defer stop()
	if err := views.WaitFor(wait, last); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
}

// fillStream writes real events of 500 people, then copies of them until
// the stream holds n messages.
func fillStream(t *testing.T, store *eventstore.Store, n int) {
	t.Helper()
	ctx := context.Background()
	meta := domain.Meta{Actor: domain.Actor{ID: "admin", Role: domain.RoleAdmin}, Now: clock.Now()}
	exec := func(id uuid.UUID, cmd domain.Command) domain.Written {
		w, err := store.Execute(ctx, domain.Write{PersonID: id, Command: cmd, Meta: meta})
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		return w
	}
	var templates []domain.Written
	lead := uuid.New()
	exec(lead, domain.RegisterPerson{Name: "Leo Leader", Email: "leo@example.com"})
	week := domain.WeekPeriod(domain.DateOf(clock.Now().AddDate(0, 0, -7))).String()
	for k := range 500 {
		id := uuid.New()
		m := lead.String()
		exec(id, domain.RegisterPerson{Name: fmt.Sprintf("Rep %d", k), Email: fmt.Sprintf("rep%d@example.com", k), ManagerID: &m})
		notes := "talked through the discovery calls of the week"
		templates = append(templates,
			exec(id, domain.SubmitMetrics{Period: week, Source: "manager", Values: map[string]float64{"activities": 40, "new_opportunities": 10, "deals_won": 3, "revenue": 150000}}),
			exec(id, domain.HoldMeeting{Kind: "performance", HeldAt: clock.Now().Add(-time.Hour).Format(time.RFC3339), WithID: lead.String(), Notes: &notes}),
			exec(id, domain.MakeCommitment{Text: "book 15 first meetings by Friday", DueOn: clock.Now().AddDate(0, 0, 7).Format("2006-01-02")}))
	}
	st, err := store.JetStream().Stream(ctx, eventstore.DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	type raw struct {
		subject string
		data    []byte
	}
	msgs := make([]raw, len(templates))
	for k, w := range templates {
		m, err := st.GetMsg(ctx, w.Event.Sequence)
		if err != nil {
			t.Fatal(err)
		}
		msgs[k] = raw{m.Subject, m.Data}
	}
	last, _ := store.LastSequence(ctx)
	js := store.JetStream()
	for k := int(last); k < n; k++ {
		m := msgs[k%len(msgs)]
		if _, err := js.PublishAsync(m.subject, m.data); err != nil {
			t.Fatal(err)
		}
		if k%2000 == 1999 {
			<-js.PublishAsyncComplete()
		}
	}
	<-js.PublishAsyncComplete()
}
