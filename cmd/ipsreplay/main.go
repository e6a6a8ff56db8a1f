// Command ipsreplay runs packet captures through an endpoint-IPS pipeline
// offline and reports what the IPS would have done: signatures fired, hosts
// autoblocked, likely false positives.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
