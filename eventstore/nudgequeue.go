package eventstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The delivery of nudges runs on JetStream, shared by every API replica:
//
//   - NudgeStream holds one message per delivery to do
//     (nudges.deliver.<channel>) and one per delivery given up
//     (nudges.parked.<channel>). A message holds what the caller put in
//     it; package notify puts ids only, never a nudge's text, so an
//     erasure leaves nothing personal here.
//   - ScheduleNudge enqueues a delivery once per id: a delivery the
//     NUDGES_SENT bucket says was scheduled is not enqueued again, and two
//     replicas scheduling it at the same moment are deduplicated by the
//     stream (the id is the message id).
//   - DeliverNudges consumes through one durable consumer that every
//     replica shares, so each delivery goes to one replica at a time. A
//     delivery the bucket says was sent is acknowledged without sending:
//     after a crash between sending and acknowledging it is redelivered,
//     and the receiver's copy carries the same id to deduplicate on. A
//     failed attempt is retried after a back-off; the last one parks it.
const (
	NudgeStream     = "NUDGES"
	nudgeSentBucket = "NUDGES_SENT"
	nudgeConsumer   = "nudge-sender"
	nudgeAttempts   = 6
	nudgeKeep       = 30 * 24 * time.Hour
	// nudgeAckWait is how long a delivery taken by a replica that died is
	// held before another replica gets it; above a send's own timeout
	// (10 s for email and webhooks).
	nudgeAckWait = 15 * time.Second
)

// NudgeDelivery is one delivery taken from the queue.
type NudgeDelivery struct {
	ID      string
	Channel string
	Payload []byte
	Attempt int // 1 for the first
}

type nudgeQueue struct {
	mu   sync.Mutex
	st   jetstream.Stream
	sent jetstream.KeyValue
}

func (s *Store) nudgeQueue(ctx context.Context) (jetstream.Stream, jetstream.KeyValue, error) {
	q := &s.queue
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.st != nil {
		return q.st, q.sent, nil
	}
	st, err := s.ensureStream(ctx, jetstream.StreamConfig{
		Name:        NudgeStream,
		Subjects:    []string{"nudges.deliver.*", "nudges.parked.*"},
		Storage:     jetstream.FileStorage,
		Replicas:    s.cfg.Replicas,
		MaxAge:      nudgeKeep,
		Duplicates:  time.Hour,
		AllowDirect: true,
	})
	if err != nil {
		return nil, nil, err
	}
	sent, err := s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: nudgeSentBucket, TTL: nudgeKeep,
		Storage: jetstream.FileStorage, Replicas: s.cfg.Replicas})
	if err != nil {
		return nil, nil, err
	}
	q.st, q.sent = st, sent
	return st, sent, nil
}

// ScheduleNudge enqueues a delivery on channel (a subject token: letters)
// once per id (a subject-safe token); scheduled says whether this call
// enqueued it. Errors: KindUnavailable.
func (s *Store) ScheduleNudge(ctx context.Context, id, channel string, payload []byte) (scheduled bool, err error) {
	_, sent, err := s.nudgeQueue(ctx)
	if err != nil {
		return false, s.unavailable("nudge queue", err)
	}
	if _, err := sent.Get(ctx, "s."+id); err == nil {
		return false, nil
	} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, s.unavailable("nudge schedule", err)
	}
	ack, err := s.js.Publish(ctx, "nudges.deliver."+channel, payload, jetstream.WithMsgID(id))
	if err != nil {
		return false, s.unavailable("schedule a nudge", err)
	}
	if _, err := sent.Put(ctx, "s."+id, []byte(strconv.FormatUint(ack.Sequence, 10))); err != nil {
		return false, s.unavailable("nudge schedule", err)
	}
	return !ack.Duplicate, nil
}

// DeliverNudges calls send for each delivery until ctx is done, on this
// replica's share of the queue. send returns nil once the delivery is
// done (sent, or no longer due); an error retries it after backoff(attempt)
// and parks it after the last attempt. Errors: KindUnavailable when
// consuming cannot start.
func (s *Store) DeliverNudges(ctx context.Context, backoff func(attempt int) time.Duration, send func(context.Context, NudgeDelivery) error) error {
	st, sent, err := s.nudgeQueue(ctx)
	if err != nil {
		return s.unavailable("nudge queue", err)
	}
	cons, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       nudgeConsumer,
		FilterSubject: "nudges.deliver.>",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       nudgeAckWait, // a replica that died holding one
		MaxDeliver:    -1,           // the attempts are counted here, to park the last
		MaxAckPending: 64,
	})
	if err != nil {
		return s.unavailable("nudge consumer", err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) { s.deliverNudge(ctx, sent, m, backoff, send) },
		jetstream.PullMaxMessages(1), // a replica that dies holds one delivery, not a batch, until AckWait
		jetstream.PullHeartbeat(5*time.Second), jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			s.log.Debug("nudge consumer", "err", err)
		}))
	if err != nil {
		return s.unavailable("nudge consumer", err)
	}
	<-ctx.Done()
	cc.Stop()
	<-cc.Closed()
	return nil
}

