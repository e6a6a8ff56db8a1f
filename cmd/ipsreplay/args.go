package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// flagsFirst moves a command's flags (with their values) before its
// paths, as GNU tools accept them anywhere: `analyze x.pcap -f json`.
// urfave/cli stops parsing flags at the first argument that is not one.
// Everything after "--" stays where it is, and so does an argument that
// looks like a flag but names an existing file.
func flagsFirst(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	cmd := findCommand(app.Commands, args[1])
	start := 2
	for cmd != nil && len(cmd.Subcommands) > 0 && start < len(args) {
		sub := findCommand(cmd.Subcommands, args[start])
		if sub == nil {
			break
		}
		cmd, start = sub, start+1
	}
	if cmd == nil || cmd.SkipFlagParsing {
		return args
	}
	var flags, paths []string
	rest := args[start:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			paths = append(paths, rest[i:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' || isFile(a) {
			paths = append(paths, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := findFlag(cmd.Flags, name); f != nil && takesValue(f) && i+1 < len(rest) {
			flags = append(flags, rest[i+1])
			i++
		}
	}
	out := append([]string{}, args[:start]...)
	out = append(out, flags...)
	return append(out, paths...)
}

func isFile(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

func findFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func takesValue(f cli.Flag) bool {
	d, ok := f.(cli.DocGenerationFlag)
	return ok && d.TakesValue()
}

// closest is the candidate nearest name, for a "did you mean": one that
// name starts (three letters at least), else the one fewest edits away,
// at most one edit in three letters; "" when none is that near.
func closest(name string, candidates []string) string {
	bare := strings.TrimLeft(name, "-")
	best, bestDist := "", max(1, len(bare)/3)+1
	for _, c := range candidates {
		d := editDistance(name, c)
		if len(bare) >= 3 && strings.HasPrefix(c, name) {
			d = 0
		}
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Damerau-Levenshtein distance (adjacent swaps count
// one, the commonest typo) between a and b.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// commandNames lists the names a user may type for cmds.
func commandNames(cmds []*cli.Command) []string {
	var out []string
	for _, c := range cmds {
		if !c.Hidden {
			out = append(out, c.Names()...)
		}
	}
	return out
}

// flagNames lists a command's flags as typed: --long and -s.
func flagNames(flags []cli.Flag) []string {
	var out []string
	for _, f := range flags {
		for _, n := range f.Names() {
			if len(n) == 1 {
				out = append(out, "-"+n)
			} else {
				out = append(out, "--"+n)
			}
		}
	}
	return out
}

var (
	undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.+)$`)
	badValue      = regexp.MustCompile(`^invalid value "(.*)" for flag -+([^:]+): (.*)$`)
)

// usageMessage rewords urfave/cli's flag errors: a mistyped flag gets the
// nearest one, a duration without a unit says which units there are.
// flags are those of the command the error came from.
func usageMessage(err error, flags []cli.Flag) string {
	msg := err.Error()
	if m := undefinedFlag.FindStringSubmatch(msg); m != nil {
		typed := "--" + m[1]
		if len(m[1]) == 1 {
			typed = "-" + m[1]
		}
		out := "unknown flag " + typed
		if s := closest(typed, flagNames(flags)); s != "" {
			out += fmt.Sprintf(" (did you mean %s?)", s)
		}
		return out
	}
	if m := badValue.FindStringSubmatch(msg); m != nil {
		value, name := m[1], m[2]
		if _, ok := findFlag(flags, name).(*cli.DurationFlag); ok {
			return fmt.Sprintf("--%s %q: %s", name, value, durationHint(value))
		}
		return fmt.Sprintf("--%s %q: %s", name, value, m[3])
	}
	return msg
}

// durationHint explains a duration Go would not parse.
func durationHint(value string) string {
	const units = "units: ns, us, ms, s, m, h; e.g. 90s, 10m, 1h30m"
	if _, err := strconv.ParseFloat(value, 64); err == nil {
		return fmt.Sprintf("a duration needs a unit: did you mean %sm or %ss? (%s)", value, value, units)
	}
	if _, err := time.ParseDuration(value); err != nil {
		return "not a duration (" + units + ")"
	}
	return "not a duration"
}
