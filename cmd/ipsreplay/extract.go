package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/extract"
)

// extractFlags are --extract and its bounds, on analyze and replay.
func extractFlags() []cli.Flag {
	d := extract.DefaultConfig("")
	return []cli.Flag{
		&cli.StringFlag{Name: "extract", Usage: "write the packets behind each listed alert to a pcap of its own in `DIR` (created when missing); the report names each file"},
		&cli.IntFlag{Name: "extract-first", Value: d.First, Usage: "with --extract: keep an alert's first `N` packets"},
		&cli.IntFlag{Name: "extract-last", Value: d.Last, Usage: "with --extract: and its last `N` packets (those between are left out)"},
		&cli.Int64Flag{Name: "extract-max-bytes", Value: d.MaxBytes, Usage: "with --extract: write at most `BYTES` of pcaps in all; alerts past it get none, with a warning"},
	}
}

// extractConfig reads the flags: nil without --extract.
func extractConfig(c *cli.Context) (*extract.Config, error) {
	if !c.IsSet("extract") {
		for _, f := range []string{"extract-first", "extract-last", "extract-max-bytes"} {
			if c.IsSet(f) {
				return nil, usagef("--%s needs --extract DIR", f)
			}
		}
		return nil, nil
	}
	cfg := extract.Config{Dir: c.String("extract"), First: c.Int("extract-first"), Last: c.Int("extract-last"),
		MaxBytes: c.Int64("extract-max-bytes"), MaxOpen: c.Int("max-open-files")}
	if err := cfg.Validate(); err != nil {
		return nil, usagef("--%s", strings.TrimPrefix(err.Error(), "extract: "))
	}
	return &cfg, nil
}

// checkExtractDir refuses (bad input) an --extract directory inside one
// of the input directories: the next run over that directory would read
// the extracted pcaps as captures.
func checkExtractDir(dir string, paths []string) error {
	out, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || !st.IsDir() {
			continue
		}
		in, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(in, out); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return &inputError{fmt.Errorf("--extract %s: inside the input directory %s, whose next analysis would read the extracted pcaps as captures", dir, p)}
		}
	}
	return nil
}

// extractRun writes the pcaps of one result; files are the result's
// captures, stdin the copy of standard input when "-" is among them.
func extractRun(ctx context.Context, x *extract.Extractor, files []string, stdin io.ReadSeeker, res *analyzer.Result) error {
	if slices.Contains(files, analyzer.StdinPath) {
		if _, err := stdin.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("--extract: reading standard input again: %w", err)
		}
	}
	return x.Run(ctx, files, stdin, res)
}
