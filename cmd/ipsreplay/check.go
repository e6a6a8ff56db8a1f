package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/expect"
	"github.com/ipsreplay/ipsreplay/internal/safefile"
	"github.com/ipsreplay/ipsreplay/report"
	"github.com/ipsreplay/ipsreplay/signatures"
)

// CheckOptions is everything `ipsreplay check` was asked to do.
type CheckOptions struct {
	Width      int // the table's width on stdout (see tableWidth)
	Paths      []string
	Update     bool
	JUnit      string
	ConfigFile string
	Sets       []string
	HomeNet    string // --home-net; "" for network.home_net
	Signatures SignatureOptions
	// Jobs is how many cases run at once; Shard and Shards (1-based
	// index and count, 0 for none) pick one slice of the cases.
	Jobs          int
	Shard, Shards int
	// BPF is --bpf: every case's captures are read through it.
	BPF string
}

// checkCommand is `ipsreplay check`; args are the command line, read for
// --junit when the flags themselves do not parse.
func checkCommand(args []string) *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "run captures against their expectation files (NAME.expect.json) for CI",
		ArgsUsage: "PATH...  (directories, expectation files, or captures with one beside them)",
		Description: "Exit 0 when every expectation holds, 1 on any mismatch, 2 when a case cannot run " +
			"(unreadable capture, bad expectation file). --update rewrites expectations from what is found now.",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "wide", Usage: "show the table whole: not fitted to the terminal (or $COLUMNS)"},
			&cli.BoolFlag{Name: "update", Usage: "rewrite each expectation that differs (and write missing ones), saying what changed"},
			&cli.StringFlag{Name: "junit", Usage: "also write JUnit XML to `FILE`"},
			&cli.StringFlag{Name: "config", Usage: "detection parameters from a JSON `FILE`, for every case"},
			&cli.StringSliceFlag{Name: "set", Usage: "override one parameter for every case, e.g. --set port_scan.vertical_threshold=20"},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: runtime.NumCPU(), DefaultText: "the number of CPUs", Usage: "run `N` cases at once"},
			&cli.StringFlag{Name: "shard", Usage: "run only the I-th of N slices of the cases (`I/N`, e.g. 2/4), for CI jobs that split a corpus"},
			homeNetFlag(),
			bpfFlag(),
		}, signatureFlags()...),
		// a usage error still leaves a JUnit file, so CI never reads an
		// old one in its place
		OnUsageError: func(c *cli.Context, err error, sub bool) error {
			err = onUsageError(c, err, sub)
			writeJUnitError(junitArg(args), err)
			return err
		},
		Action: func(c *cli.Context) error {
			err := checkAction(c)
			var ran *junitHandled
			if err != nil && !errors.As(err, &ran) {
				writeJUnitError(c.String("junit"), err)
			}
			if ran != nil {
				return ran.err
			}
			return err
		},
	}
}

// junitHandled wraps an error after which no JUnit error file is written:
// the run wrote its report (and JUnit file), or --junit names an input.
type junitHandled struct{ err error }

func (r *junitHandled) Error() string { return r.err.Error() }
func (r *junitHandled) Unwrap() error { return r.err }

// writeJUnitError writes the JUnit file of a run that could not start,
// if one was asked for; a failure to write it is already beside the point.
// Only a JUnit file or nothing is replaced: a command line that did not
// parse may name anything after --junit.
func writeJUnitError(path string, runErr error) {
	if path == "" || path == "-" {
		return
	}
	if f, err := os.Open(path); err == nil {
		head := make([]byte, 5)
		n, _ := io.ReadFull(f, head)
		f.Close()
		if string(head[:n]) != "<?xml" {
			return
		}
	}
	var b bytes.Buffer
	if report.WriteJUnitError(&b, runErr, time.Now()) == nil {
		_ = safefile.Write(path, b.Bytes(), 0o644)
	}
}

