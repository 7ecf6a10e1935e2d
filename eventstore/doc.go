// Package eventstore keeps coachjournal's journals on NATS JetStream.
//
// One stream (default JOURNAL, subjects journal.>) holds every event; a
// person's journal is the subject filter journal.<id>.>. A Store loads a
// journal, decides a command against it with the domain package and appends
// the resulting event conditionally on the journal's last subject sequence,
// so that the rules hold under any concurrency, across processes. Personal
// text is encrypted under a per-person data key kept, wrapped by a master
// key, in the JOURNAL_KEYS KV bucket; erasing a person overwrites that key
// with a tombstone (crypto-shredding), after which their text reads
// domain.Erased while the hash chain, which covers the ciphertext, still
// verifies.
//
// Errors returned to callers are *domain.Error values: KindUnavailable when
// NATS cannot be reached or times out, and the domain's own kinds otherwise.
package eventstore
