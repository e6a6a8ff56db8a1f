package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/ipsreplay/ipsreplay/analyzer"
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

// runCapture captures until --count, --duration or Ctrl-C (the normal
// ends of a live capture, so they exit 0) and writes the report of what
// was seen. A failure mid-capture still writes that report.
func runCapture(ctx context.Context, opts CaptureOptions, stdout, stderr io.Writer) error {
	cfg, err := buildConfig(opts.Analyze)
	if err != nil {
		return err
	}
	var writeErr error
	if opts.Stream != "" {
		cfg.OnEvent = streamer(opts.Stream, stdout, &writeErr)
	}
	e, err := analyzer.NewEngine(cfg)
	if err != nil {
		return err
	}
	bar := newProgress(opts.Analyze.Progress, stderr, progressbar.OptionShowBytes(true), progressbar.OptionSpinnerType(14))
	opts.Live.Progress = func(packets, bytes uint64) {
		bar.show(int64(bytes), -1, func() string { return fmt.Sprintf("captured %d packets", packets) })
	}
	if err := checkCaptureOutputs(opts); err != nil {
		return err
	}
	c, err := live.Open(opts.Iface, opts.Live)
	if err != nil {
		return captureOpenError(err)
	}
	defer c.Close()
	errorLine(stderr, "capturing on %s, link type %s, snapshot length %d bytes%s",
		opts.Iface, c.LinkType(), c.Snaplen(), captureEnd(opts.Live))

	sum, runErr := c.Run(ctx, e)
	bar.finish()
	closeErr := c.Close()
	e.Finish()
	res := e.Result([]analyzer.FileSummary{sum.File}, sum.Warnings)
	errorLine(stderr, "%d packets captured, %d received by filter, %d dropped by kernel (%s)",
		sum.File.Packets, sum.Received, sum.Dropped, stopText(sum.Stop))
	if writeErr != nil {
		return writeErr
	}
	if err := writeFinal(ReplayOptions{Analyze: opts.Analyze, Stream: opts.Stream, Report: opts.Report}, res, stdout); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	return closeErr
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

// captureOpenError gives a bad interface, filter or link type exit code 2
// (bad input); missing privileges and the rest are failures (1).
func captureOpenError(err error) error {
	var fe *live.FilterError
	switch {
	case errors.Is(err, live.ErrNoInterface), errors.As(err, &fe), errors.Is(err, analyzer.ErrUnsupportedLink):
		return &inputError{err}
	}
	return err
}

// captureEnd says how the capture will end, for the opening line.
func captureEnd(o live.CaptureOptions) string {
	switch {
	case o.Count > 0 && o.Duration > 0:
		return fmt.Sprintf("; stops after %d packets, %s or Ctrl-C", o.Count, o.Duration)
	case o.Count > 0:
		return fmt.Sprintf("; stops after %d packets or Ctrl-C", o.Count)
	case o.Duration > 0:
		return fmt.Sprintf("; stops after %s or Ctrl-C", o.Duration)
	}
	return "; Ctrl-C stops"
}

func stopText(s live.StopReason) string {
	switch s {
	case live.StopCount:
		return "--count reached"
	case live.StopDuration:
		return "--duration elapsed"
	case live.StopCancelled:
		return "interrupted"
	case live.StopError:
		return "stopped by an error"
	}
	return string(s)
}
