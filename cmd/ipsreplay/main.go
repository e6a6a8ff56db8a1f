// Command ipsreplay runs packet captures through an endpoint-IPS pipeline
// offline and reports what the IPS would have done: signatures fired, hosts
// autoblocked, likely false positives.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
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
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, stop := withInterrupts(context.Background(), sigs, os.Exit, os.Stderr)
	code := Main(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	signal.Stop(sigs)
	os.Exit(code)
}
