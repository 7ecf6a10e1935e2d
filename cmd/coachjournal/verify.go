package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/coachjournal/coachjournal/service"
)

// verify recomputes every journal's hash chain; a broken link exits 1.
func verify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	store, release, err := service.OpenTool(ctx, sf.config(), "verify")
	if err != nil {
		return err
	}
	defer release()
	report, err := store.Verify(ctx, nil)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(report)
	} else {
		fmt.Fprintf(stdout, "%d journals, %d events checked\n", report.Journals, report.Events)
		for _, b := range report.Broken {
			fmt.Fprintf(stdout, "BROKEN journal %s at sequence %d: %s\n", b.PersonID, b.Sequence, b.Reason)
		}
	}
	if !report.OK() {
		return exitCode(1)
	}
	fmt.Fprintln(stdout, "all chains verified")
	return nil
}
