package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// TestAuditIndexProperty: the index lists the same reads, in the same
// order, as the whole stream does, whatever the interleaving of the two
// ways a record arrives: the writer indexing its own messages on their
// acknowledgement, and the consumer delivering every message (the
// writer's again, skipped, and a peer's) in the stream's order; and whatever the
// restarts from a checkpoint written at any earlier point, after which
// the consumer delivers everything after the checkpoint's sequence again.
// The stream is random messages of one to five records across two PIPs;
// the reference is every record ordered by (sequence, place in its
// message), newest first, at most auditKeep. At auditTrim reads of a PIP
// the index trims itself, so the runs go well beyond it.
func TestAuditIndexProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		pips := []uuid.UUID{uuid.New(), uuid.New()}
		type msg struct {
			reads []domain.ReadRecord
			data  []byte // the audit.reads message
			mine  bool   // written by this replica
		}
		var stream []msg
		for seq := range uint64(rapid.IntRange(1, 3*auditKeep).Draw(rt, "messages")) {
			m := msg{mine: rapid.Bool().Draw(rt, "mine")}
			for k := range rapid.IntRange(1, 5).Draw(rt, "records") {
				pip := pips[rapid.IntRange(0, 1).Draw(rt, "pip")]
				m.reads = append(m.reads, domain.ReadRecord{ID: uuid.New(), Type: domain.ReadRecordType, PIPID: pip,
					RequestID: fmt.Sprintf("%d.%d", seq+1, k), Sequence: seq + 1})
			}
			data, err := json.Marshal(auditMessage{Type: auditMessageType, Reads: m.reads})
			if err != nil {
				rt.Fatal(err)
			}
			m.data = data
			stream = append(stream, m)
		}
		x := &auditIndex{byPIP: map[uuid.UUID][]domain.ReadRecord{}}
		var checkpoint []byte
		mine := 0     // the writer's next message
		consumed := 0 // the consumer's next message
		for mine < len(stream) || consumed < len(stream) {
			switch rapid.IntRange(0, 19).Draw(rt, "step") {
			case 0:
				_, checkpoint = x.encode(1)
				continue
			case 1:
				if checkpoint == nil {
					break
				}
				y, created, err := decodeAuditIndex(checkpoint)
				if err != nil || created != 1 {
					rt.Fatalf("the checkpoint does not decode: %v", err)
				}
				x, consumed = y, int(y.seq) // a restart: the consumer starts after the checkpoint
				continue
			}
			for mine < len(stream) && !stream[mine].mine {
				mine++
			}
			writer := mine < len(stream) && (consumed == len(stream) || rapid.Bool().Draw(rt, "writer first"))
			if writer {
				x.stored(uint64(mine+1), stream[mine].reads)
				mine++
				continue
			}
			if consumed < len(stream) {
				x.consume(auditBatchSubject, stream[consumed].data, uint64(consumed+1))
				consumed++
			}
		}
		if len(x.own) != 0 {
			rt.Fatalf("%d messages of the writer's left unskipped by the consumer that has passed them", len(x.own))
		}
		for _, pip := range pips {
			var want []domain.ReadRecord
			for _, m := range stream {
				for _, r := range m.reads {
					if r.PIPID == pip {
						want = append(want, r)
					}
				}
			}
			slices.Reverse(want)
			want = want[:min(len(want), auditKeep)]
			got := x.newest(pip, 1000)
			if len(got) != len(want) {
				rt.Fatalf("PIP %d: %d reads listed, want %d", slices.Index(pips, pip), len(got), len(want))
			}
			for i := range want {
				if got[i].ID != want[i].ID {
					rt.Fatalf("PIP %d, read %d: got %s, want %s", slices.Index(pips, pip), i, got[i].RequestID, want[i].RequestID)
				}
			}
			if rs := x.byPIP[pip]; len(rs) >= auditTrim || cap(rs) > auditTrim {
				rt.Fatalf("the index keeps %d reads of a PIP in room for %d", len(rs), cap(rs))
			}
		}
	})
}

