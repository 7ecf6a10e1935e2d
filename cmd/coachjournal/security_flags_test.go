package main

import (
	"flag"
	"io"
	"testing"

	"github.com/coachjournal/coachjournal/api"
)

// The caps on live tails reach the API's Security from their flags and
// COACHJOURNAL_* variables, with the API's defaults.
func TestStreamCapFlags(t *testing.T) {
	for _, tc := range []struct {
		name      string
		env       map[string]string
		args      []string
		caller, n int
	}{
		{"default", nil, nil, api.DefaultStreamsPerCaller, api.DefaultStreams},
		{"flags", nil, []string{"--max-streams-per-caller=2", "--max-streams=10"}, 2, 10},
		{"environment", map[string]string{"COACHJOURNAL_MAX_STREAMS_PER_CALLER": "3", "COACHJOURNAL_MAX_STREAMS": "-1"}, nil, 3, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var f securityFlags
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			f.register(fs)
			if err := parse(fs, tc.args, io.Discard); err != nil {
				t.Fatalf("parse(%v): %v", tc.args, err)
			}
			sec, err := f.security()
			if err != nil {
				t.Fatal(err)
			}
			if sec.StreamsPerCaller != tc.caller || sec.Streams != tc.n {
				t.Errorf("streams per caller %d, total %d; want %d, %d", sec.StreamsPerCaller, sec.Streams, tc.caller, tc.n)
			}
		})
	}
}
