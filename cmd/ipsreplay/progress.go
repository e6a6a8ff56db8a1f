package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal, where a progress bar helps;
// in CI logs and pipes it would only add noise.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress is a progress bar on stderr, made on first use with opts. A nil
// one does nothing, so callers need no checks. Updates are throttled, and
// the description is only built when it is shown: the hot path pays a
// clock read, never a formatted string.
type progress struct {
	w    io.Writer
	opts []progressbar.Option
	bar  *progressbar.ProgressBar
	last time.Time
}

func newProgress(enabled bool, w io.Writer, opts ...progressbar.Option) *progress {
	if !enabled {
		return nil
	}
	return &progress{w: w, opts: opts}
}

// show sets the bar to done of total (-1 when unknown: a spinner) and, when
// describe is not nil, its description.
func (p *progress) show(done, total int64, describe func() string) {
	if p == nil {
		return
	}
	now := time.Now()
	if p.bar != nil && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	if p.bar == nil {
		// The first frame shows the bar empty: its rate is what it counted
		// over the time since it was made, and the first read (64 KiB)
		// made a microsecond ago read as "2.2 TB/s".
		p.bar = progressbar.NewOptions64(total, append([]progressbar.Option{
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionClearOnFinish(),
		}, p.opts...)...)
		_ = p.bar.Set64(0)
		return
	}
	if describe != nil {
		p.bar.Describe(describe())
	}
	_ = p.bar.Set64(done)
}

func (p *progress) finish() {
	if p == nil || p.bar == nil {
		return
	}
	_ = p.bar.Finish()
}