// junitArg finds --junit's value in a command line that did not parse.
func junitArg(args []string) string {
	for i, a := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "junit" {
			continue
		}
		if hasValue {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// checkAction reads check's flags and runs it.
func checkAction(c *cli.Context) error {
	if c.NArg() == 0 {
		return usagef("check needs at least one directory, expectation file or capture")
	}
	if c.Int("jobs") < 1 {
		return usagef("--jobs %d: want 1 or more cases at once", c.Int("jobs"))
	}
	shard, shards, err := parseShard(c.String("shard"))
	if err != nil {
		return err
	}
	if c.String("bpf") != "" && c.Bool("update") {
		return usagef("--bpf with --update would write expectations of the filtered packets only")
	}
	return runCheck(c.Context, CheckOptions{
		BPF:        c.String("bpf"),
		Jobs:       c.Int("jobs"),
		Shard:      shard,
		Shards:     shards,
		Paths:      c.Args().Slice(),
		Update:     c.Bool("update"),
		JUnit:      c.String("junit"),
		ConfigFile: c.String("config"),
		Sets:       c.StringSlice("set"),
		HomeNet:    c.String("home-net"),
		Signatures: signatureOptions(c),
		Width:      tableWidth(c.Bool("wide"), c.App.Writer, os.Getenv("COLUMNS")),
	}, c.App.Writer)
}

func runCheck(ctx context.Context, opts CheckOptions, stdout io.Writer) error {
	cfg := analyzer.DefaultSettings()
	t, err := loadTunables(opts.ConfigFile, opts.Sets, opts.HomeNet)
	if err != nil {
		return err
	}
	t.Apply(&cfg)
	opts.Signatures.MaxRules = cfg.Rules.MaxRules
	set, err := loadSignatures(opts.Signatures, cfg.HomeNet, nil)
	if err != nil {
		return err
	}
	cfg.Signatures, cfg.NoBuiltins = set, opts.Signatures.NoBuiltins
	files, err := expect.Find(opts.Paths, opts.Update)
	if err != nil {
		return &inputError{err}
	}
	if len(files) == 0 {
		return &inputError{fmt.Errorf("no expectation files (*%s) under %v", expect.Suffix, opts.Paths)}
	}
	if opts.Shards > 0 {
		files = expect.Shard(files, opts.Shard, opts.Shards)
	}
	if err := checkJUnitOutput(opts, files); err != nil {
		return err
	}
	// a case with its own home network (options.home_net) gets the
	// signatures loaded with it, once per home network
	sets := map[string]*signatures.Set{}
	var mu sync.Mutex // cases run on several goroutines
	reload := func(home analyzer.HomeNet) (*signatures.Set, error) {
		mu.Lock()
		defer mu.Unlock()
		if s, ok := sets[home.String()]; ok {
			return s, nil
		}
		s, err := loadSignatures(opts.Signatures, home, nil)
		if err != nil {
			return nil, err
		}
		sets[home.String()] = s
		return s, nil
	}
	rep, runErr := expect.Run(ctx, files, expect.RunOptions{Config: cfg, Update: opts.Update, Signatures: reload, Jobs: opts.Jobs, Filter: opts.BPF})
	rep.Base, _ = os.Getwd()
	if err := writeCheckReport(opts, rep, stdout); err != nil {
		return &junitHandled{err}
	}
	if runErr != nil {
		return &junitHandled{runErr}
	}
	_, failed, errored, _ := rep.Counts()
	switch {
	case errored > 0:
		return &junitHandled{&inputError{fmt.Errorf("%d of %d checks could not run", errored, len(rep.Cases))}}
	case failed > 0:
		return &junitHandled{fmt.Errorf("%d of %d checks failed", failed, len(rep.Cases))}
	}
	return nil
}

// writeCheckReport writes the table to stdout and the JUnit file.
func writeCheckReport(opts CheckOptions, rep *expect.Report, stdout io.Writer) error {
	if err := report.WriteCheckWidth(stdout, rep, opts.Width); err != nil {
		return err
	}
	if opts.JUnit != "" {
		var b bytes.Buffer
		if err := report.WriteJUnit(&b, rep); err != nil {
			return err
		}
		if err := safefile.Write(opts.JUnit, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing JUnit: %w", err)
		}
	}
	return nil
}

// checkJUnitOutput refuses a --junit file that is one of the run's inputs:
// an expectation, a capture one names, or a side file.
func checkJUnitOutput(opts CheckOptions, files []string) error {
	if opts.JUnit == "" || opts.JUnit == "-" {
		return nil
	}
	inputs := append(slices.Clone(files), opts.Paths...)
	inputs = append(inputs, opts.ConfigFile)
	inputs = append(inputs, opts.Signatures.RuleFiles...)
	for _, f := range files {
		// a bad expectation fails its case later; here only its captures count
		if e, err := expect.Load(f); err == nil {
			inputs = append(inputs, e.CapturePaths(f)...)
		}
	}
	if err := safefile.CheckOutput(opts.JUnit, inputs); err != nil {
		return &junitHandled{&inputError{fmt.Errorf("--junit %w", err)}}
	}
	return nil
}

// parseShard reads --shard I/N; "" is no sharding (0, 0).
func parseShard(s string) (index, n int, err error) {
	if s == "" {
		return 0, 0, nil
	}
	i, c, ok := strings.Cut(s, "/")
	index, err1 := strconv.Atoi(strings.TrimSpace(i))
	n, err2 := strconv.Atoi(strings.TrimSpace(c))
	if !ok || err1 != nil || err2 != nil || n < 1 || index < 1 || index > n {
		return 0, 0, usagef("--shard %q: want I/N with 1 <= I <= N, e.g. 2/4 for the second of four slices", s)
	}
	return index, n, nil
}
