//go:build !cgo

package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ipsreplay/ipsreplay/analyzer/live"
)

// runCapture fails in a build without cgo: libpcap is what captures. The
// configuration and outputs are checked first, as a build with cgo checks
// them, so a mistake there is reported the same way in both.
func runCapture(_ context.Context, opts CaptureOptions, _, _ io.Writer) error {
	if _, err := buildConfig(opts.Analyze); err != nil {
		return err
	}
	if err := checkCaptureOutputs(opts); err != nil {
		return err
	}
	return fmt.Errorf("capture on %s: %w", opts.Iface, live.ErrNoLibpcap)
}
