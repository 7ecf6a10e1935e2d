// Package eventjson reads and writes the JSON of stored events: it decodes
// an envelope and its typed data (Decode), and writes the canonical bytes
// the hash chain covers (Canonical, Seal, VerifyHash, ChainHash).
//
// encoding/json defines every result. What this package adds is a fast path
// for the JSON that json.Marshal writes for events: a hand-written scanner
// that decodes an envelope in one pass without reflection, for replay, the
// follower and the feed, and a one-pass canonicaliser, for sealing on the
// write path and for verify. Each reports that it is unsure on anything it
// cannot read exactly as encoding/json would, and encoding/json then decides
// from the start; fuzz targets (FuzzScanEvent, FuzzScanData, FuzzCanonical)
// hold the two to the same answers. Both paths run several times as fast as
// encoding/json with a fraction of its allocations, and faster than
// github.com/go-json-experiment/json (encoding/json/v2's prototype), decoding
// about three times as fast; docs/performance.md ("The JSON codec") has the
// figures, the command that produced them, and why the code is kept rather
// than replaced by that library.
//
// The rules of events (types, schemas, upcasting) stay in domain, which this
// package imports; the store calls it (and the API, for the canonical form of
// a request body).
package eventjson
