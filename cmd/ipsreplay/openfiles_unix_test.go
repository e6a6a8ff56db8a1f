//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// --max-open-files bounds the captures held open at once: 40 captures
// overlapping in time, under a limit of 24 descriptors (ulimit -n, which
// the Go runtime cannot raise past the hard limit the shell sets too),
// fail to open with the default bound of 64 and are all read with 4.
func TestMaxOpenFilesFlag(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh for ulimit")
	}
	data, err := os.ReadFile(capture("bruteforce-ftp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i := range 40 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("c%02d.pcap", i)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := buildBinary(t)
	tests := []struct {
		name   string
		flags  string
		code   int
		stderr string
	}{
		{"default", "", exitInput, "too many open files"},
		{"analyze 4", "--max-open-files 4", exitOK, ""},
		{"replay 4", "--max-open-files 4", exitOK, ""},
		{"what-if 4", "--max-open-files 4 --compare-exclude none", exitOK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			command := "analyze"
			if strings.HasPrefix(tc.name, "replay") {
				command = "replay --speed max --format table --no-progress"
			}
			cmd := exec.Command("sh", "-c", fmt.Sprintf(`ulimit -n 24 && exec "$0" %s %s "$1"`, command, tc.flags), bin, dir)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != tc.code {
				t.Fatalf("exit code %d, want %d\nstderr:\n%s", code, tc.code, truncate(stderr.String(), 2000))
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr does not contain %q:\n%s", tc.stderr, truncate(stderr.String(), 2000))
			}
		})
	}
}

// A bound under 2 is a usage error, before anything is read.
func TestMaxOpenFilesFlagInvalid(t *testing.T) {
	for _, n := range []string{"0", "-1", "1"} {
		for _, command := range [][]string{{"analyze"}, {"replay", "--speed", "max"}, {"exclusions", "suggest"}} {
			t.Run(command[0]+" "+n, func(t *testing.T) {
				r := runArgs(t, append(command, "--max-open-files", n, capture("portscan.pcap"))...)
				r.wantCode(t, exitInput)
				r.wantNoStdout(t)
				r.wantOneErrorLine(t, "--max-open-files "+n, "2 or more")
			})
		}
	}
}
