package eventstore

import (
	"encoding/json"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/google/uuid"
)

// BenchmarkAuditIndexMemory measures the heap the read-audit index holds
// for 445 PIPs read by one HR service account through the UI, in messages
// of 64 records as the group commit writes them, fed to the index as its
// consumer is at a start: 115,200 reads (what the bench's pages scenario
// leaves on AUDIT, 259 a PIP) and 445,000, 1,000 a PIP (the index then
// holds only the newest it keeps); and the index a start decodes from
// the checkpoint of the first.
//
//	go test ./eventstore -run '^$' -bench AuditIndexMemory -benchtime 3x
func BenchmarkAuditIndexMemory(b *testing.B) {
	for _, reads := range []int{115_200, 445_000} {
		b.Run(strconv.Itoa(reads)+"_reads", func(b *testing.B) { auditIndexMemory(b, reads, false) })
	}
	b.Run("115200_reads_from_checkpoint", func(b *testing.B) { auditIndexMemory(b, 115_200, true) })
}

func auditIndexMemory(b *testing.B, reads int, fromCheckpoint bool) {
	const pips, perMessage = 445, 64
	ids := make([]uuid.UUID, pips)
	for i := range ids {
		ids[i] = uuid.New()
	}
	person, at := uuid.New(), time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var messages [][]byte
	for k := 0; k < reads; k += perMessage {
		m := auditMessage{Type: auditMessageType}
		for i := k; i < min(k+perMessage, reads); i++ {
			r := domain.NewReadRecord(domain.Actor{ID: "hr-service", Role: domain.RoleHR}, person, ids[i%pips], at.Add(time.Duration(i)*time.Second), uuid.NewString(), "ui")
			m.Reads = append(m.Reads, r)
		}
		data, err := json.Marshal(m)
		if err != nil {
			b.Fatal(err)
		}
		messages = append(messages, data)
	}
	index := func() *auditIndex {
		x := &auditIndex{byPIP: map[uuid.UUID][]domain.ReadRecord{}}
		for seq, data := range messages {
			x.consume(auditBatchSubject, data, uint64(seq+1))
		}
		return x
	}
	var ckpt []byte
	if fromCheckpoint {
		_, ckpt = index().encode(1)
	}
	var held float64
	for b.Loop() {
		before := heapInUse()
		var x *auditIndex
		if fromCheckpoint {
			var err error
			if x, _, err = decodeAuditIndex(ckpt); err != nil {
				b.Fatal(err)
			}
		} else {
			x = index()
		}
		held = float64(heapInUse() - before)
		kept := 0
		for _, rs := range x.byPIP {
			kept += len(rs)
		}
		b.ReportMetric(float64(kept)/pips, "reads/PIP")
		runtime.KeepAlive(x)
	}
	b.ReportMetric(held/pips, "bytes/PIP")
	b.ReportMetric(held/1e6, "MB")
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
