package eventstore

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// TestAuditIndexProperty: the index lists the same reads, in the same
// order, as the whole stream does, whatever the interleaving of the two
// ways a record arrives: the writer indexing its own messages on their
// acknowledgement, and the consumer delivering every message (the
// writer's again, and a peer's) in the stream's order. The stream is
// random messages of one to five records across two PIPs; the reference
// is every record ordered by (sequence, place in its message), newest
// first, at most auditKeep. Past twice auditKeep reads of a PIP the index
// trims itself, so the runs go well beyond it.
func TestAuditIndexProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		pips := []uuid.UUID{uuid.New(), uuid.New()}
		type msg struct {
			reads []domain.ReadRecord
			mine  bool // written by this replica
		}
		var stream []msg
		for seq := range uint64(rapid.IntRange(1, 3*auditKeep).Draw(rt, "messages")) {
			m := msg{mine: rapid.Bool().Draw(rt, "mine")}
			for k := range rapid.IntRange(1, 5).Draw(rt, "records") {
				pip := pips[rapid.IntRange(0, 1).Draw(rt, "pip")]
				m.reads = append(m.reads, domain.ReadRecord{ID: uuid.New(), Type: domain.ReadRecordType, PIPID: pip,
					RequestID: fmt.Sprintf("%d.%d", seq+1, k), Sequence: seq + 1})
			}
			stream = append(stream, m)
		}
		x := &auditIndex{byPIP: map[uuid.UUID][]domain.ReadRecord{}}
		mine := 0     // the writer's next message
		consumed := 0 // the consumer's next message
		for mine < len(stream) || consumed < len(stream) {
			for mine < len(stream) && !stream[mine].mine {
				mine++
			}
			writer := mine < len(stream) && (consumed == len(stream) || rapid.Bool().Draw(rt, "writer first"))
			if writer {
				for _, r := range stream[mine].reads {
					x.add(r)
				}
				mine++
				continue
			}
			if consumed < len(stream) {
				for _, r := range stream[consumed].reads {
					x.add(r)
				}
				consumed++
			}
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
			if n := len(x.byPIP[pip]); n >= 2*auditKeep {
				rt.Fatalf("the index keeps %d reads of a PIP", n)
			}
		}
	})
}

// TestReadsOfWaitsForTheIndex: until the index has caught up, ReadsOf
// waits, and refuses (503) when its caller's deadline comes first; once it
// has, it answers whatever the caller's context.
func TestReadsOfWaitsForTheIndex(t *testing.T) {
	ready := make(chan struct{})
	pip := uuid.New()
	s := &Store{audit: &auditIndex{ready: ready, byPIP: map[uuid.UUID][]domain.ReadRecord{}}}
	s.audit.add(domain.ReadRecord{ID: uuid.New(), Type: domain.ReadRecordType, PIPID: pip, Sequence: 1})
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
