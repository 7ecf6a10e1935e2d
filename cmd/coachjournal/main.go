// Command coachjournal runs the coaching-journal service and its tools:
// serve, token, verify, export.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/coachjournal/coachjournal/bench"
)

func main() {
	bench.RunColdStartChild() // the bench's cold starts run in processes of their own
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var ec exitCode
	switch {
	case errors.As(err, &ec):
		os.Exit(int(ec))
	case err != nil:
		fmt.Fprintln(os.Stderr, "coachjournal:", err)
		os.Exit(1)
	}
}

// exitCode ends the program with a status and no further message.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

const usage = `usage: coachjournal <command> [flags]

commands:
  serve    run the API (embedded NATS JetStream under --data-dir, or --nats URL)
  token    mint a bearer token
  verify   check every journal's hash chain; exit 1 on a broken link
  export   replay the history to NDJSON, CSV or Parquet, pseudonymized unless --clear
  bench    measure the service against the raw engine (in process, on loopback)

Run 'coachjournal <command> -h' for a command's flags. Every flag has a
COACHJOURNAL_* environment equivalent (--data-dir: COACHJOURNAL_DATA_DIR).
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitCode(2)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "token":
		return token(args[1:], stdout, stderr)
	case "verify":
		return verify(ctx, args[1:], stdout, stderr)
	case "export":
		return exportCommand(ctx, args[1:], stdout, stderr)
	case "bench":
		return benchCommand(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
	return exitCode(2)
}
