package analyzer

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"

	"github.com/ipsreplay/ipsreplay/packet"
)

// Progress is told how far a run has got, in bytes of input read, and the
// total when known (-1 otherwise).
type Progress func(done, total int64)

// RunOptions are the inputs of a run besides the pipeline config.
type RunOptions struct {
	Stdin    io.Reader // for "-"; os.Stdin when nil
	Progress Progress
	// Pacer, when set, delays each packet to its capture time (replay);
	// nil analyses as fast as the machine allows.
	Pacer *Pacer
	// Tap, when set, sees each packet just before analysis, after pacing:
	// for transmitting it onto an interface, or showing replay progress.
	Tap func(t int64, data []byte)
	// Filter is a tcpdump filter expression (--bpf): the packets it
	// refuses are left out of the analysis, as tcpdump -r FILE EXPR
	// leaves them out. "" keeps every packet.
	Filter string
	// MaxOpenFiles bounds the capture files open at once while merging;
	// 0 is DefaultMaxOpenFiles, and less than 2 is 2.
	MaxOpenFiles int
}

// DefaultMaxOpenFiles is RunOptions.MaxOpenFiles's default (see
// maxOpenCaptures for the trade-off).
const DefaultMaxOpenFiles = maxOpenCaptures

// InputError is returned when some inputs could not be read completely; the
// Result still covers everything that was read.
type InputError struct {
	Errs []error
}

func (e *InputError) Error() string {
	if len(e.Errs) == 1 {
		return e.Errs[0].Error()
	}
	return e.Errs[0].Error() + " (and " + strconv.Itoa(len(e.Errs)-1) + " more input errors)"
}

// Unwrap exposes each error for errors.Is.
func (e *InputError) Unwrap() []error { return e.Errs }

// Analyze reads the capture files (already expanded with ExpandPaths),
// merges them into one timeline by timestamp and runs them through one
// engine. The result is never nil when err is nil or an *InputError.
func Analyze(ctx context.Context, files []string, cfg Config, opts RunOptions) (*Result, error) {
	n := opts.MaxOpenFiles
	if n == 0 {
		n = maxOpenCaptures
	}
	return analyze(ctx, files, cfg, opts, n, nil)
}

// analyze is Analyze with at most maxOpen files open at once, opened with
// open (openSource when nil): tests count the openings through it.
func analyze(ctx context.Context, files []string, cfg Config, opts RunOptions, maxOpen int,
	open func(ctx context.Context, path string, index uint32, stdin io.Reader, bufSize int) (*Source, error)) (*Result, error) {
	e, err := NewEngine(cfg)
	if err != nil {
		return nil, err
	}
	if open == nil {
		open = openSource
	}
	var (
		errs     []error
		warnings []string
		total    int64
		cut      bool // a source's open or read was interrupted
	)
	files, warnings = dropRepeats(files)
	summaries := make([]FileSummary, len(files))
	bufSize := readBufferSize
	if len(files) > 64 {
		bufSize = 64 << 10 // many files: keep memory bounded
	}
	m := &merger{ctx: ctx, maxOpen: max(maxOpen, 2), openFn: func(path string, index uint32) (*Source, error) {
		return open(ctx, path, index, opts.Stdin, bufSize)
	}}
	if opts.Filter != "" {
		if m.filter, err = newCaptureFilter(opts.Filter); err != nil {
			return nil, err
		}
	}
	for i, path := range files {
		idx := e.AddFile(path)
		var err error
		if st, serr := os.Stat(path); serr == nil && st.IsDir() {
			// ExpandPaths kept a directory it could not search
			err = directoryError(path)
			warnings = append(warnings, err.Error())
		} else {
			err = m.add(path, idx)
		}
		if err != nil {
			summaries[i] = FileSummary{Path: displayPath(path), Error: err.Error()}
			if errors.Is(err, ErrInterrupted) {
				cut = true // the run's error says it
			} else {
				errs = append(errs, err)
			}
			continue
		}
		if path != StdinPath && total >= 0 {
			if st, err := os.Stat(path); err == nil {
				total += st.Size()
			}
		} else {
			total = -1
		}
	}

	runErr := feed(ctx, e, m, total, opts)
	m.finish()
	e.Finish()

	for _, c := range m.all {
		summaries[c.index] = c.sum
		if errors.Is(c.err, ErrInterrupted) {
			cut = true
			continue
		}
		if c.err != nil {
			errs = append(errs, c.err)
			warnings = append(warnings, c.err.Error()+"; packets before it were analysed")
		}
	}
	if runErr == nil && cut {
		// a read the cancellation cut short ended its file early, and
		// the run may have ended before its next check of ctx; a run
		// that read everything before it is whole
		runErr = ctx.Err()
	}
	if runErr != nil {
		warnings = append(warnings, "stopped early: "+runErr.Error()+"; the report covers what was read")
	}
	if f := m.filter; f != nil {
		warnings = append(warnings, f.warnings()...)
	}
	res := e.Result(summaries, warnings)
	if f := m.filter; f != nil {
		res.Summary.Filter, res.Summary.FilteredOut = f.expr, f.out
	}
	if len(errs) > 0 {
		return res, errors.Join(runErr, &InputError{Errs: errs})
	}
	return res, runErr
}

// dropRepeats takes out of files what would be read twice, with a
// warning for each: directories ExpandPaths kept because a symlink led to
// them again (their captures are in files already), and a capture reached
// again under another path, through a link (device and inode tell), whose
// packets would otherwise be counted twice.
func dropRepeats(files []string) ([]string, []string) {
	var warnings []string
	seen := map[fileID]string{}
	out := files[:0:0]
	for _, p := range files {
		st, err := os.Stat(p)
		if p == StdinPath || err != nil {
			out = append(out, p)
			continue
		}
		if st.IsDir() {
			if err := directoryError(p); errors.Is(err, ErrDirectoryListed) {
				warnings = append(warnings, err.Error())
				continue
			}
		} else if id, ok := idOf(p, st); ok && st.Mode().IsRegular() {
			// the same path twice is the user's choice (tests make long
			// runs so), a second path to one file is a link's doing
			if first, dup := seen[id]; dup && first != p {
				warnings = append(warnings, p+": the same file as "+first+" (a link to it); analysed once")
				continue
			}
			seen[id] = p
		}
		out = append(out, p)
	}
	return out, warnings
}

// progressEvery is how many packets pass between progress reports and
// context checks.
const progressEvery = 1 << 14

// feed pushes every file's packets into e in timestamp order (ties go to
// the file given first, so output is deterministic).
func feed(ctx context.Context, e *Engine, m *merger, total int64, opts RunOptions) error {
	var n uint64
	report := func() error {
		if opts.Progress != nil {
			opts.Progress(m.bytesRead(), total)
		}
		return ctx.Err()
	}
	if e.readsAhead(opts) && !m.streaming() {
		return feedAhead(ctx, e, m, newLookahead(e.matcher, e.cfg.Rules.Threads), report)
	}
	for s := m.next(); s != nil; s = m.next() {
		if opts.Pacer != nil {
			if err := opts.Pacer.Wait(ctx, s.Time); err != nil {
				return err
			}
		}
		if opts.Tap != nil {
			opts.Tap(s.Time, s.Data)
		}
		e.Packet(s.Link, s.Data, s.Time, s.Length, packet.PacketRef{File: s.Index, Num: s.Num})
		m.step()
		if n++; n%progressEvery == 0 {
			if err := report(); err != nil {
				return err
			}
		}
	}
	report()
	return nil
}

// IsInputError reports whether err is (or wraps) an InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
