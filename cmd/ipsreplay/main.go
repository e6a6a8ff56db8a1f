// Command ipsreplay runs packet captures through an endpoint-IPS pipeline
// offline and reports what the IPS would have done: signatures fired, hosts
// autoblocked, likely false positives.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
)

// memoryLimit is the Go heap's soft limit unless GOMEMLIMIT says otherwise.
// Every state table is capped (about 120 MB live when all are full, as in a
// spoofed SYN flood); with the default GOGC the heap could double that
// before collecting. The limit makes the collector work harder instead, so
// peak RSS stays under 256 MB.
const memoryLimit = 192 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	stopProfile := startCPUProfile(os.Getenv(cpuProfileEnv))
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, stop := withInterrupts(context.Background(), sigs, os.Exit, os.Stderr)
	code := Main(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	signal.Stop(sigs)
	stopProfile()
	os.Exit(code)
}

// cpuProfileEnv names a file for a CPU profile of the whole run, for
// developers (`make profile`) rather than a flag every command would show.
const cpuProfileEnv = "IPSREPLAY_CPUPROFILE"

// startCPUProfile profiles the run into path ("" for none) and returns
// what ends it. A profile that cannot start is a warning: the run goes on.
func startCPUProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		if err = pprof.StartCPUProfile(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ipsreplay: warning: %s: no CPU profile: %v\n", cpuProfileEnv, err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
