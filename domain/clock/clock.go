// Package clock is the service's one source of "now": the real time, or
// the real time shifted so that it read a chosen instant when the process
// started. The shift exists for demos and for the test suite, which must
// pass at any hour: set COACHJOURNAL_NOW (an RFC 3339 time) and every test
// and every serve process started under it agree on a clock that began at
// that instant and advances in real time. Go ignores libc time shims such
// as faketime, hence this.
//
// Only wall-clock dates go through this package; elapsed time (timeouts,
// latencies) keeps using time.Now, whose monotonic reading the shift would
// not change anyway.
package clock

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// Env is the environment variable that shifts Now.
const Env = "COACHJOURNAL_NOW"

// At returns a clock that reads at at the moment At is called and
// advances in real time after.
func At(at time.Time) func() time.Time {
	offset := time.Until(at)
	return func() time.Time { return time.Now().Add(offset).UTC() }
}

// Parse reads a COACHJOURNAL_NOW value: an RFC 3339 time, or empty for
// the real clock.
func Parse(v string) (func() time.Time, error) {
	if v == "" {
		return time.Now, nil
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: want an RFC 3339 time such as 2026-12-06T00:30:00Z", Env, v)
	}
	return At(at), nil
}

var fromEnv = sync.OnceValue(func() func() time.Time {
	now, err := Parse(os.Getenv(Env))
	if err != nil {
		panic(err) // only tests call Now; a malformed shift must not pass silently
	}
	return now
})

// Now is the time for tests: the real time, or the shifted one when
// COACHJOURNAL_NOW is set (read once, at the first call). Production code
// takes its clock through configuration (serve's --now), not from here.
func Now() time.Time { return fromEnv()() }
