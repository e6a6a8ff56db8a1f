package analyzer

import (
	"container/heap"
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
}

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
	e, err := NewEngine(cfg)
	if err != nil {
		return nil, err
	}
	var (
		sources   []*Source
		summaries = make([]FileSummary, len(files))
		errs      []error
		total     int64
	)
	bufSize := readBufferSize
	if len(files) > 64 {
		bufSize = 64 << 10 // many files open at once: keep memory bounded
	}
	for i, path := range files {
		idx := e.AddFile(path)
		s, err := openSource(path, idx, opts.Stdin, bufSize)
		if err != nil {
			summaries[i] = FileSummary{Path: displayPath(path), Error: err.Error()}
			errs = append(errs, err)
			continue
		}
		if path != StdinPath && total >= 0 {
			if st, err := os.Stat(path); err == nil {
				total += st.Size()
			}
		} else {
			total = -1
		}
		sources = append(sources, s)
	}
	defer func() {
		for _, s := range sources {
			s.Close()
		}
	}()

	runErr := feed(ctx, e, sources, total, opts)
	e.Finish()

	var warnings []string
	for _, s := range sources {
		summaries[s.Index] = s.Summary
		if err := s.Err(); err != nil {
			errs = append(errs, err)
			warnings = append(warnings, err.Error()+"; packets before it were analysed")
		}
	}
	if runErr != nil {
		warnings = append(warnings, "stopped early: "+runErr.Error()+"; the report covers what was read")
	}
	res := e.Result(summaries, warnings)
	if len(errs) > 0 {
		return res, errors.Join(runErr, &InputError{Errs: errs})
	}
	return res, runErr
}

// progressEvery is how many packets pass between progress reports and
// context checks.
const progressEvery = 1 << 14

// feed pushes every source's packets into e in timestamp order. With one
// source it is a plain loop; with several, a heap picks the earliest
// packet (ties go to the file given first, so output is deterministic).
func feed(ctx context.Context, e *Engine, sources []*Source, total int64, opts RunOptions) error {
	var n uint64
	progress := opts.Progress
	// packet hands one packet on, after pacing and the tap
	packet := func(s *Source) error {
		if opts.Pacer != nil {
			if err := opts.Pacer.Wait(ctx, s.Time); err != nil {
				return err
			}
		}
		if opts.Tap != nil {
			opts.Tap(s.Time, s.Data)
		}
		e.Packet(s.Link, s.Data, s.Time, s.Info.Length, packet.PacketRef{File: s.Index, Num: s.Num})
		return nil
	}
	report := func() error {
		if progress != nil {
			var done int64
			for _, s := range sources {
				done += s.counter.n
			}
			progress(done, total)
		}
		return ctx.Err()
	}
	if len(sources) == 1 {
		s := sources[0]
		for s.Next() {
			if err := packet(s); err != nil {
				return err
			}
			if n++; n%progressEvery == 0 {
				if err := report(); err != nil {
					return err
				}
			}
		}
		report()
		return nil
	}
	h := make(sourceHeap, 0, len(sources))
	for _, s := range sources {
		if s.Next() {
			h = append(h, s)
		}
	}
	heap.Init(&h)
	for len(h) > 0 {
		s := h[0]
		if err := packet(s); err != nil {
			return err
		}
		if s.Next() {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
		if n++; n%progressEvery == 0 {
			if err := report(); err != nil {
				return err
			}
		}
	}
	report()
	return nil
}

type sourceHeap []*Source

func (h sourceHeap) Len() int { return len(h) }
func (h sourceHeap) Less(i, j int) bool {
	if h[i].Time != h[j].Time {
		return h[i].Time < h[j].Time
	}
	return h[i].Index < h[j].Index
}
func (h sourceHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *sourceHeap) Push(x any)   { *h = append(*h, x.(*Source)) }
func (h *sourceHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	*h = old[:len(old)-1]
	return s
}

// IsInputError reports whether err is (or wraps) an InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
