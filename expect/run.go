package expect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/internal/safefile"
	"github.com/ipsreplay/ipsreplay/signatures"
)

// Case is the outcome of one expectation file.
type Case struct {
	Path     string   // the expectation file
	Captures []string // what was analysed
	Expected string   // Summary of the expectation
	Got      string   // Summary of what was found
	Diffs    []Diff   // empty when it passes
	Err      error    // the case could not be run
	Updated  bool     // --update rewrote the file
	Elapsed  time.Duration
}

// Passed reports a case that ran and matched.
func (c *Case) Passed() bool { return c.Err == nil && len(c.Diffs) == 0 }

// Name is the case's name for tables and JUnit: the expectation file
// without its suffix.
func (c *Case) Name() string { return strings.TrimSuffix(c.Path, Suffix) }

// Report is the outcome of a check run.
type Report struct {
	Cases []Case
	// Start is when the run began (JUnit's timestamp); Base is the
	// directory JUnit names expectation files relative to (the working
	// directory), "" for none.
	Start time.Time
	Base  string
}

// Counts returns passed, failed, errored and updated cases. An updated
// case is not a failure: its expectation now says what was found.
func (r *Report) Counts() (passed, failed, errored, updated int) {
	for i := range r.Cases {
		switch c := &r.Cases[i]; {
		case c.Err != nil:
			errored++
		case c.Updated:
			updated++
		case len(c.Diffs) > 0:
			failed++
		default:
			passed++
		}
	}
	return
}

// Find turns paths into expectation files: directories are searched for
// *.expect.json, expectation files are taken as given, and a capture stands
// for the expectation beside it (an error when there is none). With create
// (check --update), captures without an expectation get one named for them,
// so a new capture is added to the corpus by running check --update on it.
func Find(paths []string, create bool) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		switch {
		case st.IsDir():
			var found []string
			err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.Type().IsRegular() {
					return nil
				}
				if strings.HasSuffix(d.Name(), Suffix) {
					found = append(found, path)
				} else if create && isCapture(d.Name()) && !fileExists(expectationFor(path)) {
					found = append(found, expectationFor(path))
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			sort.Strings(found)
			out = append(out, found...)
			out = dedupe(out)
		case strings.HasSuffix(p, Suffix):
			out = append(out, p)
		default:
			e := expectationFor(p)
			if !create && !fileExists(e) {
				return nil, fmt.Errorf("%s: no expectation file %s (write one with check --update)", p, e)
			}
			out = append(out, e)
		}
	}
	return dedupe(out), nil
}

