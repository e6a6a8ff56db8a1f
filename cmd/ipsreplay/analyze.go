package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ipsreplay/ipsreplay/pcapfilter"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/extract"
	"github.com/ipsreplay/ipsreplay/internal/safefile"
	"github.com/ipsreplay/ipsreplay/report"
)

// AnalyzeOptions is everything `ipsreplay analyze` was asked to do.
type AnalyzeOptions struct {
	Paths       []string
	Format      report.Format
	Output      string // "" or "-" for stdout
	PerFile     bool
	Autoblock   time.Duration
	SimulateIPS bool // --simulate-ips
	ExcludeFile string
	// ThresholdFile is --threshold-file, Suricata's threshold.config.
	ThresholdFile string
	ConfigFile    string
	Sets          []string
	HomeNet       string // --home-net; "" for network.home_net (by default analyzer.DefaultHomeNet)
	Progress      bool   // show a progress bar on stderr
	Stdin         io.Reader
	Signatures    SignatureOptions
	Stderr        io.Writer // for warnings while setting up; nil for none
	MaxOpenFiles  int       // --max-open-files; 0 for the default
	Threads       int       // --threads; 0 or 1 for one
	BPF           string    // --bpf or a trailing expression: a tcpdump filter, "" for every packet
	// Width is what tables on stdout are fitted to (see tableWidth); a
	// table written to a file is fitted only for --wide (report.Wide).
	Width int

	// CompareExclude, when set, is a second exclusion list (or noList):
	// the captures are analysed with each list and the what-if comparison
	// is written instead of the report.
	CompareExclude string

	// Extract is --extract and its bounds; nil without it.
	Extract *extract.Config
}

func analyzeCommand(stdin io.Reader) *cli.Command {
	return &cli.Command{
		Name:      "analyze",
		Usage:     "analyse captures in batch and report signatures, blocks and false positives",
		ArgsUsage: "PATH... [FILTER]  (pcap/pcapng files, .gz, directories, or - for stdin; then a tcpdump filter, as --bpf)",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "report format: table, json, eve (Suricata EVE JSON lines) or html (one self-contained page)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` instead of stdout"},
			&cli.BoolFlag{Name: "per-file", Usage: "analyse each file on its own instead of one merged timeline"},
			&cli.BoolFlag{Name: "no-progress", Usage: "never show the progress bar"},
			&cli.StringFlag{Name: "compare-exclude", Usage: "what-if: also analyse with the exclusion `FILE` (or none) and report what it changes against --exclude, instead of the report"},
			maxOpenFilesFlag(),
			readFlag(),
		}, append(append(eveFlags(), analysisFlags()...), append(extractFlags(), bpfFlag())...)...),
		Action: func(c *cli.Context) error {
			format, err := report.ParseFormat(c.String("format"))
			if err != nil {
				return usagef("--format: %v", err)
			}
			paths, filter, err := captureInput(c)
			if err != nil {
				return err
			}
			if len(paths) == 0 {
				return usagef("analyze needs at least one capture file, directory or -")
			}
			opts := analysisOptions(c)
			sets, err := eveSets(c)
			if err != nil {
				return err
			}
			opts.Sets = append(opts.Sets, sets...)
			opts.BPF = filter
			opts.Paths, opts.Format, opts.Output = paths, format, c.String("output")
			opts.PerFile, opts.Stdin = c.Bool("per-file"), stdin
			opts.Progress = !c.Bool("no-progress") && isTerminal(c.App.ErrWriter)
			if opts.Autoblock < 0 {
				return usagef("--autoblock %s: must be 0 (off) or positive", opts.Autoblock)
			}
			if opts.Extract, err = extractConfig(c); err != nil {
				return err
			}
			if c.IsSet("compare-exclude") {
				if opts.Extract != nil {
					return usagef("--compare-exclude writes a comparison, which names no alert's packets; it cannot be used with --extract")
				}
				if opts.CompareExclude = c.String("compare-exclude"); opts.CompareExclude == "" {
					return usagef("--compare-exclude needs an exclusion file, or %s for no list", noList)
				}
				if opts.PerFile {
					return usagef("--compare-exclude compares one merged timeline; it cannot be used with --per-file")
				}
				if !format.Renders(report.WhatIf) {
					return usagef("--compare-exclude writes a table or json what-if report, not %s", format)
				}
			}
			return runAnalyze(c.Context, opts, c.App.Writer, c.App.ErrWriter)
		},
	}
}

