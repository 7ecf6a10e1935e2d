package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/coachjournal/coachjournal/domain"
)

// commandBodies are the request types the write endpoints decode, each
// with a constructor so that every decode starts from a zero value.
var commandBodies = map[string]func() any{
	"RegisterPerson":        func() any { return new(domain.RegisterPerson) },
	"ChangeManager":         func() any { return new(domain.ChangeManager) },
	"DepartPerson":          func() any { return new(domain.DepartPerson) },
	"ErasePerson":           func() any { return new(domain.ErasePerson) },
	"SetStandard":           func() any { return new(domain.SetStandard) },
	"SetCadence":            func() any { return new(domain.SetCadence) },
	"SubmitMetrics":         func() any { return new(domain.SubmitMetrics) },
	"HoldMeeting":           func() any { return new(domain.HoldMeeting) },
	"SkipMeeting":           func() any { return new(domain.SkipMeeting) },
	"MakeCommitment":        func() any { return new(domain.MakeCommitment) },
	"FollowUpCommitment":    func() any { return new(domain.FollowUpCommitment) },
	"RenegotiateCommitment": func() any { return new(domain.RenegotiateCommitment) },
	"ResolveCommitment":     func() any { return new(domain.ResolveCommitment) },
	"OpenPIP":               func() any { return new(domain.OpenPIP) },
	"AcknowledgePIP":        func() any { return new(domain.AcknowledgePIP) },
	"CheckInPIP":            func() any { return new(domain.CheckInPIP) },
	"RevisePIP":             func() any { return new(domain.RevisePIP) },
	"ExtendPIP":             func() any { return new(domain.ExtendPIP) },
	"ClosePIP":              func() any { return new(domain.ClosePIP) },
}

// decodeCodes are the only answers decodeStrict may give besides nil.
var decodeCodes = map[string]int{
	"malformed_json":    http.StatusBadRequest,
	"unknown_field":     http.StatusBadRequest,
	"validation_failed": http.StatusUnprocessableEntity,
}

// FuzzDecodeStrict feeds any body to the strict decoder of every command:
// it never panics and answers nil or a *Problem with a stable code; what
// it accepts is one JSON value, and the decoded command encodes back to a
// body it accepts again.
func FuzzDecodeStrict(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Ana Lima","email":"ana@example.com","title":"AE","manager_id":"0193a3f0-0000-7000-8000-000000000001"}`,
		`{"period":"2026-W47","source":"self","values":{"activities":40,"revenue":50000.5},"correction_reason":null}`,
		`{"kind":"performance","held_at":"2026-11-20T15:00:00Z","with_id":"x","duration_minutes":30,"diagnosis":{"primary":"activity"}}`,
		`{"text":"book 15 first meetings","due_on":"2026-11-27","metric":{"key":"activities","target":15}}`,
		`{"reason":"r","starts_on":"2026-11-23","ends_on":"2027-01-22","check_in_every_days":7,"goals":[{"text":"t","target":10}]}`,
		`{"on":"2026-11-30","note":"n","goals":[{"goal_id":"g","status":"on_track","note":null}]}`,
		`{"every_days":7}`, `{"status":"kept"}`, `{}`, `[]`, `null`, `{"a":1}`, `{"name":1}`, `{"values":{"x":"1"}}`,
		`{"every_days":1e400}`, `{"every_days":7.5}`, `{} {}`, `{"name":"\ud800"}`, "{\"name\":\"\xff\"}", `{"goals":[[]]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for name, zero := range commandBodies {
			v := zero()
			err := decodeStrict(body, v)
			if err == nil {
				checkAccepted(t, name, body, v)
				continue
			}
			checkProblem(t, name, body, err)
		}
	})
}

func checkAccepted(t *testing.T, name string, body []byte, v any) {
	t.Helper()
	if !json.Valid(body) {
		t.Fatalf("%s: accepted %q, which is not one JSON value", name, body)
	}
	again, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: decoded %q does not encode: %v", name, body, err)
	}
	if err := decodeStrict(again, commandBodies[name]()); err != nil {
		t.Fatalf("%s: %q decoded, but its encoding %s does not: %v", name, body, again, err)
	}
}

func checkProblem(t *testing.T, name string, body []byte, err error) {
	t.Helper()
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("%s: %q: error %T %v, want a *Problem", name, body, err, err)
	}
	status, ok := decodeCodes[p.Code]
	if !ok || p.Status != status || p.Title != http.StatusText(status) {
		t.Fatalf("%s: %q: problem %d %q %q, want a stable decode code with its status", name, body, p.Status, p.Code, p.Title)
	}
	switch {
	case p.Code == "malformed_json":
	case len(p.Errors) != 1:
		t.Fatalf("%s: %q: %s names %d fields, want 1: %+v", name, body, p.Code, len(p.Errors), p.Errors)
	case p.Code == "validation_failed" && p.Errors[0].Field == "": // an unknown field may be the empty key ""
		t.Fatalf("%s: %q: validation_failed names no field", name, body)
	}
}
