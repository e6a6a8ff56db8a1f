package main

import (
	"context"
	"io"
	"os"
)

// withInterrupts returns a context cancelled by the first signal on sigs
// (SIGINT, SIGTERM), so the run stops reading and reports what it
// analysed. A second signal calls exit(130) at once, with a line on
// stderr: a long render or a read that does not return is no reason to
// make someone who pressed Ctrl-C twice wait (signal.NotifyContext would
// swallow every signal after the first). stop ends the watch.
func withInterrupts(parent context.Context, sigs <-chan os.Signal, exit func(int), stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	done := make(chan struct{})
	stopped := func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	}
	go func() {
		// a signal that races stop (both ready at once) must not win:
		// select picks at random, so stop is checked after each signal
		select {
		case <-sigs:
			if stopped() {
				return
			}
			cancel()
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			if stopped() {
				return
			}
			errorLine(stderr, "%v again: exiting at once, without a report", s)
			exit(130)
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		cancel()
	}
}
