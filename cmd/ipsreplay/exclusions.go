package main

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/ipsreplay/ipsreplay/internal/safefile"
	"github.com/ipsreplay/ipsreplay/report"
	"github.com/urfave/cli/v2"
)

// SuggestOptions is everything `ipsreplay exclusions suggest` was asked to
// do: the analysis, and which verdicts become entries.
type SuggestOptions struct {
	Analysis AnalyzeOptions // paths, stdin and the analysis flags
	// MinConfidence is the lowest verdict confidence that becomes an
	// entry: "low", "medium" or "high".
	MinConfidence string
	Output        string // "" or "-" for stdout
}

func exclusionsCommand(stdin io.Reader) *cli.Command {
	suggest := &cli.Command{
		Name:      "suggest",
		Usage:     "analyse captures and write an exclusion list from the likely false positives",
		ArgsUsage: "PATH...  (pcap/pcapng files, .gz, directories, or - for stdin)",
		Description: "Writes a ready --exclude file: a header naming the captures, then one entry per " +
			"false-positive verdict (guest VMs by MAC, scanners by address) under comments giving the " +
			"verdict, confidence, reason and evidence. Hosts that need investigation are listed as comments only.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "min-confidence", Value: "medium", Usage: "lowest verdict confidence that becomes an entry: low, medium or high"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the list to `FILE` instead of stdout"},
			&cli.BoolFlag{Name: "no-progress", Usage: "never show the progress bar"},
			readFlag(),
			maxOpenFilesFlag(),
		}, analysisFlags()...),
		Action: func(c *cli.Context) error {
			switch c.String("min-confidence") {
			case "low", "medium", "high":
			default:
				return usagef("--min-confidence %q: want low, medium or high", c.String("min-confidence"))
			}
			paths := capturePaths(c)
			if len(paths) == 0 {
				return usagef("exclusions suggest needs at least one capture file, directory or -")
			}
			opts := SuggestOptions{Analysis: analysisOptions(c), MinConfidence: c.String("min-confidence"), Output: c.String("output")}
			opts.Analysis.Paths, opts.Analysis.Stdin = paths, stdin
			opts.Analysis.Progress = !c.Bool("no-progress") && isTerminal(c.App.ErrWriter)
			if opts.Analysis.Autoblock < 0 {
				return usagef("--autoblock %s: must be 0 (off) or positive", opts.Analysis.Autoblock)
			}
			return runSuggest(c.Context, opts, c.App.Writer, c.App.ErrWriter)
		},
	}
	suggest.OnUsageError = onUsageError
	return &cli.Command{
		Name:  "exclusions",
		Usage: "suggest an exclusion list from the likely false positives",
		Description: "An exclusion list (--exclude FILE) has one entry a line: an IP, CIDR, range a-b or MAC " +
			"address, or a Suricata threshold.config suppress line " +
			"(suppress gen_id 1, sig_id N[, track by_src|by_dst|by_either, ip ADDR]). " +
			"Their alerts are removed and such hosts are never blocked.",
		Subcommands: []*cli.Command{suggest},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.ShowSubcommandHelp(c)
			}
			return usagef("unknown exclusions command %q: want suggest", c.Args().First())
		},
	}
}

// runSuggest analyses the captures as one timeline and writes the list.
// Like analyze, bad input still yields the list of what was read, and the
// error afterwards sets the exit code.
func runSuggest(ctx context.Context, opts SuggestOptions, stdout, stderr io.Writer) error {
	a := opts.Analysis
	cfg, err := buildConfig(a)
	if err != nil {
		return err
	}
	files, err := captureFiles(a.Paths)
	if err != nil {
		return err
	}
	if err := checkOutput(opts.Output, files, a); err != nil {
		return err
	}
	res, runErr := analyzeFiles(ctx, files, cfg, a, stderr, "analysing")
	if runErr != nil && res == nil {
		return runErr
	}
	var list bytes.Buffer
	if err := report.WriteSuggestedExclusions(&list, res, report.SuggestOptions{
		MinConfidence: opts.MinConfidence, ExcludeFile: a.ExcludeFile,
	}); err != nil {
		return err
	}
	if opts.Output == "" || opts.Output == "-" {
		if _, err := stdout.Write(list.Bytes()); err != nil {
			return err
		}
	} else if err := safefile.Write(opts.Output, list.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing exclusion list: %w", err)
	}
	return afterReport(runErr, stderr)
}
