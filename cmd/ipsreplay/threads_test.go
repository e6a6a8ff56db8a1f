package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// threadArgs puts --threads n in an analyze command line, with the
// lookahead on however few rules are loaded (lookahead_min_rules 0), so
// with more than one thread every packet's rules are worked out ahead.
func threadArgs(args []string, n int) []string {
	out := slices.Clone(args)
	i := slices.Index(out, "analyze")
	return slices.Insert(out, i+1, "--threads", fmt.Sprint(n), "--set", "rules.lookahead_min_rules=0")
}

// sameRun runs args with one thread and with three and fails unless the
// exit code, stdout and stderr are the same.
func sameRun(t *testing.T, name string, args []string) {
	t.Helper()
	var runs [2]result
	for i, n := range []int{1, 3} {
		var stdout, stderr strings.Builder
		code := Main(context.Background(), threadArgs(args, n), strings.NewReader(""), &stdout, &stderr)
		runs[i] = result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	}
	one, three := runs[0], runs[1]
	if one.code != three.code || one.stdout != three.stdout || one.stderr != three.stderr {
		t.Errorf("%s: --threads 3 differs from --threads 1: exit %d vs %d\n%s", name, three.code, one.code,
			firstDifference(one.stdout+one.stderr, three.stdout+three.stderr))
	}
}

// firstDifference shows where two outputs part.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-200)
	return fmt.Sprintf("one thread:    ...%s\nthree threads: ...%s", a[lo:min(len(a), i+200)], b[lo:min(len(b), i+200)])
}

// TestThreadsSameOutputSuricataVerify runs every suricata-verify test (its
// rules, pcap, threshold file and settings: flowbits, thresholds, http,
// tls, pass and drop rules) with one thread and with three: the EVE
// output must be the same byte for byte.
func TestThreadsSameOutputSuricataVerify(t *testing.T) {
	truth := confLoadTruth(t)
	for _, name := range slices.Sorted(maps.Keys(truth.Tests)) {
		dir := filepath.Join(confDir, name)
		args := confThresholdArgs(dir, confArgs(dir, truth.Tests[name]))
		i := slices.Index(args, "json")
		args[i] = "eve"
		sameRun(t, name, args)
	}
}

// TestThreadsSameOutputCaptures runs the bundled and lab captures with the
// default pack and the Emerging Threats Open rules in every report format
// (under -race, some ten times slower, the bundled captures and the two
// pcre-heavy rule files only).
func TestThreadsSameOutputCaptures(t *testing.T) {
	etDir := "../../../shared/rulesets/et-open-2020"
	files, _ := filepath.Glob(filepath.Join(etDir, "*.rules"))
	if len(files) == 0 {
		t.Skipf("needs the ET Open rules ../shared/rulesets/et-open-2020/*.rules, none at %s (the shared test data beside the repository; README.md \"Shared test data\" says what it holds and how to get it)", etDir)
	}
	if raceEnabled {
		keep := files[:0]
		for _, f := range files {
			switch filepath.Base(f) {
			case "emerging-web_client.rules", "emerging-activex.rules": // the pcre-heavy ones
				keep = append(keep, f)
			}
		}
		files = keep
	}
	base := []string{"ipsreplay", "analyze", "--no-progress"}
	for _, f := range files {
		base = append(base, "--rules", f)
	}
	for _, format := range []string{"json", "eve", "table"} {
		args := append(slices.Clone(base), "-f", format, "../../pcaps/")
		if _, err := os.Stat("../../pcaps/lab"); err == nil && !raceEnabled {
			args = append(args, "../../pcaps/lab/")
		}
		sameRun(t, format, args)
	}
}
