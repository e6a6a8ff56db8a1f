package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/expect"
	"github.com/ipsreplay/ipsreplay/internal/safefile"
	"github.com/ipsreplay/ipsreplay/report"
	"github.com/ipsreplay/ipsreplay/signatures"
)

// CheckOptions is everything `ipsreplay check` was asked to do.
type CheckOptions struct {
	Paths      []string
	Update     bool
	JUnit      string
	ConfigFile string
	Sets       []string
	HomeNet    string // --home-net; "" for network.home_net
	Signatures SignatureOptions
}

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "run captures against their expectation files (NAME.expect.json) for CI",
		ArgsUsage: "PATH...  (directories, expectation files, or captures with one beside them)",
		Description: "Exit 0 when every expectation holds, 1 on any mismatch, 2 when a case cannot run " +
			"(unreadable capture, bad expectation file). --update rewrites expectations from what is found now.",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "update", Usage: "rewrite each expectation that differs (and write missing ones), saying what changed"},
			&cli.StringFlag{Name: "junit", Usage: "also write JUnit XML to `FILE`"},
			&cli.StringFlag{Name: "config", Usage: "detection parameters from a JSON `FILE`, for every case"},
			&cli.StringSliceFlag{Name: "set", Usage: "override one parameter for every case, e.g. --set port_scan.vertical_threshold=20"},
			homeNetFlag(),
		}, signatureFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("check needs at least one directory, expectation file or capture")
			}
			if err := flagsAfterPaths("check", c.Args().Slice()); err != nil {
				return err
			}
			return runCheck(c.Context, CheckOptions{
				Paths:      c.Args().Slice(),
				Update:     c.Bool("update"),
				JUnit:      c.String("junit"),
				ConfigFile: c.String("config"),
				Sets:       c.StringSlice("set"),
				HomeNet:    c.String("home-net"),
				Signatures: signatureOptions(c),
			}, c.App.Writer)
		},
	}
}

func runCheck(ctx context.Context, opts CheckOptions, stdout io.Writer) error {
	cfg, err := analyzer.DefaultConfig()
	if err != nil {
		return err
	}
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
	if err := checkJUnitOutput(opts, files); err != nil {
		return err
	}
	// a case with its own home network (options.home_net) gets the
	// signatures loaded with it, once per home network
	sets := map[string]*signatures.Set{}
	reload := func(home analyzer.HomeNet) (*signatures.Set, error) {
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
	rep, runErr := expect.Run(ctx, files, expect.RunOptions{Config: cfg, Update: opts.Update, Signatures: reload})
	if err := report.WriteCheck(stdout, rep); err != nil {
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
	if runErr != nil {
		return runErr
	}
	_, failed, errored, _ := rep.Counts()
	switch {
	case errored > 0:
		return &inputError{fmt.Errorf("%d of %d checks could not run", errored, len(rep.Cases))}
	case failed > 0:
		return fmt.Errorf("%d of %d checks failed", failed, len(rep.Cases))
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
		return &inputError{fmt.Errorf("--junit %w", err)}
	}
	return nil
}
