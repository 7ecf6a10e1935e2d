package eventstore_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

// TestReadAuditCheckpoint: a start resumes the read-audit index from the
// checkpoint Close wrote and follows the stream from the message after
// it, so a checkpoint older than the stream still lists every newest read;
// a checkpoint altered on disk, or one copied from another data dir under
// the same master key (another AUDIT stream), is not used, and the start
// reads the whole stream instead.
func TestReadAuditCheckpoint(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, eventstore.AuditCheckpointName)
	pips := []uuid.UUID{uuid.New(), uuid.New()}
	var all []domain.ReadRecord // in the stream's order: one reader, a message each

	s, _ := openLogged(t, eventstore.Config{DataDir: dir})
	all = append(all, recordReads(t, s, pips, 260)...)
	closeStore(t, s)
	old, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no checkpoint after Close: %v", err)
	}
	if bytes.Contains(old, []byte("req-")) || bytes.Contains(old, []byte(pips[0].String())) {
		t.Fatal("the checkpoint holds the reads in clear")
	}

	s, _ = openLogged(t, eventstore.Config{DataDir: dir})
	all = append(all, recordReads(t, s, pips, 90)...)
	closeStore(t, s)
	if err := os.WriteFile(file, old, 0o600); err != nil { // the checkpoint of a crash 90 reads ago
		t.Fatal(err)
	}
	s, log := openLogged(t, eventstore.Config{DataDir: dir})
	wantReads(t, s, pips, all)
	// Close writes what the consumer had indexed by then: up to the 260th
	// message, maybe a few short of it (the writer's own reads past it are
	// in the file too, and delivered again).
	m := regexp.MustCompile(`resumed from its checkpoint" sequence=(\d+) `).FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("the start did not resume from the old checkpoint:\n%s", log)
	}
	if seq, _ := strconv.Atoi(m[1]); seq < 1 || seq > 260 {
		t.Fatalf("resumed at sequence %d, not from the checkpoint of the first 260 reads", seq)
	}
	closeStore(t, s)

	tampered := slices.Clone(old)
	tampered[len(tampered)/2] ^= 1
	if err := os.WriteFile(file, tampered, 0o600); err != nil {
		t.Fatal(err)
	}
	s, log = openLogged(t, eventstore.Config{DataDir: dir})
	wantReads(t, s, pips, all)
	if log.count("does not open") == 0 {
		t.Fatalf("an altered checkpoint was not refused:\n%s", log)
	}
	closeStore(t, s)

	// Another data dir, the same master key and PIPs: its own reads only.
	other := eventstore.Config{DataDir: t.TempDir(), MasterKeyFile: filepath.Join(dir, "master.key")}
	s, _ = openLogged(t, other)
	mine := recordReads(t, s, pips, 300) // more messages than the copied checkpoint covers
	closeStore(t, s)
	if err := os.WriteFile(filepath.Join(other.DataDir, eventstore.AuditCheckpointName), old, 0o600); err != nil {
		t.Fatal(err)
	}
	s, log = openLogged(t, other)
	wantReads(t, s, pips, mine)
	if log.count("checkpoint of another stream") == 0 {
		t.Fatalf("another stream's checkpoint was not refused:\n%s", log)
	}
	closeStore(t, s)
}

// recordReads records n reads, one at a time, alternating between pips.
func recordReads(tb testing.TB, s *eventstore.Store, pips []uuid.UUID, n int) []domain.ReadRecord {
	tb.Helper()
	out := make([]domain.ReadRecord, n)
	for i := range out {
		pip := pips[i%len(pips)]
		r, err := s.RecordRead(ctxT(tb), domain.NewReadRecord(domain.Actor{ID: "hr", Role: domain.RoleHR}, pip, pip, clock.Now(), "req-"+uuid.NewString(), "ui"))
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = r
	}
	return out
}

// wantReads checks that s lists, for each PIP, the newest 200 of all.
func wantReads(tb testing.TB, s *eventstore.Store, pips []uuid.UUID, all []domain.ReadRecord) {
	tb.Helper()
	for _, pip := range pips {
		var want []uuid.UUID
		for _, r := range slices.Backward(all) {
			if r.PIPID == pip && len(want) < 200 {
				want = append(want, r.ID)
			}
		}
		var got []uuid.UUID
		for _, r := range readsOf(tb, s, pip, 1000) {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, want) {
			tb.Fatalf("PIP %s: %d reads listed, want %d (or another order)", pip, len(got), len(want))
		}
	}
}

func openLogged(tb testing.TB, cfg eventstore.Config) (*eventstore.Store, *syncBuffer) {
	tb.Helper()
	log := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := eventstore.Open(ctxT(tb), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s, log
}

func closeStore(tb testing.TB, s *eventstore.Store) {
	tb.Helper()
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
}