// readFlag is -r FILE, the tcpdump, Suricata and Zeek way of naming a
// capture, for the commands that take capture paths.
func readFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "read", Aliases: []string{"r"}, Usage: "read the capture `FILE` (as tcpdump -r); the same as naming it as a path; repeatable"}
}

// captureInput reads a command's captures and filter: --bpf, or, as
// tcpdump -r f 'expr' takes it, an expression after the paths (quoted or
// not). A bad expression is a usage error naming it.
func captureInput(c *cli.Context) ([]string, string, error) {
	paths, expr := capturePaths(c), c.String("bpf")
	if rest, trailing := trailingFilter(paths); trailing != "" {
		if expr != "" {
			return nil, "", usagef("a filter in --bpf and another after the paths (%q): give one", trailing)
		}
		if err := pcapfilter.Check(trailing); err != nil {
			return nil, "", usagef("%v", err)
		}
		paths, expr = rest, trailing
	}
	return paths, expr, nil
}

// trailingFilter splits a tcpdump-style expression off the end of paths:
// the arguments after the last one that exists, when the first of them
// starts with a word a filter starts with (pcap-filter(7)'s primitives
// and qualifiers). Anything else is left to be reported as a missing file.
func trailingFilter(paths []string) ([]string, string) {
	i := len(paths)
	for i > 0 && paths[i-1] != analyzer.StdinPath && !isFile(paths[i-1]) {
		i--
	}
	if i == 0 || i == len(paths) || !startsFilter(paths[i]) {
		return paths, ""
	}
	return paths[:i], strings.Join(paths[i:], " ")
}

// startsFilter reports whether arg begins as a filter expression does.
func startsFilter(arg string) bool {
	word, _, _ := strings.Cut(strings.TrimLeft(arg, "(! "), " ")
	word, _, _ = strings.Cut(word, "[")
	switch word {
	case "host", "net", "port", "portrange", "src", "dst", "ether", "ip", "ip6", "arp", "rarp",
		"tcp", "udp", "icmp", "icmp6", "sctp", "vlan", "mpls", "proto", "not", "less", "greater",
		"broadcast", "multicast", "gateway", "inbound", "outbound":
		return true
	}
	return false
}

// capturePaths are the captures a command was given: -r's, then the
// paths.
func capturePaths(c *cli.Context) []string {
	return append(c.StringSlice("read"), c.Args().Slice()...)
}

// buildConfig turns options into the analyzer's config, reading the
// exclusion list and parameter files.
func buildConfig(opts AnalyzeOptions) (analyzer.Config, error) {
	cfg := analyzer.DefaultSettings()
	t, err := loadTunables(opts.ConfigFile, opts.Sets, opts.HomeNet)
	if err != nil {
		return cfg, err
	}
	t.Apply(&cfg)
	cfg.Autoblock, cfg.SimulateIPS = opts.Autoblock, opts.SimulateIPS
	cfg.Rules.Threads = opts.Threads
	opts.Signatures.MaxRules, opts.Signatures.Threads = cfg.Rules.MaxRules, opts.Threads
	set, err := loadSignatures(opts.Signatures, cfg.HomeNet, opts.Stderr)
	if err != nil {
		return cfg, err
	}
	cfg.Signatures, cfg.NoBuiltins = set, opts.Signatures.NoBuiltins
	if opts.ThresholdFile != "" {
		if cfg.Rules.ThresholdFile, err = loadThresholdFile(opts.ThresholdFile, opts.Signatures, cfg.HomeNet, set.Rules, opts.Stderr); err != nil {
			return cfg, err
		}
	}
	// "none" is no list, as for --compare-exclude, so scripts can loop
	// over lists including the empty one
	if opts.ExcludeFile != "" && opts.ExcludeFile != noList {
		if cfg.Exclusions, err = analyzer.LoadExclusions(opts.ExcludeFile); err != nil {
			return cfg, &inputError{err}
		}
	}
	return cfg, nil
}