// dedupe drops repeats, keeping first places: x.pcap and x.pcapng both
// stand for x.expect.json, which must run once.
func dedupe(paths []string) []string {
	seen := map[string]bool{}
	out := paths[:0]
	for _, p := range paths {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func isCapture(name string) bool {
	for _, ext := range []string{".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// expectationFor names the expectation file of a capture.
func expectationFor(capture string) string {
	base := capture
	for _, ext := range []string{".gz", ".pcapng", ".pcap", ".cap"} {
		base = strings.TrimSuffix(base, ext)
	}
	return base + Suffix
}

// RunOptions is how a check run analyses each case.
type RunOptions struct {
	// Config is the analysis config every case starts from (detector
	// parameters from --config/--set included).
	Config analyzer.Config
	// Update rewrites each expectation whose findings changed.
	Update bool
	// Signatures loads the signature set again with $HOME_NET set to a
	// case's home network (options.home_net, or network.home_net in
	// options.set) when it differs from Config's; nil makes such a case
	// an error.
	Signatures func(analyzer.HomeNet) (*signatures.Set, error)
	// Jobs is how many cases run at once (each on its own goroutine);
	// 0 or 1 runs them in turn. Signatures must then be safe to call
	// from several goroutines.
	Jobs int
	// Filter is a tcpdump filter expression (--bpf) every case's
	// captures are read through; "" reads every packet.
	Filter string
}

// Run checks each expectation file, opts.Jobs at a time, and reports the
// cases in the order of files. It stops early only when ctx is cancelled;
// the cases run so far are in the report.
func Run(ctx context.Context, files []string, opts RunOptions) (*Report, error) {
	start := time.Now()
	cases := make([]Case, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(max(opts.Jobs, 1), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				start := time.Now()
				cases[i] = runCase(ctx, files[i], opts)
				cases[i].Elapsed = time.Since(start)
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	rep := &Report{Start: start}
	for i := range cases {
		if cases[i].Path != "" { // run; an interrupted case shows with its error
			rep.Cases = append(rep.Cases, cases[i])
		}
	}
	return rep, ctx.Err()
}

// Shard returns the index-th of n slices of files (1-based): every n-th
// file from the index-th, so each slice gets a share of every directory.
// The n slices together are files, each file in one.
func Shard(files []string, index, n int) []string {
	var out []string
	for i := index - 1; i < len(files); i += n {
		out = append(out, files[i])
	}
	return out
}

func runCase(ctx context.Context, path string, opts RunOptions) Case {
	c := Case{Path: path}
	f, err := Load(path)
	created := false
	switch {
	case err != nil && opts.Update && errors.Is(err, fs.ErrNotExist):
		f = &File{Signatures: []Signature{}} // a new capture: write its first expectation
		created = true
	case err != nil:
		c.Err = err
		return c
	}
	c.Expected = Summary(f)
	c.Captures = f.CapturePaths(path)
	cfg, err := caseConfig(path, f, opts)
	if err != nil {
		c.Err = err
		return c
	}
	res, err := analyzer.Analyze(ctx, c.Captures, cfg, analyzer.RunOptions{Filter: opts.Filter})
	if err != nil {
		// an unreadable capture is an error of the case, not a mismatch
		c.Err = err
		return c
	}
	got := FromResult(f, res)
	c.Got = Summary(got)
	c.Diffs = Compare(f, res)
	if opts.Update && (len(c.Diffs) > 0 || created) {
		if err := writeFile(path, got.Marshal()); err != nil {
			c.Err = fmt.Errorf("%s: update: %w", path, err)
			return c
		}
		c.Updated = true
	}
	return c
}

// caseConfig applies an expectation's options on top of the run's config.
func caseConfig(path string, f *File, opts RunOptions) (analyzer.Config, error) {
	cfg := opts.Config
	if f.Options == nil {
		return cfg, nil
	}
	o := f.Options
	if len(o.Set) > 0 {
		t := analyzer.TunablesOf(cfg)
		for _, s := range o.Set {
			if err := t.Set(s); err != nil {
				return cfg, fmt.Errorf("%s: options.set: %w", path, err)
			}
		}
		t.Apply(&cfg)
	}
	if o.HomeNet != "" {
		h, err := analyzer.ParseHomeNet(o.HomeNet)
		if err != nil {
			return cfg, fmt.Errorf("%s: options.home_net: %w", path, err)
		}
		cfg.HomeNet = h
	}
	// $HOME_NET is compiled into the rules: another home network needs
	// the signatures loaded again.
	if !cfg.HomeNet.Equal(opts.Config.HomeNet) {
		if opts.Signatures == nil {
			return cfg, fmt.Errorf("%s: options: this check run cannot change the home network per case", path)
		}
		set, err := opts.Signatures(cfg.HomeNet)
		if err != nil {
			return cfg, fmt.Errorf("%s: options.home_net %s: %w", path, cfg.HomeNet, err)
		}
		cfg.Signatures = set
	}
	if o.Autoblock != "" {
		d, err := time.ParseDuration(o.Autoblock)
		if o.Autoblock == "0" {
			d, err = 0, nil
		}
		if err != nil || d < 0 {
			return cfg, fmt.Errorf("%s: options.autoblock %q: want a duration like \"10m\" or \"0\"", path, o.Autoblock)
		}
		cfg.Autoblock = d
	}
	if o.Exclude != "" {
		ex, err := analyzer.LoadExclusions(filepath.Join(filepath.Dir(path), o.Exclude))
		if err != nil {
			return cfg, fmt.Errorf("%s: options.exclude: %w", path, err)
		}
		cfg.Exclusions = ex
	}
	return cfg, nil
}

// writeFile replaces path whole (safefile), so an interrupted update never
// leaves half an expectation, and one made read-only is refused, not
// rewritten. Unchanged content is not written at all.
func writeFile(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := safefile.Write(path, data, 0o644); err != nil {
		// safefile names path, which the caller names already
		if inner := errors.Unwrap(err); inner != nil {
			return inner
		}
		return err
	}
	return nil
}
