// Package projections holds coachjournal's read models: people and the org
// tree, commitments, PIPs and each person's coaching timeline.
//
// Every model is a fold of the event stream, in memory, with no I/O: one
// writer calls Set.Apply in stream order and any number of readers query the
// Set concurrently. Events arrive decrypted (personal text in clear, or
// domain.Erased once the person's key is gone).
//
// Storage is compact so that a rebuild of millions of events stays small:
// every event is kept once, as a step in one append-only store, and each
// model holds indexes into it. Personal text is never copied into the models;
// it is read from the stored event data when a model is read, and every
// summary is built at read time, so an erasure (which swaps each stored
// event's data for an erased copy) reaches every model at once.
//
// Readers always get copies: slices are built per call. Step.Data values are
// shared with the store, which never mutates them after Apply: an erasure
// replaces the stored data with an erased deep copy instead, so a value a
// reader already holds keeps reading as it did. Callers must not mutate
// what they receive, nor an event's Data after passing it to Apply.
package projections