// captureFiles expands the command's paths; finding no capture, or a path
// that is missing or cannot be opened, is bad input reported before any
// analysis, so no report of nothing is printed. (A capture that turns out
// bad while it is read still gets the report of what was read.)
func captureFiles(paths []string) ([]string, error) {
	files, err := analyzer.ExpandPaths(paths)
	if err != nil {
		return nil, &inputError{err}
	}
	var unreadable []error
	for _, f := range files {
		if err := checkReadable(f); err != nil {
			unreadable = append(unreadable, err)
		}
	}
	if len(unreadable) > 0 {
		return nil, &analyzer.InputError{Errs: unreadable}
	}
	if len(files) == 0 {
		return nil, &inputError{fmt.Errorf("no capture files (.pcap, .pcapng, .cap, .dmp, each also .gz or .zst) under %v", paths)}
	}
	return files, nil
}

// checkReadable says why path cannot be read, in the words the analysis
// would use ("x.pcap: no such file or directory"). A regular file is
// opened and closed; anything else (a FIFO, a device, a directory that
// could not be listed) is only looked at, since opening a FIFO would wait
// for its writer.
func checkReadable(path string) error {
	if path == analyzer.StdinPath {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	if st.IsDir() { // ExpandPaths keeps a directory it could not list
		if _, err := os.ReadDir(path); err != nil {
			return fmt.Errorf("%s: %w", path, unwrapPath(err))
		}
		return nil
	}
	if !st.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	return f.Close()
}

// unwrapPath drops the operation and path of an *fs.PathError, which the
// callers name themselves.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// analyzeFiles runs one batch analysis with a progress bar on stderr.
func analyzeFiles(ctx context.Context, files []string, cfg analyzer.Config, opts AnalyzeOptions,
	stderr io.Writer, what string) (*analyzer.Result, error) {
	show, end := progressBar(opts.Progress, stderr, what)
	defer end()
	return analyzer.Analyze(ctx, files, cfg, analyzer.RunOptions{Stdin: opts.Stdin, Progress: show, MaxOpenFiles: opts.MaxOpenFiles, Filter: opts.BPF})
}

// progressBar makes the progress bar of a batch analysis described as
// what, and the function that ends it.
func progressBar(enabled bool, stderr io.Writer, what string) (analyzer.Progress, func()) {
	bar := newProgress(enabled, stderr, progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true), progressbar.OptionSetWidth(30))
	return func(done, total int64) { bar.show(done, total, nil) }, bar.finish
}

