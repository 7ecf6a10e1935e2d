package eventstore_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

// BenchmarkOpenWithReadAudit is a start of a store whose AUDIT stream holds
// 115,200 reads of 445 PIPs, group-committed by 64 readers at once (what
// the bench's pages scenario leaves), until the first list of a PIP's
// reads, which waits for the read-audit index to hold the whole stream:
// from the checkpoint the last Close wrote, or with none (the whole stream
// read). Without reads, Open takes about 10 ms here.
//
//	go test ./eventstore -run '^$' -bench OpenWithReadAudit -benchtime 5x
func BenchmarkOpenWithReadAudit(b *testing.B) {
	dir := b.TempDir()
	ctx := context.Background()
	s, err := eventstore.Open(ctx, eventstore.Config{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	reader := domain.Actor{ID: uuid.NewString(), Role: domain.RoleHR}
	pips := make([]uuid.UUID, 445)
	for i := range pips {
		pips[i] = uuid.New()
	}
	const readers, each = 64, 1800
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for w := range readers {
		wg.Go(func() {
			for i := range each {
				p := pips[(w*each+i)%len(pips)]
				if _, err := s.RecordRead(ctx, domain.NewReadRecord(reader, p, p, at, "req-0123456789abcdef", "ui")); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	checkpoint := filepath.Join(dir, eventstore.AuditCheckpointName)
	saved, err := os.ReadFile(checkpoint)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		keep bool // the checkpoint Close wrote; otherwise none, and the whole stream is read
	}{{"checkpoint", true}, {"whole_stream", false}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				if err := os.Remove(checkpoint); err != nil {
					b.Fatal(err)
				}
				if bc.keep {
					if err := os.WriteFile(checkpoint, saved, 0o600); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				s, err := eventstore.Open(ctx, eventstore.Config{DataDir: dir})
				if err != nil {
					b.Fatal(err)
				}
				if rs, err := s.ReadsOf(ctx, pips[0], 1000); len(rs) != 200 || err != nil {
					b.Fatalf("%d reads of a PIP listed (%v), want 200", len(rs), err)
				}
				b.StopTimer()
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
