package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/extract"
	"github.com/ipsreplay/ipsreplay/report"
)

// ReplayOptions is everything `ipsreplay replay` was asked to do.
type ReplayOptions struct {
	Analyze  AnalyzeOptions // inputs and analysis settings; Format unused
	Stream   report.Format  // lines, jsonl, eve; or "" for a report only
	Report   report.Format  // the final report's format (table or json)
	Speed    float64        // 0 means as fast as possible
	OutIface string         // also transmit the packets here
	// Extract is --extract and its bounds, for the final report; nil
	// without it.
	Extract *extract.Config
}

func replayCommand(stdin io.Reader) *cli.Command {
	return &cli.Command{
		Name:      "replay",
		Usage:     "replay captures paced by their timestamps, streaming events as they happen",
		ArgsUsage: "PATH... [FILTER]  (pcap/pcapng files, .gz, directories, or - for stdin; then a tcpdump filter, as --bpf)",
		Description: "Events (alerts, blocks, unblocks on the replay clock) are printed the moment they happen; " +
			"Ctrl-C stops and still prints the report of what was replayed. --out-iface also transmits the " +
			"packets onto an interface with the same pacing, like tcpreplay.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "speed", Value: "1", Usage: "pace: 1 real time, 10 ten times faster, max no pacing"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: string(report.FormatLines), Usage: "lines, jsonl or eve (events as they happen), or table, json or html (the report only)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the final report to `FILE` (JSON unless --format table or html)"},
			&cli.StringFlag{Name: "out-iface", Usage: "also transmit the packets onto `IFACE` (needs root or CAP_NET_RAW)"},
			&cli.BoolFlag{Name: "no-progress", Usage: "never show the progress bar"},
			maxOpenFilesFlag(),
			readFlag(),
		}, append(append(analysisFlags(), extractFlags()...), bpfFlag())...),
		Action: func(c *cli.Context) error {
			paths, filter, err := captureInput(c)
			if err != nil {
				return err
			}
			if len(paths) == 0 {
				return usagef("replay needs at least one capture file, directory or -")
			}
			speed, err := parseSpeed(c.String("speed"))
			if err != nil {
				return err
			}
			opts := ReplayOptions{
				Analyze:  analysisOptions(c),
				Speed:    speed,
				OutIface: c.String("out-iface"),
			}
			a := &opts.Analyze
			a.BPF = filter
			a.Paths, a.Output, a.Stdin = paths, c.String("output"), stdin
			a.Progress = !c.Bool("no-progress") && isTerminal(c.App.ErrWriter)
			if opts.Analyze.Autoblock < 0 {
				return usagef("--autoblock %s: must be 0 (off) or positive", opts.Analyze.Autoblock)
			}
			if opts.Extract, err = extractConfig(c); err != nil {
				return err
			}
			if opts.Stream, opts.Report, err = report.ParseLiveFormat(strings.ToLower(c.String("format")), opts.Analyze.Output); err != nil {
				return usagef("--%v", err)
			}
			return runReplay(c.Context, opts, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// parseSpeed reads --speed: a positive factor, or "max" for no pacing.
func parseSpeed(s string) (float64, error) {
	if strings.EqualFold(s, "max") {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || v > 1e6 {
		return 0, usagef("--speed %q: want a factor above 0 (1 real time, 10 ten times faster) or max", s)
	}
	return v, nil
}

// streamer prints each event as it happens. Writes go straight to w, so a
// pipe reader sees every event at once.
func streamer(format report.Format, w io.Writer, errs *error) func(analyzer.Event) {
	write := report.EventWriter(format)
	return func(ev analyzer.Event) {
		if err := write(w, ev); err != nil && *errs == nil {
			*errs = fmt.Errorf("writing events: %w", err)
		}
	}
}

func runReplay(ctx context.Context, opts ReplayOptions, stdout, stderr io.Writer) error {
	cfg, err := buildConfig(opts.Analyze)
	if err != nil {
		return err
	}
	files, err := captureFiles(opts.Analyze.Paths)
	if err != nil {
		return err
	}
	if err := checkOutput(opts.Analyze.Output, files, opts.Analyze); err != nil {
		return err
	}
	var x *extract.Extractor
	if opts.Extract != nil {
		if slices.Contains(files, analyzer.StdinPath) {
			return usagef("--extract reads the captures again after the replay, which standard input cannot be: save it to a file")
		}
		if err := checkExtractDir(opts.Extract.Dir, opts.Analyze.Paths); err != nil {
			return err
		}
		if x, err = extract.New(*opts.Extract); err != nil {
			return err
		}
	}
	var writeErr error
	if opts.Stream != "" {
		cfg.OnEvent = streamer(opts.Stream, stdout, &writeErr)
	}
	run := analyzer.RunOptions{Stdin: opts.Analyze.Stdin, MaxOpenFiles: opts.Analyze.MaxOpenFiles, Filter: opts.Analyze.BPF}
	if opts.Speed > 0 {
		run.Pacer = analyzer.NewPacer(opts.Speed, nil)
		run.Pacer.SetMaxJump(cfg.Capture.MaxTimeJump.D())
	}
	var tx transmitter
	if opts.OutIface != "" {
		if tx, err = openTransmitter(opts.OutIface); err != nil {
			return &inputError{err}
		}
		defer tx.Close()
	}
	bar := newProgress(opts.Analyze.Progress, stderr, progressbar.OptionSpinnerType(14))
	var first, n int64
	run.Tap = func(t int64, data []byte) {
		if tx != nil {
			tx.Send(data)
		}
		if first == 0 {
			first = t
		}
		n++
		bar.show(n, -1, func() string {
			return fmt.Sprintf("replayed %d packets, %s of capture time", n, captureSpan(time.Duration(t-first)))
		})
	}
	res, err := analyzer.Analyze(ctx, files, cfg, run)
	bar.finish()
	if res == nil {
		return err
	}
	if tx != nil {
		sent := tx.Stats()
		res.Warnings = append(res.Warnings, sent.String(opts.OutIface))
		errorLine(stderr, "%s", sent.String(opts.OutIface))
	}
	if writeErr != nil {
		return writeErr
	}
	if x != nil && ctx.Err() == nil {
		// the events went out as they happened; the final report names
		// the pcaps
		if err := x.Run(ctx, files, nil, res); err != nil {
			if ctx.Err() == nil {
				return err
			}
			// the report is still written, naming no pcap
			res.Warnings = append(res.Warnings, "--extract: stopped before the pcaps were written")
		}
	}
	if err := writeFinal(opts, res, stdout); err != nil {
		return err
	}
	return afterReport(err, stderr)
}

// captureSpan rounds the capture time replayed for the progress line: to
// the millisecond under a minute, since a --speed max replay of a short
// capture is over in less than a second and would read "0s".
func captureSpan(d time.Duration) time.Duration {
	if d < time.Minute {
		return d.Round(time.Millisecond)
	}
	return d.Truncate(time.Second)
}

// writeFinal writes the report of what was replayed: to -o when given,
// else to stdout after the events, as their format allows.
func writeFinal(opts ReplayOptions, res *analyzer.Result, stdout io.Writer) error {
	if out := opts.Analyze.Output; out != "" && out != "-" {
		var buf bytes.Buffer
		if err := report.WriteWidth(&buf, res, opts.Report, opts.Analyze.reportWidth()); err != nil {
			return err
		}
		return writeOutput(out, buf.Bytes(), stdout)
	}
	return report.WriteFinalWidth(stdout, res, opts.Stream, opts.Report, opts.Analyze.reportWidth())
}