func runAnalyze(ctx context.Context, opts AnalyzeOptions, stdout, stderr io.Writer) error {
	if opts.CompareExclude != "" {
		return runWhatIf(ctx, opts, stdout, stderr)
	}
	cfg, err := buildConfig(opts)
	if err != nil {
		return err
	}
	files, err := captureFiles(opts.Paths)
	if err != nil {
		return err
	}
	if err := checkOutput(opts.Output, files, opts); err != nil {
		return err
	}
	var x *extract.Extractor
	var stdinCopy io.ReadSeeker
	if opts.Extract != nil {
		if err := checkExtractDir(opts.Extract.Dir, opts.Paths); err != nil {
			return err
		}
		if x, err = extract.New(*opts.Extract); err != nil {
			return err
		}
		// the extraction reads the captures again, standard input too
		var cleanup func()
		if stdinCopy, cleanup, err = rereadableStdin(files, opts.Stdin); err != nil {
			return err
		}
		defer cleanup()
		if _, err := stdinCopy.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("standard input: %w", err)
		}
		opts.Stdin = stdinCopy
	}
	groups := [][]string{files}
	if opts.PerFile {
		groups = groups[:0]
		for _, f := range files {
			groups = append(groups, []string{f})
		}
	}
	var inputErrs []error
	interrupted := false
	// analyzeAll runs each group, handing each result to done; a streamed
	// format has already written the group's events through cfg.OnEvent.
	analyzeAll := func(cfg analyzer.Config, done func(*analyzer.Result) error) error {
		for i, g := range groups {
			res, err := analyzeFiles(ctx, g, cfg, opts, stderr, "analysing")
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
			if x != nil && !interrupted {
				if err := extractRun(ctx, x, g, stdinCopy, res); err != nil {
					if ctx.Err() == nil {
						return err
					}
					// the report is still written, naming no pcap
					interrupted = true
					res.Warnings = append(res.Warnings, "--extract: stopped before the pcaps were written")
				}
			}
			if err := done(res); err != nil {
				return err
			}
			if ctx.Err() != nil && i < len(groups)-1 {
				interrupted = true // the files not reached are left out
				break
			}
		}
		return nil
	}
	var err2 error
	// with --extract the report waits for the pcaps, which it names
	if opts.Format.Streamed() && x == nil {
		err2 = writeStreamed(opts.Output, stdout, func(w io.Writer) error {
			eve := report.NewEVEStream(w, cfg.SignatureCategory)
			eve.SetOptions(eveOptions(cfg.EVE))
			cfg.OnEvent = eve.Event
			if cfg.EVE.Has("flow") {
				cfg.OnFlow = eve.Flow
			}
			return analyzeAll(cfg, eve.Finish)
		})
	} else {
		var results []*analyzer.Result
		if err2 = analyzeAll(cfg, func(r *analyzer.Result) error { results = append(results, r); return nil }); err2 == nil {
			err2 = writeReports(opts, results, stdout)
		}
	}
	if err2 != nil {
		return err2
	}
	if interrupted {
		for _, e := range inputErrs {
			errorLine(stderr, "%v", e)
		}
		return context.Canceled
	}
	if len(inputErrs) > 0 {
		return &analyzer.InputError{Errs: inputErrs}
	}
	return nil
}

