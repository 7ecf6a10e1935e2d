package eventstore_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/domain"
	"github.com/coachjournal/coachjournal/domain/clock"
	"github.com/coachjournal/coachjournal/eventstore"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestAppendReadEncryptVerify(t *testing.T) {
	s := mustOpenTemp(t)
	ctx := ctxT(t)
	id := register(t, s, "Ana Lopez", "ana@example.com")
	mustExec(t, s, id, domain.UpdatePerson{Title: ptr("Senior AE")})
	mustExec(t, s, id, domain.SubmitMetrics{Period: clock.Now().Format("2006-01"), Values: map[string]float64{"revenue": 150000}, Source: "manager"})
	cid := makeCommitment(t, s, id, "book 15 first meetings by Friday")

	events, err := s.ReadJournal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []string{domain.TypePersonRegistered, domain.TypePersonUpdated, domain.TypeMetricsSubmitted, domain.TypeCommitmentMade}
	if len(events) != len(wantTypes) {
		t.Fatalf("got %d events, want %d", len(events), len(wantTypes))
	}
	for i, e := range events {
		if e.Type != wantTypes[i] || e.Version != uint64(i+1) || e.Sequence == 0 {
			t.Errorf("event %d: type %s version %d seq %d, want %s version %d", i, e.Type, e.Version, e.Sequence, wantTypes[i], i+1)
		}
		if i > 0 && (e.Sequence <= events[i-1].Sequence || e.PrevHash != events[i-1].Hash) {
			t.Errorf("event %d does not follow event %d", i, i-1)
		}
	}
	reg := events[0].Data.(*domain.PersonRegistered)
	if reg.Name != "Ana Lopez" || reg.Email != "ana@example.com" || *reg.Title != "Account Executive" {
		t.Errorf("registered = %+v, want clear text", reg)
	}
	if c := events[3].Data.(*domain.CommitmentMade); c.CommitmentID != cid || c.Text != "book 15 first meetings by Friday" {
		t.Errorf("commitment = %+v", c)
	}

	st, err := s.JetStream().Stream(ctx, "JOURNAL")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		raw, err := st.GetMsg(ctx, e.Sequence)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"Ana", "ana@example.com", "Senior AE", "first meetings"} {
			if bytes.Contains(raw.Data, []byte(secret)) {
				t.Errorf("seq %d stores %q in clear: %s", e.Sequence, secret, raw.Data)
			}
		}
		if !bytes.Contains(raw.Data, []byte("enc:v1:")) && e.Type != domain.TypeMetricsSubmitted {
			t.Errorf("seq %d holds no ciphertext: %s", e.Sequence, raw.Data)
		}
	}
	for _, who := range []*uuid.UUID{nil, &id} {
		rep, err := s.Verify(ctx, who)
		if err != nil || !rep.OK() || rep.Events != 4 || rep.Journals != 1 {
			t.Errorf("Verify(%v) = %+v, %v; want 1 journal, 4 events, ok", who, rep, err)
		}
	}
	if last, err := s.LastSequence(ctx); err != nil || last != events[3].Sequence {
		t.Errorf("LastSequence = %d, %v; want %d", last, err, events[3].Sequence)
	}
}

// The conditional append relies on the server treating an expected last
// subject sequence of 0 as "no message on these subjects yet".
func TestExpectedZeroMeansEmptyJournal(t *testing.T) {
	s := mustOpenTemp(t)
	ctx := ctxT(t)
	id := uuid.New()
	publish := func() error {
		m := nats.NewMsg(eventstore.Subject(id, domain.TypePersonRegistered))
		m.Data = []byte(`{}`)
		m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, "0")
		m.Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, eventstore.JournalSubjects(id))
		_, err := s.JetStream().PublishMsg(ctx, m)
		return err
	}
	if err := publish(); err != nil {
		t.Fatalf("first publish expecting 0: %v", err)
	}
	err := publish()
	var apiErr *jetstream.APIError
	if !errorsAs(err, &apiErr) || apiErr.ErrorCode != jetstream.JSErrCodeStreamWrongLastSequence {
		t.Fatalf("second publish expecting 0: %v, want wrong last sequence", err)
	}
}

func TestStaleIfVersion(t *testing.T) {
	s := mustOpenTemp(t)
	id := register(t, s, "Ben", "ben@example.com")
	_, err := s.Execute(ctxT(t), domain.Write{PersonID: id, Command: domain.SetCadence{EveryDays: 7}, Meta: meta(), IfVersion: ptr(uint64(0))})
	wantKind(t, err, domain.KindPrecondition)
	w, err := s.Execute(ctxT(t), domain.Write{PersonID: id, Command: domain.SetCadence{EveryDays: 7}, Meta: meta(), IfVersion: ptr(uint64(1))})
	if err != nil || w.Event.Version != 2 {
		t.Fatalf("Execute with current IfVersion = %+v, %v", w, err)
	}
}

func TestUnknownPerson(t *testing.T) {
	s := mustOpenTemp(t)
	_, err := s.Execute(ctxT(t), domain.Write{PersonID: uuid.New(), Command: domain.SetCadence{EveryDays: 7}, Meta: meta()})
	wantKind(t, err, domain.KindNotFound)
}

func TestStoreDownIsUnavailable(t *testing.T) {
	s := mustOpenTemp(t)
	id := register(t, s, "Ola", "ola@example.com")
	s.Server().Shutdown()
	for _, who := range []uuid.UUID{id, uuid.New()} { // a cached journal, and one to load
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := s.Execute(ctx, domain.Write{PersonID: who, Command: domain.SetCadence{EveryDays: 7}, Meta: meta()})
		cancel()
		wantKind(t, err, domain.KindUnavailable)
		// A refusal, or (when the connection had not noticed yet that the
		// server was gone) an outcome unknown: either in words of our own.
		if e := err.(*domain.Error); e.Message != "event store unavailable" && !domain.IsOutcomeUnknown(err) {
			t.Errorf("message %q leaks internals", e.Message)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := s.ReadJournal(ctx, id); domain.KindOf(err) != domain.KindUnavailable {
		t.Errorf("ReadJournal = %v, want unavailable", err)
	}
}

// A negative size in the configuration is refused when the store opens,
// naming what is wrong; zero means the default.
func TestConfigRefused(t *testing.T) {
	for _, tc := range []struct {
		cfg  eventstore.Config
		want string
	}{
		{eventstore.Config{DuplicateWindow: -time.Hour}, "idempotency window"},
		{eventstore.Config{JournalCache: -1}, "journal cache"},
		{eventstore.Config{Replicas: -1}, "replicas"},
	} {
		tc.cfg.DataDir = t.TempDir()
		_, err := eventstore.Open(ctxT(t), tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "negative") {
			t.Errorf("Open with a negative %s: %v, want an error naming it", tc.want, err)
		}
	}
	mustOpen(t, eventstore.Config{DataDir: t.TempDir(), DuplicateWindow: 0, JournalCache: 0, Replicas: 0})
}
