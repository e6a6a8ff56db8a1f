//go:build cgo

package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/schollz/progressbar/v3"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/analyzer/live"
)

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
