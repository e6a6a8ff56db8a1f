package main

import (
	"embed"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// completionScripts are the shell scripts `ipsreplay completion SHELL`
// prints. Each asks the binary (completeCommand) what fits, so they never
// go stale as commands and flags change.
//
//go:embed completion/ipsreplay.*
var completionScripts embed.FS

// completionShells are the shells there is a script for.
var completionShells = []string{"bash", "zsh", "fish"}

// completeCommandName is the hidden command the scripts call.
const completeCommandName = "__complete"

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish",
		ArgsUsage: "SHELL",
		Description: "bash: source <(ipsreplay completion bash)   zsh: source <(ipsreplay completion zsh)   " +
			"fish: ipsreplay completion fish | source. Put the output in the shell's completion directory to keep it.",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 || !slices.Contains(completionShells, c.Args().First()) {
				return usagef("completion needs one shell: %s", strings.Join(completionShells, ", "))
			}
			script, err := completionScripts.ReadFile("completion/ipsreplay." + c.Args().First())
			if err != nil {
				return err
			}
			_, err = c.App.Writer.Write(script)
			return err
		},
	}
}

// completeCommand answers the completion scripts: given the words typed
// after "ipsreplay", the last one being completed, it prints one candidate
// a line. Nothing printed means a file name goes there.
func completeCommand() *cli.Command {
	return &cli.Command{
		Name:            completeCommandName,
		Hidden:          true,
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			for _, s := range completions(c.App, c.Args().Slice()) {
				fmt.Fprintln(c.App.Writer, s)
			}
			return nil
		},
	}
}

// completions lists what may replace the last of words: a command or
// subcommand name where one goes, a flag where the word starts with "-",
// and nothing (a file) after a flag that takes a value or after the
// command's first path.
func completions(app *cli.App, words []string) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	cur, before := words[len(words)-1], words[:len(words)-1]
	cmds, flags := app.Commands, app.Flags
	var cmd *cli.Command
	for i := 0; i < len(before); i++ {
		w := before[i]
		if strings.HasPrefix(w, "-") && len(w) > 1 {
			if f := findFlag(flags, strings.TrimLeft(w, "-")); f != nil && takesValue(f) && !strings.Contains(w, "=") {
				i++ // its value
			}
			continue
		}
		next := findCommand(cmds, w)
		if next == nil {
			if cmd == nil {
				return nil // an unknown command: nothing fits
			}
			cmds = nil // a path: only flags from here on
			continue
		}
		cmd, cmds, flags = next, next.Subcommands, next.Flags
	}
	if len(before) > 0 {
		prev := before[len(before)-1]
		if f := findFlag(flags, strings.TrimLeft(prev, "-")); strings.HasPrefix(prev, "-") && f != nil && takesValue(f) && !strings.Contains(prev, "=") {
			return nil
		}
	}
	var out []string
	if strings.HasPrefix(cur, "-") {
		out = flagNames(flags)
		if cmd != nil {
			out = append(out, "--help")
		}
	} else {
		out = commandNames(cmds)
	}
	return slices.DeleteFunc(out, func(s string) bool { return !strings.HasPrefix(s, cur) })
}