// TestAuditCheckpointRoundTrip: a checkpoint decodes to the records it was
// written from, field for field, and anything cut from it or added to it
// is refused as corrupt.
func TestAuditCheckpointRoundTrip(t *testing.T) {
	pip, other := uuid.New(), uuid.New()
	x := &auditIndex{byPIP: map[uuid.UUID][]domain.ReadRecord{}}
	at := time.Date(2026, 12, 7, 9, 30, 15, 123456789, time.UTC)
	reads := []domain.ReadRecord{
		domain.NewReadRecord(domain.Actor{ID: "hr-1", Role: domain.RoleHR}, uuid.New(), pip, at, "req-1", "ui"),
		domain.NewReadRecord(domain.Actor{ID: uuid.NewString(), Role: domain.RoleAdmin}, uuid.New(), pip, at.Add(-time.Hour), "", "api"),
		domain.NewReadRecord(domain.Actor{ID: "Zoë ", Role: domain.RoleMember}, uuid.New(), other, time.Date(1969, 7, 20, 20, 17, 40, 5, time.UTC), "réq ☃", "ui"),
	}
	for i := range reads {
		reads[i].Sequence = uint64(7 + i)
		x.stored(reads[i].Sequence, reads[i:i+1])
	}
	x.seq = 9
	seq, b := x.encode(42)
	if seq != 9 {
		t.Fatalf("encode covers %d, want 9", seq)
	}
	y, created, err := decodeAuditIndex(b)
	if err != nil || created != 42 || y.seq != 9 || y.saved != 9 {
		t.Fatalf("decode: %v, created %d, seq %d, saved %d", err, created, y.seq, y.saved)
	}
	if !reflect.DeepEqual(y.byPIP, x.byPIP) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", y.byPIP, x.byPIP)
	}
	for n := range len(b) {
		if _, _, err := decodeAuditIndex(b[:n]); err == nil {
			t.Fatalf("the first %d of %d bytes decode", n, len(b))
		}
	}
	if _, _, err := decodeAuditIndex(append(slices.Clone(b), 0)); err == nil {
		t.Fatal("a byte added at the end decodes")
	}
}

// TestReadsOfWaitsForTheIndex: until the index has caught up, ReadsOf
// waits, and refuses (503) when its caller's deadline comes first; once it
// has, it answers whatever the caller's context.
func TestReadsOfWaitsForTheIndex(t *testing.T) {
	ready := make(chan struct{})
	pip := uuid.New()
	s := &Store{audit: &auditIndex{ready: ready, byPIP: map[uuid.UUID][]domain.ReadRecord{}}}
	s.audit.stored(1, []domain.ReadRecord{{ID: uuid.New(), Type: domain.ReadRecordType, PIPID: pip, Sequence: 1}})
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if rs, err := s.ReadsOf(done, pip, 10); domain.KindOf(err) != domain.KindUnavailable || rs != nil {
		t.Fatalf("before the index caught up: %v, %v", rs, err)
	}
	close(ready)
	if rs, err := s.ReadsOf(done, pip, 10); err != nil || len(rs) != 1 {
		t.Fatalf("after: %v, %v", rs, err)
	}
}

