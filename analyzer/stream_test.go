package analyzer

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A read that waits on standard input (here a pipe nobody writes to, or
// one that sent a header and stalled) ends when the run is cancelled: the
// run stops with the context's error, and the wait is no input error.
func TestAnalyzeCancelEndsStalledStdin(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "pcaps", "bruteforce-ftp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		first []byte // written before the writer stalls
	}{
		{"nothing", nil},
		{"header", data[:24]},
		{"capture", data},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, w := io.Pipe()
			defer w.Close()
			go w.Write(tc.first)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			res, err := Analyze(ctx, []string{StdinPath}, cfg, RunOptions{Stdin: r})
			if took := time.Since(start); took > 5*time.Second {
				t.Fatalf("took %v", took)
			}
			if !errors.Is(err, context.DeadlineExceeded) || IsInputError(err) {
				t.Fatalf("err = %v, want the context's error alone", err)
			}
			if res == nil {
				t.Fatal("no result")
			}
		})
	}
}

// A directory where a capture is expected says so, not "file is empty".
func TestOpenSourceDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := OpenSource(dir, 0, nil)
	if err == nil || !strings.Contains(err.Error(), "is a directory") || strings.Contains(err.Error(), "empty") {
		t.Fatalf("err = %v, want it to say it is a directory", err)
	}
}
