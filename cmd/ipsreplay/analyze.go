package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/report"
)

// AnalyzeOptions is everything `ipsreplay analyze` was asked to do.
type AnalyzeOptions struct {
	Paths       []string
	Format      report.Format
	Output      string // "" or "-" for stdout
	PerFile     bool
	Autoblock   time.Duration
	ExcludeFile string
	ConfigFile  string
	Sets        []string
	Progress    bool // show a progress bar on stderr
	Stdin       io.Reader
	Signatures  SignatureOptions
	Stderr      io.Writer // for warnings while setting up; nil for none
}

func analyzeCommand(stdin io.Reader) *cli.Command {
	return &cli.Command{
		Name:      "analyze",
		Usage:     "analyse captures in batch and report signatures, blocks and false positives",
		ArgsUsage: "PATH...  (pcap/pcapng files, .gz, directories, or - for stdin)",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "report format: table, json or eve (Suricata EVE JSON lines)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` instead of stdout"},
			&cli.BoolFlag{Name: "per-file", Usage: "analyse each file on its own instead of one merged timeline"},
			&cli.BoolFlag{Name: "no-progress", Usage: "never show the progress bar"},
		}, analysisFlags()...),
		Action: func(c *cli.Context) error {
			format, err := report.ParseFormat(c.String("format"))
			if err != nil {
				return usagef("--format: %v", err)
			}
			if c.NArg() == 0 {
				return usagef("analyze needs at least one capture file, directory or -")
			}
			if err := flagsAfterPaths("analyze", c.Args().Slice()); err != nil {
				return err
			}
			opts := analysisOptions(c)
			opts.Paths, opts.Format, opts.Output = c.Args().Slice(), format, c.String("output")
			opts.PerFile, opts.Stdin = c.Bool("per-file"), stdin
			opts.Progress = !c.Bool("no-progress") && isTerminal(c.App.ErrWriter)
			if opts.Autoblock < 0 {
				return usagef("--autoblock %s: must be 0 (off) or positive", opts.Autoblock)
			}
			return runAnalyze(c.Context, opts, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// flagsAfterPaths catches "analyze x.pcap --format json": the flag parser
// stops at the first path, so the flag would be taken for a file name.
func flagsAfterPaths(command string, args []string) error {
	for _, a := range args {
		if len(a) > 1 && a[0] == '-' {
			if _, err := os.Stat(a); err != nil {
				return usagef("%s: flags go before the paths (ipsreplay %s [flags] PATH...)", a, command)
			}
		}
	}
	return nil
}

// buildConfig turns options into the analyzer's config, reading the
// exclusion list and parameter files.
func buildConfig(opts AnalyzeOptions) (analyzer.Config, error) {
	cfg, err := analyzer.DefaultConfig()
	if err != nil {
		return cfg, err
	}
	t, err := loadTunables(opts.ConfigFile, opts.Sets)
	if err != nil {
		return cfg, err
	}
	cfg.Detectors, cfg.Flows, cfg.Rules = t.Config, t.Flows, t.Rules
	cfg.Autoblock = opts.Autoblock
	set, err := loadSignatures(opts.Signatures, opts.Stderr)
	if err != nil {
		return cfg, err
	}
	cfg.Signatures, cfg.NoBuiltins = set, opts.Signatures.NoBuiltins
	if opts.ExcludeFile != "" {
		if cfg.Exclusions, err = analyzer.LoadExclusions(opts.ExcludeFile); err != nil {
			return cfg, &inputError{err}
		}
	}
	return cfg, nil
}

func runAnalyze(ctx context.Context, opts AnalyzeOptions, stdout, stderr io.Writer) error {
	cfg, err := buildConfig(opts)
	if err != nil {
		return err
	}
	files, err := analyzer.ExpandPaths(opts.Paths)
	if err != nil {
		return &inputError{err}
	}
	if len(files) == 0 {
		return &inputError{fmt.Errorf("no capture files (.pcap, .pcapng, .cap, .gz) under %v", opts.Paths)}
	}
	groups := [][]string{files}
	if opts.PerFile {
		groups = groups[:0]
		for _, f := range files {
			groups = append(groups, []string{f})
		}
	}
	var results []*analyzer.Result
	var inputErrs []error
	interrupted := false
	for i, g := range groups {
		bar := newProgress(opts.Progress, stderr, progressbar.OptionSetDescription("analysing"),
			progressbar.OptionShowBytes(true), progressbar.OptionSetWidth(30))
		res, err := analyzer.Analyze(ctx, g, cfg, analyzer.RunOptions{Stdin: opts.Stdin,
			Progress: func(done, total int64) { bar.show(done, total, nil) }})
		bar.finish()
		if err != nil && res == nil {
			return err
		}
		var ie *analyzer.InputError
		if errors.As(err, &ie) {
			inputErrs = append(inputErrs, ie.Errs...)
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			interrupted = true
		}
		results = append(results, res)
		if ctx.Err() != nil && i < len(groups)-1 {
			interrupted = true // the files not reached are left out
			break
		}
	}
	if err := writeReports(opts, results, stdout); err != nil {
		return err
	}
	if interrupted {
		for _, e := range inputErrs {
			fmt.Fprintf(stderr, "ipsreplay: %v\n", e)
		}
		return context.Canceled
	}
	if len(inputErrs) > 0 {
		return &analyzer.InputError{Errs: inputErrs}
	}
	return nil
}

// writeReports renders into memory first so a failed render never leaves a
// half-written output file.
func writeReports(opts AnalyzeOptions, results []*analyzer.Result, stdout io.Writer) error {
	var buf bytes.Buffer
	if opts.PerFile {
		if err := report.WriteEach(&buf, results, opts.Format); err != nil {
			return err
		}
	} else if err := report.Write(&buf, results[0], opts.Format); err != nil {
		return err
	}
	if opts.Output == "" || opts.Output == "-" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(opts.Output, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}
