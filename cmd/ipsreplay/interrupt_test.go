package main

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// The first signal cancels the run's context; the second exits at once
// with 130 and a line on stderr; after stop, signals do nothing.
func TestWithInterrupts(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	exited := make(chan int, 1)
	var mu sync.Mutex
	var stderr strings.Builder
	w := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return stderr.Write(p)
	})
	ctx, stop := withInterrupts(context.Background(), sigs, func(code int) { exited <- code }, w)
	defer stop()

	sigs <- os.Interrupt
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the first signal did not cancel the context")
	}
	select {
	case code := <-exited:
		t.Fatalf("exited with %d after one signal", code)
	default:
	}
	sigs <- os.Interrupt
	select {
	case code := <-exited:
		if code != 130 {
			t.Errorf("exit code %d, want 130", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second signal did not exit")
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(stderr.String(), "again: exiting at once") {
		t.Errorf("stderr %q", stderr.String())
	}
}

func TestWithInterruptsStop(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	ctx, stop := withInterrupts(context.Background(), sigs, func(code int) { t.Errorf("exit(%d) after stop", code) }, os.Stderr)
	stop()
	if ctx.Err() == nil {
		t.Error("stop did not cancel the context")
	}
	sigs <- os.Interrupt
	sigs <- os.Interrupt
	time.Sleep(10 * time.Millisecond) // nothing may happen; a late exit would fail the test
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
