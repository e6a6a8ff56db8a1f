package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ipsreplay/ipsreplay/analyzer/live"
	"github.com/ipsreplay/ipsreplay/internal/safefile"
	"github.com/ipsreplay/ipsreplay/report"
)

// CaptureOptions is everything `ipsreplay capture` was asked to do.
type CaptureOptions struct {
	Analyze AnalyzeOptions // analysis settings and -o; Paths and Format unused
	Iface   string
	Live    live.CaptureOptions
	Stream  report.Format // lines, jsonl, eve; or "" for a report only
	Report  report.Format // the final report's format
}

func captureCommand() *cli.Command {
	return &cli.Command{
		Name:  "capture",
		Usage: "analyse live traffic from an interface, streaming events as they happen",
		Description: "Packets are analysed as they arrive, on the kernel's timestamps; events (alerts, blocks, " +
			"unblocks) are printed the moment they happen. The capture ends after --duration or --count, or " +
			"on Ctrl-C, and prints the report of what it saw. Needs root or CAP_NET_RAW.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "interface", Aliases: []string{"i"}, Usage: "capture on `IFACE` (any: all interfaces)"},
			&cli.StringFlag{Name: "bpf", Usage: "capture only what the BPF filter `EXPR` matches (tcpdump syntax)"},
			&cli.DurationFlag{Name: "duration", Usage: "stop after this long; 0 runs until Ctrl-C"},
			&cli.Uint64Flag{Name: "count", Aliases: []string{"c"}, Usage: "stop after `N` packets; 0 is no limit"},
			&cli.StringFlag{Name: "write", Aliases: []string{"w"}, Usage: "also save the packets to the pcap `FILE`"},
			&cli.BoolFlag{Name: "no-promisc", Usage: "capture only traffic to and from this host"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: string(report.FormatLines), Usage: "lines, jsonl or eve (events as they happen), or table, json or html (the report only)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the final report to `FILE` (JSON unless --format table or html)"},
			&cli.BoolFlag{Name: "no-progress", Usage: "never show the packet counter"},
		}, analysisFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("capture takes no arguments, got %q (a filter goes in --bpf)", strings.Join(c.Args().Slice(), " "))
			}
			opts := CaptureOptions{
				Analyze: analysisOptions(c),
				Iface:   c.String("interface"),
				Live:    live.DefaultCaptureOptions(),
			}
			opts.Analyze.Output = c.String("output")
			if opts.Iface == "" {
				return usagef("capture needs -i IFACE (available: %s)", strings.Join(live.Interfaces(true), ", "))
			}
			if opts.Analyze.Autoblock < 0 {
				return usagef("--autoblock %s: must be 0 (off) or positive", opts.Analyze.Autoblock)
			}
			l := &opts.Live
			l.BPF, l.Duration, l.Count, l.Write = c.String("bpf"), c.Duration("duration"), c.Uint64("count"), c.String("write")
			l.Promisc = !c.Bool("no-promisc")
			if l.Duration < 0 {
				return usagef("--duration %s: must be 0 (until Ctrl-C) or positive", l.Duration)
			}
			var err error
			if opts.Stream, opts.Report, err = report.ParseLiveFormat(c.String("format"), opts.Analyze.Output); err != nil {
				return usagef("--%v", err)
			}
			// A counter on stderr would garble event lines on the same
			// terminal: show it only when they go elsewhere.
			opts.Analyze.Progress = !c.Bool("no-progress") && isTerminal(c.App.ErrWriter) &&
				(opts.Stream == "" || !isTerminal(c.App.Writer))
			return runCapture(c.Context, opts, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// checkCaptureOutputs refuses, before capturing, what writing would
// clobber or fail on at the end: --write or -o naming an input (a side
// file) or each other, and a read-only file. The --write file is written
// as packets come, like tcpdump -w, so it is checked here and not
// replaced whole.
func checkCaptureOutputs(opts CaptureOptions) error {
	if err := checkOutput(opts.Analyze.Output, []string{opts.Live.Write}, opts.Analyze); err != nil {
		return err
	}
	w := opts.Live.Write
	if w == "" {
		return nil
	}
	if w == opts.Analyze.Output {
		// not caught above while neither exists yet
		return &inputError{fmt.Errorf("--write %s: %w (as -o)", w, safefile.ErrIsInput)}
	}
	if err := checkOutput(w, nil, opts.Analyze); err != nil {
		var ie *inputError
		if errors.As(err, &ie) {
			return &inputError{fmt.Errorf("--write %w", ie.err)}
		}
		return fmt.Errorf("--write %w", errors.Unwrap(err))
	}
	return nil
}