// TestAuditCheckpointWhileRunning: while the store runs, a tick writes the
// checkpoint only once auditCheckpointReads reads have been indexed since
// the last one, and then counts afresh.
func TestAuditCheckpointWhileRunning(t *testing.T) {
	dir := t.TempDir()
	key := make([]byte, 32)
	s := &Store{log: slog.New(slog.DiscardHandler), auditCreated: 1,
		auditCkpt: &auditCheckpoint{path: filepath.Join(dir, AuditCheckpointName), key: key},
		audit:     &auditIndex{byPIP: map[uuid.UUID][]domain.ReadRecord{}}}
	bg, stop := context.WithCancel(context.Background())
	tick := make(chan time.Time)
	done := make(chan struct{})
	go func() {
		s.checkpointAudit(bg, tick)
		close(done)
	}()
	pip := uuid.New()
	consume := func(n int) {
		for range n {
			r := domain.ReadRecord{ID: uuid.New(), Type: domain.ReadRecordType, PIPID: pip}
			data, _ := json.Marshal(auditMessage{Type: auditMessageType, Reads: []domain.ReadRecord{r}})
			s.audit.consume(auditBatchSubject, data, s.audit.seq+1)
		}
	}
	ticked := func() uint64 {
		tick <- time.Time{}
		tick <- time.Time{} // the first tick's save is done once the loop takes the second
		x, err := s.auditCkpt.load(1, s.audit.seq)
		if errors.Is(err, fs.ErrNotExist) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return x.seq
	}
	consume(auditCheckpointReads - 1)
	if seq := ticked(); seq != 0 {
		t.Fatalf("written after %d reads, at %d", auditCheckpointReads-1, seq)
	}
	consume(1)
	if seq := ticked(); seq != auditCheckpointReads {
		t.Fatalf("after %d reads: checkpoint at %d", auditCheckpointReads, seq)
	}
	consume(auditCheckpointReads - 1)
	if seq := ticked(); seq != auditCheckpointReads {
		t.Fatalf("written again after %d more reads, at %d", auditCheckpointReads-1, seq)
	}
	consume(1)
	if seq := ticked(); seq != 2*auditCheckpointReads {
		t.Fatalf("after %d more: checkpoint at %d", auditCheckpointReads, seq)
	}
	stop()
	<-done
}

// FuzzDecodeAuditIndex: any bytes decode without a panic or a huge
// allocation, and whatever decodes is written again to the same index.
func FuzzDecodeAuditIndex(f *testing.F) {
	x := &auditIndex{byPIP: map[uuid.UUID][]domain.ReadRecord{}, seq: 3}
	for i := range 3 {
		r := domain.NewReadRecord(domain.Actor{ID: "hr", Role: domain.RoleHR}, uuid.New(), uuid.New(), time.Date(2026, 12, 7, 9, 0, i, 0, time.UTC), "req", "ui")
		r.Sequence = uint64(i + 1)
		x.stored(r.Sequence, []domain.ReadRecord{r})
	}
	_, b := x.encode(7)
	f.Add(b)
	f.Add([]byte(auditCheckpointMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		y, created, err := decodeAuditIndex(b)
		if err != nil {
			return
		}
		_, again := y.encode(created)
		z, created2, err := decodeAuditIndex(again)
		if err != nil || created2 != created || z.seq != y.seq || !reflect.DeepEqual(z.byPIP, y.byPIP) {
			t.Fatalf("written again, it reads differently: %v", err)
		}
	})
}

// TestReadsLinger: once a message held several reads, the next one waits
// until as many are queued, and they share it, though they arrive 20 ms
// apart; a read after a message of one is stored without waiting. The
// linger is set to a minute, so that only the count can end a wait within
// the test's deadline.
func TestReadsLinger(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := &s.pipReads
	c.linger = time.Minute
	person, pip := uuid.New(), uuid.New()
	record := func(i int) domain.ReadRecord {
		r, err := s.RecordRead(ctx, domain.NewReadRecord(domain.Actor{ID: fmt.Sprintf("hr-%d", i), Role: domain.RoleHR}, person, pip, time.Date(2026, 12, 7, 9, 0, i, 0, time.UTC), "req", "ui"))
		if err != nil {
			t.Errorf("read %d: %v", i, err)
		}
		return r
	}
	record(0) // a message of one: the next does not wait
	if r := record(1); r.Sequence != 2 {
		t.Fatalf("the second read is in message %d, want 2", r.Sequence)
	}
	c.mu.Lock()
	c.last = 5
	c.mu.Unlock()
	got := make([]domain.ReadRecord, 5)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i] = record(2 + i) })
		time.Sleep(20 * time.Millisecond)
	}
	wg.Wait()
	for i, r := range got {
		if r.Sequence != 3 {
			t.Errorf("read %d of the five is in message %d, want all in 3", i, r.Sequence)
		}
	}
}
