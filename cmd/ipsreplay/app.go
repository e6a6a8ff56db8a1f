package main

import (
	"context"
	"io"
	"strings"

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
			completionCommand(),
			completeCommand(),
		},
		CommandNotFound: func(c *cli.Context, name string) {},
	}
	for _, c := range app.Commands {
		// one line on stderr and exit 2, not a help dump on stdout
		if c.OnUsageError == nil {
			c.OnUsageError = onUsageError
		}
	}
	err := app.RunContext(ctx, flagsFirst(app, args))
	if err == nil && len(args) > 1 && !isKnownCommand(app, args[1]) && args[1][0] != '-' {
		err = unknownCommand(args[1], commandNames(app.Commands))
	}
	return exitCode(err, stderr)
}

// unknownCommand names the command nearest a mistyped one.
func unknownCommand(name string, commands []string) error {
	if s := closest(name, commands); s != "" {
		return usagef("unknown command %q (did you mean %s?)", name, s)
	}
	return usagef("unknown command %q (commands: %s)", name, strings.Join(commands, ", "))
}

func onUsageError(c *cli.Context, err error, _ bool) error {
	var flags []cli.Flag
	if c.Command != nil && c.Command.Name != "" {
		flags = c.Command.Flags
	} else {
		flags = c.App.Flags
	}
	return usagef("%s", usageMessage(err, flags))
}

func isKnownCommand(app *cli.App, name string) bool {
	for _, c := range app.Commands {
		if c.HasName(name) {
			return true
		}
	}
	return name == "help" || name == "h"
}
