package eventstore

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// tail feeds every message of an ordered consumer to fn in the background
// until bg is done, and returns a channel closed once fn has seen the
// messages pending at the start (the index it fills has caught up). name
// says what is being built, for errors and logs.
func tail(bg context.Context, cons jetstream.Consumer, name string, log *slog.Logger, wg *sync.WaitGroup,
	fn func(m jetstream.Msg, meta *jetstream.MsgMetadata)) (<-chan struct{}, error) {
	ready := make(chan struct{})
	var once sync.Once
	if cons.CachedInfo().NumPending == 0 {
		once.Do(func() { close(ready) })
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		meta, err := m.Metadata()
		if err != nil {
			return
		}
		fn(m, meta)
		if meta.NumPending == 0 {
			once.Do(func() { close(ready) })
		}
	}, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		log.Debug(name+" tail", "err", err)
	}))
	if err != nil {
		return nil, fmt.Errorf("eventstore: %s: %w", name, err)
	}
	wg.Go(func() {
		<-bg.Done()
		cc.Stop()
	})
	return ready, nil
}
