//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds the command for tests that need a process of its own
// (signals), once per test.
func buildBinary(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the binary with")
	}
	bin := filepath.Join(t.TempDir(), "ipsreplay")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// A capture read from a FIFO or a pipe whose writer stalls (or never
// comes) must not make the run deaf to signals: the first SIGINT or
// SIGTERM ends it at once, with the report of what was read and exit 130.
func TestSignalEndsStalledRead(t *testing.T) {
	data, err := os.ReadFile(capture("bruteforce-ftp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	whole := runArgs(t, "analyze", "--format", "json", capture("bruteforce-ftp.pcap"))
	whole.wantCode(t, 0)
	want := decodeReport(t, whole.stdout).Summary.Packets
	bin := buildBinary(t)

	tests := []struct {
		name   string
		args   []string // the FIFO's path is appended, or - for stdin
		stdin  bool     // the capture comes on a pipe to standard input
		writer bool     // false: nobody opens the FIFO for writing
		sig    syscall.Signal
	}{
		{"analyze/fifo/SIGINT", []string{"analyze", "--format", "json"}, false, true, syscall.SIGINT},
		{"analyze/fifo/SIGTERM", []string{"analyze", "--format", "json"}, false, true, syscall.SIGTERM},
		{"analyze/fifo-no-writer/SIGINT", []string{"analyze", "--format", "json"}, false, false, syscall.SIGINT},
		{"analyze/stdin/SIGINT", []string{"analyze", "--format", "json"}, true, true, syscall.SIGINT},
		{"replay/fifo/SIGINT", []string{"replay", "--speed", "max", "--format", "json", "--no-progress"}, false, true, syscall.SIGINT},
		{"replay/fifo-no-writer/SIGTERM", []string{"replay", "--speed", "max", "--format", "json", "--no-progress"}, false, false, syscall.SIGTERM},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "stalled.pcap")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			cmd := exec.Command(bin, tc.args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			var w *os.File
			if tc.stdin {
				r, pw, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				cmd.Stdin, w = r, pw
				cmd.Args = append(cmd.Args, "-")
			} else {
				cmd.Args = append(cmd.Args, fifo)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if tc.writer && !tc.stdin {
				// blocks until the command opens its end
				if w, err = os.OpenFile(fifo, os.O_WRONLY, 0); err != nil {
					t.Fatal(err)
				}
			}
			if w != nil {
				defer w.Close() // open until the end: the writer stalls
				if _, err := w.Write(data); err != nil {
					t.Fatal(err)
				}
				waitDrained(t, w)
			} else {
				waitInOpen(t, cmd.Process.Pid)
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 5s after %v\nstderr:\n%s", tc.sig, stderr.String())
			}
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
				t.Fatalf("exit code %d, want %d\nstderr:\n%s", code, exitInterrupted, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr does not say the run was interrupted:\n%s", stderr.String())
			}
			var rep jsonReport
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatalf("no JSON report: %v\n%s\nstderr:\n%s", err, truncate(stdout.String(), 300), stderr.String())
			}
			wantPackets := uint64(0)
			if tc.writer {
				wantPackets = want
			}
			if rep.Summary.Packets != wantPackets {
				t.Errorf("report covers %d packets, want %d", rep.Summary.Packets, wantPackets)
			}
			if !strings.Contains(strings.Join(rep.Warnings, "\n"), "stopped early") {
				t.Errorf("the report's warnings do not say it stopped early: %q", rep.Warnings)
			}
			for _, f := range rep.Files {
				if f.Truncated {
					t.Errorf("%s marked truncated: an interruption is not the capture's fault", f.Path)
				}
			}
		})
	}
}

// waitDrained waits until the reader took everything written on w, so the
// signal comes while the command waits for more.
func waitDrained(t *testing.T, w *os.File) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		n, ok := unreadBytes(w)
		if !ok {
			time.Sleep(500 * time.Millisecond) // no way to ask: give it time
			return
		}
		if n == 0 {
			time.Sleep(50 * time.Millisecond) // from read(2) to the next one
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the command did not read the capture within 5s")
}

// waitInOpen waits until process pid is in open(2) of the FIFO, past
// signal.Notify: a signal before it would kill the process outright.
func waitInOpen(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		waiting, ok := waitingForWriter(pid)
		if !ok {
			time.Sleep(time.Second) // no way to ask: give it time
			return
		}
		if waiting {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the command did not open the FIFO within 5s")
}
