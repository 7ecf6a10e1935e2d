package eventstore_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// The group commit is built on these facts about atomic batches on the
// server (nats-server v2.15.2); the test keeps them true across upgrades.
func TestAtomicBatchFacts(t *testing.T) {
	s := mustOpenTemp(t)
	js := s.JetStream()
	ctx := ctxT(t)
	st, err := js.Stream(ctx, "JOURNAL")
	if err != nil {
		t.Fatal(err)
	}
	// msg builds a conditional append to id's journal.
	msg := func(id uuid.UUID, expect uint64, msgID string) *nats.Msg {
		m := nats.NewMsg(eventstore.Subject(id, domain.TypePersonUpdated))
		m.Data = []byte(`{"n":"` + msgID + `"}`)
		m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(expect, 10))
		m.Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, eventstore.JournalSubjects(id))
		if msgID != "" {
			m.Header.Set(jetstream.MsgIDHeader, msgID)
		}
		return m
	}
	noAckFirst := jetstreamext.BatchFlowControl{AckFirst: false}
	last := func() uint64 {
		l, err := s.LastSequence(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	code := func(err error) jetstream.ErrorCode {
		var apiErr *jetstream.APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("err = %v, want an API error", err)
		}
		return apiErr.ErrorCode
	}
	a, b, c := uuid.New(), uuid.New(), uuid.New()

	t.Run("one ack, the last sequence, messages stored contiguously in order", func(t *testing.T) {
		before := last()
		ack, err := jetstreamext.PublishMsgBatch(ctx, js, []*nats.Msg{msg(a, 0, "a1"), msg(b, 0, "b1"), msg(c, 0, "")}, noAckFirst)
		if err != nil {
			t.Fatal(err)
		}
		if ack.Sequence != before+3 || ack.BatchSize != 3 {
			t.Fatalf("ack = %+v, want seq %d count 3", ack, before+3)
		}
		for i, id := range []uuid.UUID{a, b, c} {
			m, err := st.GetMsg(ctx, before+1+uint64(i))
			if err != nil || m.Subject != eventstore.Subject(id, domain.TypePersonUpdated) {
				t.Fatalf("seq %d = %v, %v; want member %d", before+1+uint64(i), m, err, i)
			}
		}
	})
	t.Run("a wrong expected sequence fails the whole batch", func(t *testing.T) {
		before := last()
		_, err := jetstreamext.PublishMsgBatch(ctx, js, []*nats.Msg{msg(a, before-2, ""), msg(b, 0, ""), msg(c, before, "")}, noAckFirst)
		if got := code(err); got != jetstream.JSErrCodeStreamWrongLastSequence {
			t.Fatalf("code = %d, want %d", got, jetstream.JSErrCodeStreamWrongLastSequence)
		}
		if last() != before {
			t.Fatal("a failed batch stored messages")
		}
	})
	t.Run("a stored message id fails the whole batch", func(t *testing.T) {
		before := last()
		_, err := jetstreamext.PublishMsgBatch(ctx, js, []*nats.Msg{msg(c, before, "c2"), msg(a, before-2, "a1")}, noAckFirst)
		if got := code(err); got != jetstreamext.JSErrCodeBatchPublishDuplicateMsgID {
			t.Fatalf("code = %d, want %d", got, jetstreamext.JSErrCodeBatchPublishDuplicateMsgID)
		}
		if last() != before {
			t.Fatal("a failed batch stored messages")
		}
	})
	t.Run("a message id twice in a batch fails it", func(t *testing.T) {
		before := last()
		_, err := jetstreamext.PublishMsgBatch(ctx, js, []*nats.Msg{msg(c, before, "x"), msg(b, before-1, "x")}, noAckFirst)
		if got := code(err); got != jetstreamext.JSErrCodeBatchPublishDuplicateMsgID {
			t.Fatalf("code = %d, want %d", got, jetstreamext.JSErrCodeBatchPublishDuplicateMsgID)
		}
	})
	t.Run("two appends to one journal cannot chain in a batch", func(t *testing.T) {
		before := last()
		_, err := jetstreamext.PublishMsgBatch(ctx, js, []*nats.Msg{msg(c, before, ""), msg(c, before+1, "")}, noAckFirst)
		if got := code(err); got != jetstream.JSErrCodeStreamWrongLastSequence && got != jetstream.JSErrCodeStreamWrongLastSequenceConstant {
			t.Fatalf("code = %d, want a wrong last sequence", got)
		}
	})
	t.Run("two appends to one journal on the same expectation both pass", func(t *testing.T) {
		// The hazard the committer must avoid: the server checks each
		// expectation against the stream before the batch, so it does not
		// see that the first append moves the journal.
		before := last()
		ack, err := jetstreamext.PublishMsgBatch(ctx, js, []*nats.Msg{msg(c, before, ""), msg(c, before, "")}, noAckFirst)
		if err != nil || ack.Sequence != before+2 {
			t.Fatalf("ack = %+v, %v; the server now refuses this: the committer may rely on it", ack, err)
		}
		m, err := st.GetMsg(ctx, before+2)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("stored headers of a batch member: %v", m.Header)
	})
}
