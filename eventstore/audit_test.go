package eventstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
)

// TestReadAuditAcrossStores: a read recorded by one store is listed by
// another on the same stream (another replica), newest first, bounded.
func TestReadAuditAcrossStores(t *testing.T) {
	a := mustOpenTemp(t)
	b := mustOpenPeer(t, a, t.TempDir())
	ctx := context.Background()
	person, pip := uuid.New(), uuid.New()
	reader := domain.Actor{ID: "hr-desk", Role: domain.RoleHR}
	for i := range 3 {
		r, err := a.RecordRead(ctx, domain.NewReadRecord(reader, person, pip, clock.Now(), "req-"+string(rune('a'+i)), "api"))
		if err != nil || r.Sequence == 0 {
			t.Fatalf("record: %+v, %v", r, err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(b.ReadsOf(pip, 10)) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := b.ReadsOf(pip, 2)
	if len(got) != 2 || got[0].RequestID != "req-c" || got[1].RequestID != "req-b" || got[0].Reader != reader {
		t.Errorf("the peer lists %+v", got)
	}
	if len(a.ReadsOf(uuid.New(), 10)) != 0 {
		t.Errorf("reads of an unread PIP")
	}
	st, err := a.JetStream().Stream(ctx, eventstore.AuditStream)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Purge(ctx); err == nil {
		t.Errorf("the AUDIT stream could be purged")
	}
	if err := st.DeleteMsg(ctx, 1); err == nil {
		t.Errorf("an audit record could be deleted")
	}
}

// BenchmarkRecordRead is the read audit's cost on a PIP read: one
// synchronous publish, acknowledged after the fsync (embedded server).
func BenchmarkRecordRead(b *testing.B) {
	s := mustOpenTemp(b)
	ctx := context.Background()
	r := domain.NewReadRecord(domain.Actor{ID: "hr-desk", Role: domain.RoleHR}, uuid.New(), uuid.New(), clock.Now(), "req", "api")
	for b.Loop() {
		r.ID = uuid.New()
		if _, err := s.RecordRead(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
