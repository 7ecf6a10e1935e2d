package main

import (
	"flag"
	"io"
	"testing"
	"time"

	"github.com/coachjournal/coachjournal/eventstore"
)

// --idempotency-window and COACHJOURNAL_IDEMPOTENCY_WINDOW reach the
// store's configuration; the command line wins over the environment.
func TestIdempotencyWindowFlag(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  string
		args []string
		want time.Duration
	}{
		{"default", "", nil, eventstore.DefaultDuplicateWindow},
		{"flag", "", []string{"--idempotency-window=2h"}, 2 * time.Hour},
		{"environment", "90m", nil, 90 * time.Minute},
		{"flag over environment", "90m", []string{"--idempotency-window=3h"}, 3 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("COACHJOURNAL_IDEMPOTENCY_WINDOW", tc.env)
			}
			var f storeFlags
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			f.register(fs)
			if err := parse(fs, tc.args, io.Discard); err != nil {
				t.Fatalf("parse(%v): %v", tc.args, err)
			}
			if got := f.config().DuplicateWindow; got != tc.want {
				t.Errorf("DuplicateWindow = %s, want %s", got, tc.want)
			}
		})
	}
}

// --journal-cache and COACHJOURNAL_JOURNAL_CACHE reach the store's
// configuration; the command line wins over the environment.
func TestJournalCacheFlag(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  string
		args []string
		want int
	}{
		{"default", "", nil, eventstore.DefaultJournalCache},
		{"flag", "", []string{"--journal-cache=1000"}, 1000},
		{"environment", "2000", nil, 2000},
		{"flag over environment", "2000", []string{"--journal-cache=3000"}, 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("COACHJOURNAL_JOURNAL_CACHE", tc.env)
			}
			var f storeFlags
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			f.register(fs)
			if err := parse(fs, tc.args, io.Discard); err != nil {
				t.Fatalf("parse(%v): %v", tc.args, err)
			}
			if got := f.config().JournalCache; got != tc.want {
				t.Errorf("JournalCache = %d, want %d", got, tc.want)
			}
		})
	}
}
