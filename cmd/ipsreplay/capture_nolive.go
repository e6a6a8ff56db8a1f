//go:build !cgo

package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ipsreplay/ipsreplay/analyzer/live"
)

// runCapture fails at once in a build without cgo: libpcap is what
// captures. The flags were still parsed, so a typo is still reported as one.
func runCapture(_ context.Context, opts CaptureOptions, _, _ io.Writer) error {
	return fmt.Errorf("capture on %s: %w", opts.Iface, live.ErrNoLibpcap)
}
