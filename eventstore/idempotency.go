package eventstore

import (
	"time"
)

// hdrRequestHash carries the hash of the request that first used an
// idempotency key, so that a reuse with another request is recognised.
const hdrRequestHash = "Coachjournal-Request-Hash"

// serverDedupWindow bounds the stream's own duplicate window. Idempotency
// keys are namespaced per person, so the journal an append is conditional
// on holds every earlier use of its key: Execute checks the key against
// that journal (idemKeys), exactly and for the whole Config.DuplicateWindow,
// and a use of the key by another process changes the journal's last
// sequence, so the conditional append fails and the reloaded journal
// shows it. The server's window is left as a backstop for a publish
// retried inside nats.go, which retries only a publish no server received
// (no responders), twice, 250 ms apart. It is kept short because the
// server reads every message of its window again whenever the stream is
// recovered: with the 24 h window a start after a day of a million writes
// spent a second in that scan (stream.rebuildDedupe) before anything else
// could run, and with 30 s (until 2026-12-07) a start just after a bulk
// import still spent most of its 0.3–1 s there.
const serverDedupWindow = 5 * time.Second

// idemKeys maps the message ids (idempotency keys) of one journal's
// messages to the sequence and time they were stored at. It lives in the
// journal's cache entry and is filled by the same reads and appends.
type idemKeys struct {
	ids     map[string]idemEntry
	pruneAt int // prune expired entries once the map is this large
}

type idemEntry struct {
	seq uint64
	at  time.Time
}

// record notes that msgID was stored at seq at time at; an empty id is
// ignored, and the first use wins, as on the server. Entries older than
// window are dropped now and then, in amortised constant time.
func (k *idemKeys) record(msgID string, seq uint64, at time.Time, window time.Duration) {
	if msgID == "" {
		return
	}
	if k.ids == nil {
		k.ids = map[string]idemEntry{}
	}
	if old, ok := k.ids[msgID]; ok && old.seq <= seq {
		return
	}
	k.ids[msgID] = idemEntry{seq: seq, at: at}
	if len(k.ids) >= max(k.pruneAt, 16) {
		now := time.Now()
		for id, e := range k.ids {
			if now.Sub(e.at) > window {
				delete(k.ids, id)
			}
		}
		k.pruneAt = 2 * len(k.ids)
	}
}

// find returns the sequence a message id was stored at within window.
func (k *idemKeys) find(msgID string, window time.Duration) (uint64, bool) {
	if msgID == "" {
		return 0, false
	}
	e, ok := k.ids[msgID]
	if !ok || time.Since(e.at) > window {
		return 0, false
	}
	return e.seq, true
}
