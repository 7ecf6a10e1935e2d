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
// hold the two to the same answers. Decoding runs about ten times faster than
// encoding/json with a quarter of its allocations, sealing about three times;
// docs/performance.md ("The JSON codec") has the figures, the command that
// produced them, and a comparison with github.com/go-json-experiment/json.
//
// The rules of events (types, schemas, upcasting) stay in domain, which this
// package imports; the store calls it.
package eventjson