// writeStreamed runs fill, which writes a streamed report as the analysis
// goes, into the file output names (a temporary file renamed once fill
// succeeds, so a failed run leaves no half report) or, for "" and "-",
// into stdout through a buffer.
func writeStreamed(output string, stdout io.Writer, fill func(io.Writer) error) error {
	if output != "" && output != "-" {
		var fillErr error // the analysis' own error, kept as it is
		err := safefile.WriteFunc(output, 0o644, func(w io.Writer) error {
			bw := bufio.NewWriterSize(w, 64<<10)
			if fillErr = fill(bw); fillErr != nil {
				return fillErr
			}
			return bw.Flush()
		})
		if fillErr != nil {
			return fillErr
		}
		if err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
		return nil
	}
	bw := bufio.NewWriterSize(stdout, 64<<10)
	err := fill(bw)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

// writeReports renders into memory first so a failed render never leaves a
// half-written output file.
func writeReports(opts AnalyzeOptions, results []*analyzer.Result, stdout io.Writer) error {
	var buf bytes.Buffer
	width := opts.reportWidth()
	if opts.PerFile {
		if err := report.WriteEachWidth(&buf, results, opts.Format, width); err != nil {
			return err
		}
	} else if err := report.WriteWidth(&buf, results[0], opts.Format, width); err != nil {
		return err
	}
	return writeOutput(opts.Output, buf.Bytes(), stdout)
}

// reportWidth is the width the report's tables are fitted to: a file
// named by -o has no terminal, so it gets whole tables or, unless --wide,
// the usual caps on long cells.
func (opts AnalyzeOptions) reportWidth() int {
	if opts.Output != "" && opts.Output != "-" && opts.Width != report.Wide {
		return 0
	}
	return opts.Width
}

// writeOutput writes a rendered report to stdout, or to the file output
// names ("" or "-" for stdout). doc is whole, so a failed render never
// leaves a half-written file.
func writeOutput(output string, doc []byte, stdout io.Writer) error {
	if output == "" || output == "-" {
		_, err := stdout.Write(doc)
		return err
	}
	if err := safefile.Write(output, doc, 0o644); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

// checkOutput refuses (bad input, exit 2) an output file that is one of
// the run's inputs: the captures, found in directories too, and the side
// files; and (exit 1, as writing it would) a read-only one. It runs
// before the analysis, so nothing is read in vain.
func checkOutput(output string, files []string, opts AnalyzeOptions) error {
	if output == "" || output == "-" {
		return nil
	}
	inputs := append(slices.Clone(files), opts.ExcludeFile, opts.CompareExclude, opts.ThresholdFile, opts.ConfigFile)
	inputs = append(inputs, opts.Signatures.RuleFiles...)
	if err := safefile.CheckOutput(output, inputs); err != nil {
		return &inputError{err}
	}
	if err := safefile.CheckWritable(output); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

// noList is the --compare-exclude value for no exclusion list at all.
const noList = "none"

// runWhatIf analyses the captures with the --exclude list (A) and the
// --compare-exclude list (B) and writes their comparison. Input errors are
// reported as analyze reports them, once each.
func runWhatIf(ctx context.Context, opts AnalyzeOptions, stdout, stderr io.Writer) error {
	cfgA, err := buildConfig(opts)
	if err != nil {
		return err
	}
	// B differs from A in its list only; building it with buildConfig would
	// load the signature packs again and repeat their warnings.
	cfgB := cfgA
	cfgB.Exclusions = nil
	if opts.CompareExclude != noList {
		if cfgB.Exclusions, err = analyzer.LoadExclusions(opts.CompareExclude); err != nil {
			return &inputError{err}
		}
	}
	files, err := captureFiles(opts.Paths)
	if err != nil {
		return err
	}
	if err := checkOutput(opts.Output, files, opts); err != nil {
		return err
	}
	stdin, cleanup, err := rereadableStdin(files, opts.Stdin)
	if err != nil {
		return err
	}
	defer cleanup()
	nameA := opts.ExcludeFile
	if nameA == "" {
		nameA = noList
	}
	w, runErr := analyzer.RunWhatIf(ctx, files, cfgA, cfgB, analyzer.WhatIfRuns{
		NameA: nameA, NameB: opts.CompareExclude, Stdin: stdin, MaxOpenFiles: opts.MaxOpenFiles,
		Progress: func(label string) (analyzer.Progress, func()) {
			return progressBar(opts.Progress, stderr, "analysing ("+label+")")
		},
	})
	if w == nil {
		return runErr
	}
	var buf bytes.Buffer
	if err := report.WriteWhatIfWidth(&buf, w, opts.Format, opts.reportWidth()); err != nil {
		return err
	}
	if err := writeOutput(opts.Output, buf.Bytes(), stdout); err != nil {
		return err
	}
	return runErr
}

// rereadableStdin returns what the analyses should read "-" from: standard
// input copied to a temporary file when it is among files, since a what-if
// reads the captures twice and a pipe can be read once. Without "-" it is
// an empty reader nobody reads.
func rereadableStdin(files []string, stdin io.Reader) (io.ReadSeeker, func(), error) {
	if !slices.Contains(files, analyzer.StdinPath) {
		return bytes.NewReader(nil), func() {}, nil
	}
	if stdin == nil {
		stdin = os.Stdin
	}
	f, err := os.CreateTemp("", "ipsreplay-stdin-*.pcap")
	if err != nil {
		return nil, nil, fmt.Errorf("standard input: keeping a copy to read twice: %w", err)
	}
	cleanup := func() {
		f.Close()
		os.Remove(f.Name())
	}
	if _, err := io.Copy(f, stdin); err != nil {
		cleanup()
		return nil, nil, &inputError{fmt.Errorf("standard input: %w", err)}
	}
	return f, cleanup, nil
}
