package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/internal/termsafe"
)

// Exit codes, documented in the README.
const (
	exitOK          = 0
	exitError       = 1   // the run failed (e.g. the report could not be written)
	exitInput       = 2   // bad flags or bad input: unreadable, truncated, unsupported
	exitInterrupted = 130 // stopped by Ctrl-C/SIGTERM; the report covers what was read
)

// usageError marks a command-line mistake.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// inputError marks bad input files (exclusion lists, configs, captures)
// detected before or during a run whose report was still written.
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// exitCode maps an error from a command to the process exit code and prints
// it on stderr, one line per error.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	var ie *inputError
	var ae *analyzer.InputError
	switch {
	case errors.Is(err, context.Canceled):
		if err == context.Canceled {
			fmt.Fprintln(stderr, "ipsreplay: interrupted; the report covers the packets read before it")
		} else { // a command that wrote no report says why
			errorLine(stderr, "%v", err)
		}
		return exitInterrupted
	case errors.As(err, &ae):
		for _, e := range ae.Errs {
			errorLine(stderr, "%v", e)
		}
		return exitInput
	case errors.As(err, &ue):
		errorLine(stderr, "%v (see ipsreplay help)", ue)
		return exitInput
	case errors.As(err, &ie):
		errorLine(stderr, "%v", ie)
		return exitInput
	}
	errorLine(stderr, "%v", err)
	return exitError
}

// errorLine prints one "ipsreplay: ..." line on stderr with its text made
// safe for a terminal (termsafe.Escape): messages carry file names, found
// in directories as well as typed, and text from packs and rule files.
func errorLine(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "ipsreplay: %s\n", termsafe.Escape(fmt.Sprintf(format, args...)))
}

// afterReport is the error a command returns once its report of what was
// read is written: an interruption (its input errors printed first, as
// exitCode prints only its own line for it), the input errors, or err.
func afterReport(err error, stderr io.Writer) error {
	var ie *analyzer.InputError
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		if errors.As(err, &ie) {
			for _, e := range ie.Errs {
				errorLine(stderr, "%v", e)
			}
		}
		return context.Canceled
	case errors.As(err, &ie):
		return ie
	}
	return err
}
