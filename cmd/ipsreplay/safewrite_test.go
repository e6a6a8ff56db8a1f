package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputIsInputRefused: -o (or --junit) naming one of the inputs is
// bad input (exit 2, one line naming it), checked before anything is
// written, and the input is left as it was, whatever path reaches it.
func TestOutputIsInputRefused(t *testing.T) {
	dir := copyCorpus(t, "portscan.pcap", "portscan"+expectSuffix)
	pcap := filepath.Join(dir, "portscan.pcap")
	link := filepath.Join(dir, "link.pcap")
	if err := os.Symlink("portscan.pcap", link); err != nil {
		t.Skip(err)
	}
	exclude := put(t, dir, "hosts.txt", "10.9.9.9\n")
	before := readFile(t, pcap)
	tests := []struct {
		name string
		args []string
		out  string // the path the error names
	}{
		{"analyze -o the capture", []string{"analyze", "-o", pcap, pcap}, pcap},
		{"analyze -o a symlink to it", []string{"analyze", "-o", link, pcap}, link},
		{"analyze -o a file inside an input directory", []string{"analyze", "-f", "json", "-o", pcap, dir}, pcap},
		{"analyze -o the exclusion list", []string{"analyze", "--exclude", exclude, "-o", exclude, pcap}, exclude},
		{"replay -o the capture", []string{"replay", "--speed", "max", "-o", pcap, pcap}, pcap},
		{"suggest -o the capture", []string{"exclusions", "suggest", "-o", pcap, pcap}, pcap},
		{"check --junit the capture", []string{"check", "--junit", pcap, dir}, pcap},
		{"check --junit the expectation", []string{"check", "--junit", filepath.Join(dir, "portscan"+expectSuffix), dir},
			filepath.Join(dir, "portscan"+expectSuffix)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runArgs(t, tt.args...)
			r.wantCode(t, exitInput)
			r.wantOneErrorLine(t, tt.out+": ", "is also an input")
			if !bytes.Equal(readFile(t, pcap), before) {
				t.Fatal("the capture was changed")
			}
		})
	}
	if got := readFile(t, exclude); string(got) != "10.9.9.9\n" {
		t.Fatalf("exclusion list changed: %q", got)
	}
}

// TestOutputKeepsModeAndRefusesReadOnly: a report rewritten keeps the old
// file's mode; a read-only one is an error, not replaced.
func TestOutputKeepsModeAndRefusesReadOnly(t *testing.T) {
	dir := t.TempDir()
	out := put(t, dir, "report.json", "old")
	if err := os.Chmod(out, 0o640); err != nil {
		t.Fatal(err)
	}
	runArgs(t, "analyze", "-f", "json", "-o", out, capture("portscan.pcap")).wantCode(t, exitOK)
	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o640 {
		t.Fatalf("mode after rewrite %v (%v), want 0640", st.Mode().Perm(), err)
	}
	decodeReport(t, string(readFile(t, out)))

	if err := os.Chmod(out, 0o444); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, out)
	r := runArgs(t, "analyze", "-f", "json", "-o", out, capture("portscan.pcap"))
	r.wantCode(t, exitError)
	r.wantOneErrorLine(t, out, "read-only")
	if !bytes.Equal(readFile(t, out), before) {
		t.Fatal("read-only report replaced")
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// TestCheckUpdateReadOnlyExpectation: --update never rewrites an
// expectation made read-only: the case is an error naming it (exit 2)
// and the file and its mode are unchanged.
func TestCheckUpdateReadOnlyExpectation(t *testing.T) {
	dir := copyCorpus(t, "portscan.pcap")
	stale := put(t, dir, "portscan"+expectSuffix, `{"signatures": [], "blocked": []}`)
	if err := os.Chmod(stale, 0o444); err != nil {
		t.Fatal(err)
	}
	r := runArgs(t, "check", "--update", dir)
	r.wantCode(t, exitInput)
	if !strings.Contains(r.stdout+r.stderr, stale+": update: file is read-only") {
		t.Fatalf("no error naming %s:\nstdout:\n%s\nstderr:\n%s", stale, r.stdout, r.stderr)
	}
	if got := readFile(t, stale); string(got) != `{"signatures": [], "blocked": []}` {
		t.Fatalf("read-only expectation rewritten: %s", got)
	}
	if st, _ := os.Stat(stale); st.Mode().Perm() != 0o444 {
		t.Fatalf("mode %v, want 0444", st.Mode().Perm())
	}

	// writable with a group bit: updated, mode kept
	if err := os.Chmod(stale, 0o664); err != nil {
		t.Fatal(err)
	}
	runArgs(t, "check", "--update", dir).wantCode(t, exitOK)
	if st, _ := os.Stat(stale); st.Mode().Perm() != 0o664 {
		t.Fatalf("mode after update %v, want 0664", st.Mode().Perm())
	}
}

// TestOutputsCheckedBeforeTheRun: capture's --write and -o, and replay's
// -o, naming an input (or each other) or a read-only file are refused
// before anything is captured or replayed (capture never reaches the
// interface, so no privileges are needed), and the file is left as it was.
func TestOutputsCheckedBeforeTheRun(t *testing.T) {
	dir := t.TempDir()
	exclude := put(t, dir, "hosts.txt", "10.9.9.9\n")
	readOnly := put(t, dir, "old.pcap", "keep")
	if err := os.Chmod(readOnly, 0o444); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "new.pcap") // exists for no case
	tests := []struct {
		name  string
		args  []string
		code  int
		parts []string
	}{
		{"capture --write read-only", []string{"capture", "-i", "lo", "--write", readOnly}, exitError,
			[]string{"--write " + readOnly + ": ", "read-only"}},
		{"capture --write the exclusion list", []string{"capture", "-i", "lo", "--exclude", exclude, "--write", exclude}, exitInput,
			[]string{"--write " + exclude + ": ", "is also an input"}},
		{"capture --write the same as -o", []string{"capture", "-i", "lo", "-o", fresh, "--write", fresh}, exitInput,
			[]string{"--write " + fresh + ": ", "is also an input"}},
		{"capture -o read-only", []string{"capture", "-i", "lo", "-o", readOnly}, exitError,
			[]string{readOnly + ": ", "read-only"}},
		{"capture -o the exclusion list", []string{"capture", "-i", "lo", "--exclude", exclude, "-o", exclude}, exitInput,
			[]string{exclude + ": ", "is also an input"}},
		{"replay -o read-only", []string{"replay", "--speed", "max", "-o", readOnly, capture("portscan.pcap")}, exitError,
			[]string{readOnly + ": ", "read-only"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runArgs(t, tt.args...)
			r.wantCode(t, tt.code)
			r.wantOneErrorLine(t, tt.parts...)
			r.wantNoStdout(t) // nothing replayed or captured first
			if got := readFile(t, readOnly); string(got) != "keep" {
				t.Fatalf("read-only file changed: %q", got)
			}
			if got := readFile(t, exclude); string(got) != "10.9.9.9\n" {
				t.Fatalf("exclusion list changed: %q", got)
			}
			if _, err := os.Stat(fresh); err == nil {
				t.Fatal("the output file was created")
			}
		})
	}
}
