package eventstore_test

import (
	"log/slog"
	"testing"

	"github.com/coachjournal/coachjournal/eventstore"
)

// The embedded server's warnings and errors (a full or read-only disk is
// reported only there) reach the store's log; its notices stay below info.
func TestEmbeddedServerLogs(t *testing.T) {
	var out syncBuffer
	s := mustOpen(t, eventstore.Config{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(&out, nil))})
	s.Server().Errorf("JetStream out of %s resources, will be DISABLED", "file")
	s.Server().Warnf("Filesystem permission denied while writing msg")
	s.Server().Noticef("a notice")
	for _, want := range []string{
		`level=ERROR msg="JetStream out of file resources, will be DISABLED" component=nats-server`,
		`level=WARN msg="Filesystem permission denied while writing msg" component=nats-server`,
	} {
		if out.count(want) != 1 {
			t.Errorf("log lacks %s", want)
		}
	}
	if out.count("a notice")+out.count("Starting nats-server") > 0 {
		t.Errorf("the server's notices reach the info log")
	}
}
