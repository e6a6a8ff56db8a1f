//go:build !cgo

package main

import (
	"fmt"

	"github.com/ipsreplay/ipsreplay/analyzer/live"
)

// openTransmitter fails in a build without cgo: libpcap is what sends.
func openTransmitter(iface string) (transmitter, error) {
	return nil, fmt.Errorf("send on %s: %w", iface, live.ErrNoLibpcap)
}
