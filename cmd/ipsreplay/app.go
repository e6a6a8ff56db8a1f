package main

import (
	"context"
	"io"

	"github.com/urfave/cli/v2"
)

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := &cli.App{
		Name:      "ipsreplay",
		Usage:     "replay packet captures through an endpoint IPS and report what it would have done",
		Version:   buildVersion(),
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		Suggest:   true,
		// errors are printed once, by exitCode, with the right exit code
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsageError,
		Commands: []*cli.Command{
			analyzeCommand(stdin),
			replayCommand(stdin),
			captureCommand(),
			checkCommand(args),
			configCommand(),
			signaturesCommand(),
			exclusionsCommand(stdin),
		},
		CommandNotFound: func(c *cli.Context, name string) {},
	}
	for _, c := range app.Commands {
		// one line on stderr and exit 2, not a help dump on stdout
		if c.OnUsageError == nil {
			c.OnUsageError = onUsageError
		}
	}
	err := app.RunContext(ctx, args)
	if err == nil && len(args) > 1 && !isKnownCommand(app, args[1]) && args[1][0] != '-' {
		err = usagef("unknown command %q", args[1])
	}
	return exitCode(err, stderr)
}

func onUsageError(_ *cli.Context, err error, _ bool) error {
	return usagef("%v", err)
}

func isKnownCommand(app *cli.App, name string) bool {
	for _, c := range app.Commands {
		if c.HasName(name) {
			return true
		}
	}
	return name == "help" || name == "h"
}
