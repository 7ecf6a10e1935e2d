package main

import (
	"flag"
	"io"
	"strconv"
	"testing"

	"github.com/coachjournal/coachjournal/eventstore"
)

// The store's flags and their COACHJOURNAL_* variables reach its
// configuration; the command line wins over the environment.
func TestStoreFlags(t *testing.T) {
	for _, fl := range []struct {
		name, env        string
		def, set, setEnv string // the default, a value for the flag, one for the variable
		got              func(eventstore.Config) string
	}{
		{"idempotency-window", "COACHJOURNAL_IDEMPOTENCY_WINDOW", eventstore.DefaultDuplicateWindow.String(), "2h0m0s", "1h30m0s",
			func(c eventstore.Config) string { return c.DuplicateWindow.String() }},
		{"journal-cache", "COACHJOURNAL_JOURNAL_CACHE", strconv.Itoa(eventstore.DefaultJournalCache), "1000", "2000",
			func(c eventstore.Config) string { return strconv.Itoa(c.JournalCache) }},
		{"write-timeout", "COACHJOURNAL_WRITE_TIMEOUT", eventstore.DefaultWriteTimeout.String(), "2s", "10s",
			func(c eventstore.Config) string { return c.WriteTimeout.String() }},
		{"replicas", "COACHJOURNAL_REPLICAS", "0", "3", "5",
			func(c eventstore.Config) string { return strconv.Itoa(c.Replicas) }},
	} {
		for _, tc := range []struct {
			name, env string
			args      []string
			want      string
		}{
			{"default", "", nil, fl.def},
			{"flag", "", []string{"--" + fl.name + "=" + fl.set}, fl.set},
			{"environment", fl.setEnv, nil, fl.setEnv},
			{"flag over environment", fl.setEnv, []string{"--" + fl.name + "=" + fl.set}, fl.set},
		} {
			t.Run(fl.name+"/"+tc.name, func(t *testing.T) {
				if tc.env != "" {
					t.Setenv(fl.env, tc.env)
				}
				var f storeFlags
				fs := flag.NewFlagSet("serve", flag.ContinueOnError)
				f.register(fs)
				if err := parse(fs, tc.args, io.Discard); err != nil {
					t.Fatalf("parse(%v): %v", tc.args, err)
				}
				if got := fl.got(f.config()); got != tc.want {
					t.Errorf("%s = %s, want %s", fl.name, got, tc.want)
				}
			})
		}
	}
}
