package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// File names found in a directory are the capture's author's choice: one
// holding a terminal escape or a newline reaches stderr escaped, as one
// line, never raw.
func TestFileNamesEscapedOnStderr(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"escape sequence", "evil\x1b]0;owned\x07.pcap", `evil\x1b]0;owned\a.pcap`},
		{"newline", "two\nipsreplay: forged.pcap", `two\nipsreplay: forged.pcap`},
		{"bidi override", "x\u202egnp.pcap", `x\u202egnp.pcap`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte("not a capture at all"), 0o644); err != nil {
				t.Skipf("this file system refuses the name: %v", err)
			}
			r := runArgs(t, "analyze", "--format", "json", dir)
			r.wantCode(t, exitInput)
			r.wantOneErrorLine(t, tt.want, "not a pcap or pcapng capture")
			if strings.ContainsAny(r.stderr, "\x1b\x07\u202e") {
				t.Errorf("raw control characters on stderr: %q", r.stderr)
			}
		})
	}
}
