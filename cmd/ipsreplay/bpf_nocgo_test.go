//go:build !cgo

package main

import "testing"

// Without cgo there is no filter compiler: --bpf says so, and nothing runs.
func TestBPFWithoutCgo(t *testing.T) {
	r := runArgs(t, "analyze", "--bpf", "tcp", capture("portscan.pcap"))
	r.wantCode(t, exitInput)
	r.wantNoStdout(t)
	r.wantOneErrorLine(t, `--bpf "tcp": this build has no filter compiler (built with CGO_ENABLED=0`)
}