func (s *Store) deliverNudge(ctx context.Context, sent jetstream.KeyValue, m jetstream.Msg, backoff func(int) time.Duration, send func(context.Context, NudgeDelivery) error) {
	meta, err := m.Metadata()
	if err != nil {
		_ = m.Term()
		return
	}
	id := m.Headers().Get(jetstream.MsgIDHeader)
	if _, err := sent.Get(ctx, "d."+id); err == nil {
		_ = m.Ack() // sent before a crash kept it from being acknowledged
		return
	}
	d := NudgeDelivery{ID: id, Channel: m.Subject()[len("nudges.deliver."):], Payload: m.Data(), Attempt: int(meta.NumDelivered)}
	if err := send(ctx, d); err != nil {
		if d.Attempt < nudgeAttempts {
			s.log.Warn("nudge delivery failed; retrying", "id", id, "channel", d.Channel, "attempt", d.Attempt, "err", err)
			_ = m.NakWithDelay(backoff(d.Attempt))
			return
		}
		s.log.Error("nudge delivery failed for the last time; parked", "id", id, "channel", d.Channel, "err", err)
		msg := nats.NewMsg("nudges.parked." + d.Channel)
		msg.Data = d.Payload
		msg.Header.Set("Nudge-Id", id)
		msg.Header.Set("Nudge-Error", err.Error())
		if _, perr := s.js.PublishMsg(ctx, msg); perr != nil {
			_ = m.NakWithDelay(backoff(d.Attempt)) // parked next time
			return
		}
		_ = m.Term()
		return
	}
	if _, err := sent.Put(ctx, "d."+id, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
		s.log.Warn("nudge sent but not recorded; a redelivery may send it again", "id", id, "err", err)
	}
	_ = m.Ack()
}

// ParkedNudges lists the deliveries given up, oldest first.
// Errors: KindUnavailable.
func (s *Store) ParkedNudges(ctx context.Context) ([]domain.ParkedNudge, error) {
	if _, _, err := s.nudgeQueue(ctx); err != nil {
		return nil, s.unavailable("nudge queue", err)
	}
	out := []domain.ParkedNudge{}
	err := s.scanIn(ctx, NudgeStream, "nudges.parked.>", 0, func(m *jetstream.RawStreamMsg) {
		out = append(out, domain.ParkedNudge{Sequence: m.Sequence, ID: m.Header.Get("Nudge-Id"), Channel: m.Subject[len("nudges.parked."):],
			ParkedAt: m.Time, Error: m.Header.Get("Nudge-Error")})
	})
	if err != nil {
		return nil, s.unavailable("list parked nudges", err)
	}
	return out, nil
}

// ReplayNudge delivers a parked delivery again, once: it is enqueued under
// a new message id and removed from the parked list. Errors: KindNotFound,
// KindUnavailable.
func (s *Store) ReplayNudge(ctx context.Context, seq uint64) error {
	st, _, err := s.nudgeQueue(ctx)
	if err != nil {
		return s.unavailable("nudge queue", err)
	}
	m, err := st.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) || (err == nil && len(m.Subject) < len("nudges.parked.")) ||
		(err == nil && m.Subject[:len("nudges.parked.")] != "nudges.parked.") {
		return domain.Errorf(domain.KindNotFound, "no parked nudge at sequence %d", seq)
	}
	if err != nil {
		return s.unavailable("read a parked nudge", err)
	}
	id := m.Header.Get("Nudge-Id")
	if _, err := s.js.Publish(ctx, "nudges.deliver."+m.Subject[len("nudges.parked."):], m.Data,
		jetstream.WithMsgID(fmt.Sprintf("%s.replay.%d", id, seq))); err != nil {
		return s.unavailable("replay a nudge", err)
	}
	if err := st.DeleteMsg(ctx, seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
		return s.unavailable("unpark a nudge", err)
	}
	return nil
}
