package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/report"
)

// Reports on stdout fit $COLUMNS: every line of the report of every
// bundled capture, the lab's too; --wide shows long cells whole.
func TestColumnsFitsEveryBundledCapture(t *testing.T) {
	captures, _ := filepath.Glob(filepath.Join("..", "..", "pcaps", "*.pcap*"))
	lab, _ := filepath.Glob(filepath.Join("..", "..", "pcaps", "lab", "*.pcap*"))
	captures = append(captures, lab...)
	if len(captures) < 10 {
		t.Fatalf("found %d bundled captures", len(captures))
	}
	for _, width := range []int{80, 100} {
		t.Setenv("COLUMNS", strconv.Itoa(width))
		for _, c := range captures {
			r := runArgs(t, "analyze", c)
			if r.code != exitOK && r.code != exitInput {
				t.Fatalf("%s: exit %d: %s", c, r.code, r.stderr)
			}
			for i, l := range strings.Split(r.stdout, "\n") {
				if len(l) > width {
					t.Errorf("COLUMNS=%d %s: line %d has %d characters: %q", width, c, i+1, len(l), l)
				}
			}
		}
	}
	t.Setenv("COLUMNS", "100")
	check := runArgs(t, "check", filepath.Join("..", "..", "pcaps"))
	check.wantCode(t, exitOK)
	for i, l := range strings.Split(check.stdout, "\n") {
		if len(l) > 100 {
			t.Errorf("COLUMNS=100 check: line %d has %d characters: %q", i+1, len(l), l)
		}
	}
	// the signature listing and the what-if comparison are tables too
	for _, args := range [][]string{
		{"signatures", "list"},
		{"analyze", "--compare-exclude", "none", capture("scanner-internal.pcap")},
	} {
		r := runArgs(t, args...)
		r.wantCode(t, exitOK)
		for i, l := range strings.Split(r.stdout, "\n") {
			if len(l) > 100 {
				t.Errorf("COLUMNS=100 %v: line %d has %d characters: %q", args, i+1, len(l), l)
			}
		}
	}
	if r := runArgs(t, "signatures", "list", "--wide"); !strings.Contains(r.stdout, "Attack: Log4j2 JNDI Lookup RCE CVE-2021-44228") {
		t.Errorf("signatures list --wide wrapped a name:\n%s", r.stdout)
	}
	wide := runArgs(t, "analyze", "--wide", capture("bruteforce-success.pcap"))
	wide.wantCode(t, exitOK)
	if !strings.Contains(wide.stdout, "internal host that kept a session after guessing logins: scanners probe, they do not keep a session they broke into; an attacker or a compromised host") {
		t.Errorf("--wide cut or wrapped the reason:\n%s", wide.stdout)
	}
	// JSON is never fitted
	t.Setenv("COLUMNS", "40")
	narrow := runArgs(t, "analyze", "-f", "json", capture("portscan.pcap"))
	t.Setenv("COLUMNS", "")
	whole := runArgs(t, "analyze", "-f", "json", capture("portscan.pcap"))
	if narrow.stdout != whole.stdout {
		t.Error("COLUMNS changed the JSON report")
	}
}

func TestTableWidth(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		name    string
		wide    bool
		columns string
		want    int
	}{
		{"--wide wins", true, "80", report.Wide},
		{"COLUMNS", false, "120", 120},
		{"COLUMNS not a number", false, "wide", 0},
		{"COLUMNS zero", false, "0", 0},
		{"a file has no width", false, "", 0},
	}
	for _, tt := range tests {
		if got := tableWidth(tt.wide, f, tt.columns); got != tt.want {
			t.Errorf("%s: tableWidth = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// The golden reports do not depend on the terminal running the tests.
func TestMain(m *testing.M) {
	os.Unsetenv("COLUMNS")
	os.Exit(m.Run())
}
