package domain

import "time"

// ParkedNudge is a nudge delivery given up after its last attempt, as the
// store keeps it for an admin to see and replay: ids only.
type ParkedNudge struct {
	Sequence uint64    `json:"sequence"` // in the NUDGES stream: what a replay names
	ID       string    `json:"id"`       // the delivery's id, the same on every attempt
	Channel  string    `json:"channel"`  // email, slack, webhook
	ParkedAt time.Time `json:"parked_at"`
	Error    string    `json:"error"` // the last attempt's
}
