package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSideInputCaps: every side input past its cap (--config /dev/zero
// reached GBs, a 1 GB manifest.json was accepted, a 1M-line exclusion
// list took 570 MB) exits 2 with one line naming the file and the cap.
func TestSideInputCaps(t *testing.T) {
	dir := t.TempDir()
	sparse := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, 1<<40); err != nil {
			t.Skipf("no sparse files: %v", err)
		}
		return p
	}
	var many strings.Builder
	for i := range 100_001 {
		fmt.Fprintf(&many, "10.%d.%d.%d\n", i>>16&255, i>>8&255, i&255)
	}
	manyPath := filepath.Join(dir, "many.txt")
	if err := os.WriteFile(manyPath, []byte(many.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	pack := filepath.Join(dir, "pack")
	sparse("pack/manifest.json")
	twoRules := filepath.Join(dir, "two.rules")
	if err := os.WriteFile(twoRules, []byte("alert tcp any any -> any any (msg:\"a\"; sid:1;)\n"+
		"alert tcp any any -> any any (msg:\"b\"; sid:2;)\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		args []string
		want string // the stderr line
	}{
		{"config", []string{"--config", sparse("big.json")}, dir + "/big.json: larger than 1 MiB, the cap for a config file"},
		{"rules", []string{"--rules", sparse("big.rules")}, dir + "/big.rules: larger than 64 MiB, the cap for a rules file"},
		{"pack manifest", []string{"--signatures", pack}, pack + ": manifest.json: larger than 1 MiB, the cap for a pack manifest"},
		{"exclusion list", []string{"--exclude", sparse("big.txt")}, dir + "/big.txt: larger than 16 MiB, the cap for an exclusion list"},
		{"exclusion entries", []string{"--exclude", manyPath}, manyPath + ":100001: more than 100000 entries, the cap for an exclusion list"},
		{"threshold file", []string{"--threshold-file", sparse("threshold.config")}, dir + "/threshold.config: larger than 16 MiB, the cap for a threshold file"},
		{"rules in all", []string{"--set", "rules.max_rules=1", "--no-builtins", "--rules", twoRules},
			twoRules + ":2: more than 1 rules in all signature packs and rule files together, the cap (rules.max_rules)"},
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		tests = append(tests, []struct {
			name string
			args []string
			want string
		}{
			{"config /dev/zero", []string{"--config", "/dev/zero"}, "/dev/zero: larger than 1 MiB, the cap for a config file"},
			{"exclusions /dev/zero", []string{"--exclude", "/dev/zero"}, "/dev/zero:1: line longer than 1 MiB"},
			{"threshold file /dev/zero", []string{"--threshold-file", "/dev/zero"}, "/dev/zero:1: line longer than 1 MiB"},
		}...)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runArgs(t, append(append([]string{"analyze"}, tc.args...), capture("benign.pcap"))...)
			r.wantCode(t, exitInput)
			r.wantNoStdout(t)
			if got := strings.TrimSpace(r.stderr); !strings.Contains(got, tc.want) || strings.Count(got, "\n") > 0 {
				t.Errorf("stderr = %q, want one line with %q", got, tc.want)
			}
		})
	}
}
