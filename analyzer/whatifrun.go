package analyzer

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// WhatIfRuns says how RunWhatIf runs its two analyses.
type WhatIfRuns struct {
	// NameA and NameB name the exclusion lists, as the comparison shows
	// them: a file name, or "none".
	NameA, NameB string
	// Stdin is what "-" reads. Each run reads it from the start, so it
	// must seek: a pipe can be read only once.
	Stdin io.ReadSeeker
	// Progress, when set, makes the progress callback of the run with the
	// list labelled label ("A" or "B"); end is called when that run ends.
	Progress func(label string) (progress Progress, end func())
	// MaxOpenFiles bounds the captures open at once (RunOptions).
	MaxOpenFiles int
}

// RunWhatIf analyses files twice, with a and with b (configs that differ
// in their exclusion lists only), and compares the two results. Both runs
// read the same files and meet the same faults: each input error is
// returned once, in an *InputError beside the comparison. An interrupted
// run gives no comparison at all, since two runs cut at different packets
// would show differences that no exclusion made.
func RunWhatIf(ctx context.Context, files []string, a, b Config, runs WhatIfRuns) (*WhatIf, error) {
	var results [2]*Result
	var inputErrs []error
	seen := map[string]bool{}
	for i, cfg := range []Config{a, b} {
		res, err := runWhatIfSide(ctx, files, cfg, runs, []string{"A", "B"}[i])
		if err != nil && res == nil {
			return nil, err
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("interrupted; no what-if comparison: runs cut at different packets cannot be compared: %w", context.Canceled)
		}
		var ie *InputError
		if errors.As(err, &ie) {
			for _, e := range ie.Errs {
				if !seen[e.Error()] {
					seen[e.Error()] = true
					inputErrs = append(inputErrs, e)
				}
			}
		}
		results[i] = res
	}
	w := CompareExclusions(results[0], results[1], runs.NameA, runs.NameB, a.HomeNet)
	if len(inputErrs) > 0 {
		return &w, &InputError{Errs: inputErrs}
	}
	return &w, nil
}

// runWhatIfSide is one of RunWhatIf's analyses.
func runWhatIfSide(ctx context.Context, files []string, cfg Config, runs WhatIfRuns, label string) (*Result, error) {
	opts := RunOptions{MaxOpenFiles: runs.MaxOpenFiles}
	if runs.Stdin != nil {
		if _, err := runs.Stdin.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("standard input: %w", err)
		}
		opts.Stdin = runs.Stdin
	}
	if runs.Progress != nil {
		var end func()
		opts.Progress, end = runs.Progress(label)
		defer end()
	}
	return Analyze(ctx, files, cfg, opts)
}
