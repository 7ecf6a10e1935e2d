// Package domain holds coachjournal's events, commands and rules.
//
// A person's journal is the aggregate: its state is a fold of its events
// (Journal.Evolve), and a command is decided against that state
// (Decide) into the one event it records. The package is pure Go: it knows
// nothing of JetStream, HTTP or storage, and imports only the standard
// library and uuid.
package domain
