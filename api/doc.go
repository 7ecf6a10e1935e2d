// Package api serves coachjournal over HTTP with Echo: the /v1 JSON API,
// bearer-token auth with roles and the member-subtree view rule, strict
// request decoding and problem+json errors.
//
// The package writes through the Journals port (implemented by eventstore
// and wired in cmd/coachjournal) and reads the projections.
package api
