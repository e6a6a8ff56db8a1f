//go:build !cgo

package main

import (
	"strings"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// compileFilter refuses a filter in a build without cgo: expressions are
// compiled by libpcap, so that they mean exactly what they mean to
// tcpdump, and there is no compiler of them in pure Go here.
func compileFilter(expr string, _ func(string)) (analyzer.PacketFilter, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, nil
	}
	return nil, usagef("--bpf %q: this build has no filter compiler (built with CGO_ENABLED=0; filters are compiled by libpcap: rebuild with cgo and libpcap-dev)", expr)
}
