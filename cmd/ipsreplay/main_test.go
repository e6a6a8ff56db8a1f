package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// pcaps is the bundled capture directory as a test passes it on the command
// line: relative, so paths in reports and golden files do not depend on
// where the repository is checked out.
const pcaps = "../../pcaps"

func capture(name string) string { return pcaps + "/" + name }

// corpus is the generated captures at the top of pcaps/ (cmd/pcapgen's),
// sorted, without pcaps/lab/'s real-tool captures: golden files over it
// change when the generator does, not each time `make lab` records anew.
var corpus = func() []string {
	var out []string
	for _, pat := range []string{"*.pcap", "*.pcapng"} {
		m, _ := filepath.Glob(filepath.Join(pcaps, pat))
		out = append(out, m...)
	}
	for i := range out {
		out[i] = filepath.ToSlash(out[i])
	}
	slices.Sort(out)
	return out
}()

// result is what one run of the command produced.
type result struct {
	code           int
	stdout, stderr string
}

// run drives Main as a user would, with injected streams. stdin may be nil.
//
// The tests do not run in parallel: urfave/cli v2 mutates its package-level
// cli.HelpFlag and cli.VersionFlag on every run, so concurrent calls of Main
// race (go test -race reports it).
func run(t *testing.T, ctx context.Context, stdin io.Reader, args ...string) result {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var stdout, stderr bytes.Buffer
	code := Main(ctx, append([]string{"ipsreplay"}, args...), stdin, &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func runArgs(t *testing.T, args ...string) result {
	t.Helper()
	return run(t, context.Background(), nil, args...)
}

// wantCode fails the test unless the run exited with code, showing stderr
// to explain why.
func (r result) wantCode(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstderr:\n%s", r.code, code, r.stderr)
	}
}

func (r result) wantNoStderr(t *testing.T) {
	t.Helper()
	if r.stderr != "" {
		t.Errorf("stderr = %q, want nothing", r.stderr)
	}
}

func (r result) wantNoStdout(t *testing.T) {
	t.Helper()
	if r.stdout != "" {
		t.Errorf("stdout = %q, want nothing", truncate(r.stdout, 300))
	}
}

// wantOneErrorLine checks stderr is exactly one "ipsreplay: ..." line
// containing every one of parts, and returns it.
func (r result) wantOneErrorLine(t *testing.T, parts ...string) string {
	t.Helper()
	line, ok := strings.CutSuffix(r.stderr, "\n")
	if !ok || strings.Contains(line, "\n") {
		t.Errorf("stderr is not exactly one line:\n%s", r.stderr)
	}
	if !strings.HasPrefix(line, "ipsreplay: ") {
		t.Errorf("stderr %q does not start with %q", line, "ipsreplay: ")
	}
	for _, p := range parts {
		if !strings.Contains(line, p) {
			t.Errorf("stderr %q does not contain %q", line, p)
		}
	}
	return line
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// jsonReport is the part of the ipsreplay.report/v2 document the tests
// look at (docs/json-schema.md).
type jsonReport struct {
	Schema  string `json:"schema"`
	Summary struct {
		Files      int    `json:"files"`
		Packets    uint64 `json:"packets"`
		Autoblock  string `json:"autoblock"`
		Exclusions []struct {
			Entry  string `json:"entry"`
			Where  string `json:"where"`
			Kind   string `json:"kind"`
			Alerts uint64 `json:"alerts"`
		} `json:"exclusions"`
	} `json:"summary"`
	Files []struct {
		Path      string `json:"path"`
		Format    string `json:"format"`
		Packets   uint64 `json:"packets"`
		Error     string `json:"error"`
		Truncated bool   `json:"truncated"`
	} `json:"files"`
	Signatures []jsonSignature `json:"signatures"`
	Alerts     []struct {
		SID         uint32 `json:"sid"`
		Attacker    string `json:"attacker"`
		Spoofed     bool   `json:"spoofed"`
		Blocked     bool   `json:"blocked"`
		FirstPacket struct {
			File   string `json:"file"`
			Packet uint64 `json:"packet"`
		} `json:"first_packet"`
	} `json:"alerts"`
	Blocks []struct {
		Host         string   `json:"host"`
		TotalBlocked string   `json:"total_blocked"`
		SIDs         []uint32 `json:"sids"`
	} `json:"blocks"`
	FalsePositives []struct {
		Host    string `json:"host"`
		Verdict string `json:"verdict"`
	} `json:"false_positives"`
	Warnings []string `json:"warnings"`
}

type jsonSignature struct {
	SID       uint32   `json:"sid"`
	Name      string   `json:"name"`
	Count     uint64   `json:"count"`
	Attackers []string `json:"attackers"`
	Victims   []string `json:"victims"`
}

func decodeReport(t *testing.T, s string) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("stdout is not a JSON report: %v\n%s", err, truncate(s, 500))
	}
	if r.Schema != "ipsreplay.report/v2" {
		t.Fatalf("schema = %q, want ipsreplay.report/v2", r.Schema)
	}
	return r
}

func decodeReports(t *testing.T, s string) []jsonReport {
	t.Helper()
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		t.Fatalf("stdout is not a JSON array of reports: %v\n%s", err, truncate(s, 500))
	}
	out := make([]jsonReport, len(raw))
	for i, m := range raw {
		out[i] = decodeReport(t, string(m))
	}
	return out
}

func (r jsonReport) sids() []uint32 {
	var out []uint32
	for _, s := range r.Signatures {
		out = append(out, s.SID)
	}
	slices.Sort(out)
	return out
}

func (r jsonReport) blockedHosts() []string {
	var out []string
	for _, b := range r.Blocks {
		out = append(out, b.Host)
	}
	slices.Sort(out)
	return out
}

func (r jsonReport) filePaths() []string {
	var out []string
	for _, f := range r.Files {
		out = append(out, f.Path)
	}
	return out
}

// writeFile writes content to name in a fresh temporary directory and
// returns its path.
func writeFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/ipsreplay -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test ./cmd/ipsreplay -update if the change is intended)\n%s",
			path, firstDiff(string(want), got))
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + w + "\n  got: " + g
		}
	}
	return "(no line differs)"
}

func TestUsageErrors(t *testing.T) {
	good := capture("benign.pcap")
	tests := []struct {
		name string
		args []string
		want []string // substrings of the one stderr line
	}{
		{"analyze without paths", []string{"analyze"}, []string{"analyze needs at least one capture file"}},
		{"analyze only flags", []string{"analyze", "--format", "json"}, []string{"analyze needs at least one capture file"}},
		{"unknown analyze flag", []string{"analyze", "--bogus", good}, []string{"unknown flag --bogus"}},
		{"unknown global flag", []string{"--bogus"}, []string{"unknown flag --bogus"}},
		{"mistyped flag", []string{"analyze", "--formt", "json", good}, []string{"unknown flag --formt (did you mean --format?)"}},
		{"mistyped flag after the paths", []string{"analyze", good, "--autoblokc", "1m"}, []string{"unknown flag --autoblokc (did you mean --autoblock?)"}},
		{"mistyped command", []string{"anlyze", good}, []string{`unknown command "anlyze" (did you mean analyze?)`}},
		{"duration without unit", []string{"analyze", "--autoblock", "10", good}, []string{`--autoblock "10": a duration needs a unit: did you mean 10m or 10s?`}},
		{"flag after the paths is parsed", []string{"analyze", good, "-f", "yaml"}, []string{"--format", `"yaml"`}},
		{"format yaml", []string{"analyze", "--format", "yaml", good}, []string{"--format", `"yaml"`, "table, json, eve or html"}},
		{"format yaml short flag", []string{"analyze", "-f", "yaml", good}, []string{"--format", `"yaml"`}},
		{"unknown command", []string{"frob"}, []string{`unknown command "frob" (commands: analyze, `}},
		{"unknown command with args", []string{"frob", good}, []string{`unknown command "frob"`}},
		{"set unknown section", []string{"analyze", "--set", "foo.bar=1", good}, []string{"--set foo.bar", `unknown key "foo"`, "syn_flood"}},
		{"set unknown key", []string{"analyze", "--set", "syn_flood.bogus=1", good}, []string{`unknown key "bogus"`, "threshold"}},
		{"set without value", []string{"analyze", "--set", "syn_flood.threshold", good}, []string{"want section.key=value"}},
		{"set a section", []string{"analyze", "--set", "syn_flood=1", good}, []string{"is a section"}},
		{"set bad type", []string{"analyze", "--set", "syn_flood.threshold=abc", good}, []string{"syn_flood.threshold=abc", "whole number"}},
		{"set out of range", []string{"analyze", "--set", "syn_flood.threshold=0", good}, []string{"syn_flood.threshold=0", "out of range"}},
		{"set bad duration", []string{"analyze", "--set", "port_scan.vertical_window=abc", good}, []string{"port_scan.vertical_window=abc"}},
		{"negative autoblock", []string{"analyze", "--autoblock", "-1m", good}, []string{"--autoblock", "must be 0 (off) or positive"}},
		{"unparsable autoblock", []string{"analyze", "--autoblock", "xyz", good}, []string{"autoblock", `"xyz"`}},
		{"stdin twice", []string{"analyze", "-", "-"}, []string{"standard input can only be given once"}},
		{"config with arguments", []string{"config", "extra"}, []string{"config takes no arguments"}},
		{"config unknown flag", []string{"config", "--bogus"}, []string{"unknown flag --bogus"}},
		{"config set unknown key", []string{"config", "--set", "flows.bogus=1"}, []string{`unknown key "bogus"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runArgs(t, tt.args...)
			r.wantCode(t, exitInput)
			r.wantNoStdout(t)
			r.wantOneErrorLine(t, tt.want...)
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
		bug  string // non-empty: known bug, skip when it fails
	}{
		{name: "no arguments", want: []string{"USAGE", "analyze", "config"}},
		{name: "--help", args: []string{"--help"}, want: []string{"USAGE", "analyze"}},
		{name: "analyze --help", args: []string{"analyze", "--help"}, want: []string{"--format", "--per-file", "--autoblock", "--exclude", "--set"}},
		{name: "--version", args: []string{"--version"}, want: []string{"ipsreplay version ", "\ngo: go1.", "\ndefault signature pack: default "}},
		// Every usage error ends "(see ipsreplay help)", so that must work.
		{
			name: "help", args: []string{"help"}, want: []string{"USAGE", "analyze", "config"},
		},
		{
			name: "help analyze", args: []string{"help", "analyze"}, want: []string{"--format", "--per-file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runArgs(t, tt.args...)
			if tt.bug != "" && (r.code != exitOK || !strings.Contains(r.stdout, tt.want[0])) {
				t.Skipf("BUG: %s (exit %d, stdout %q, stderr %q)", tt.bug, r.code, r.stdout, r.stderr)
			}
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout does not contain %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

func TestConfigPrintsDefaults(t *testing.T) {
	r := runArgs(t, "config")
	r.wantCode(t, exitOK)
	r.wantNoStderr(t)
	var cfg map[string]map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &cfg); err != nil {
		t.Fatalf("config output is not a JSON object of sections: %v\n%s", err, r.stdout)
	}
	for _, s := range []string{"syn_flood", "port_scan", "arp_poisoning", "brute_force", "flows"} {
		if len(cfg[s]) == 0 {
			t.Errorf("config output has no section %q", s)
		}
	}
	if got := cfg["port_scan"]["vertical_threshold"]; got != 15.0 {
		t.Errorf("port_scan.vertical_threshold = %v, want the default 15", got)
	}
	if !strings.HasSuffix(r.stdout, "}\n") {
		t.Errorf("config output does not end in one newline")
	}

	// Written to a file and passed back, it is accepted unchanged.
	file := writeFile(t, "ipsreplay.json", []byte(r.stdout))
	again := runArgs(t, "config", "--config", file)
	again.wantCode(t, exitOK)
	again.wantNoStderr(t)
	if again.stdout != r.stdout {
		t.Errorf("config --config <its own output> differs from the defaults:\n%s", firstDiff(r.stdout, again.stdout))
	}
	a := runArgs(t, "analyze", "--format", "json", "--config", file, capture("portscan.pcap"))
	a.wantCode(t, exitOK)
	a.wantNoStderr(t)
	if got := decodeReport(t, a.stdout).sids(); !slices.Equal(got, []uint32{9000002}) {
		t.Errorf("analyze --config <defaults>: signatures %v, want [9000002]", got)
	}
}

// TestConfigChangesDetection checks --config and --set reach the detectors:
// scan-part1+part2 probe 22 ports, over the default vertical threshold of 15
// but not over 25.
func TestConfigChangesDetection(t *testing.T) {
	setOut := runArgs(t, "config", "--set", "port_scan.vertical_threshold=25")
	setOut.wantCode(t, exitOK)
	setOut.wantNoStderr(t)
	var cfg map[string]map[string]any
	if err := json.Unmarshal([]byte(setOut.stdout), &cfg); err != nil {
		t.Fatal(err)
	}
	if got := cfg["port_scan"]["vertical_threshold"]; got != 25.0 {
		t.Fatalf("config --set: vertical_threshold = %v, want 25", got)
	}
	file := writeFile(t, "high.json", []byte(setOut.stdout))
	parts := []string{capture("scan-part1.pcap"), capture("scan-part2.pcap")}

	tests := []struct {
		name  string
		flags []string
		want  []uint32
	}{
		{"defaults", nil, []uint32{9000002}},
		{"--set raises threshold", []string{"--set", "port_scan.vertical_threshold=25"}, nil},
		{"--config raises threshold", []string{"--config", file}, nil},
		{"--set overrides --config", []string{"--config", file, "--set", "port_scan.vertical_threshold=15"}, []uint32{9000002}},
		{"last --set wins", []string{"--set", "port_scan.vertical_threshold=25", "--set", "port_scan.vertical_threshold=20"}, []uint32{9000002}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"analyze", "-f", "json"}, tt.flags...), parts...)
			r := runArgs(t, args...)
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			if got := decodeReport(t, r.stdout).sids(); !slices.Equal(got, tt.want) {
				t.Errorf("signatures %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBadConfigFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []string // in the stderr line besides the file name
		bug     string   // non-empty: known bug, skip when it fails
	}{
		{
			name:    "syntax error",
			content: "{\n  \"syn_flood\": {\n    \"threshold\": 1,,\n  }\n}\n",
			want:    []string{"line 3 col 20", "invalid character"},
		},
		{
			name:    "wrong type",
			content: "{\n  \"syn_flood\": {\n    \"threshold\": \"x\"\n  }\n}\n",
			want:    []string{"line 3 col 21", "threshold"},
		},
		{
			name:    "not an object",
			content: "[1, 2]\n",
			want:    []string{"line 1 col"},
		},
		{
			name:    "value out of range",
			content: "{\"syn_flood\": {\"threshold\": 0}}\n",
			want:    []string{"threshold", "out of range"},
		},
		{
			name:    "bad duration",
			content: "{\"port_scan\": {\"vertical_window\": \"abc\"}}\n",
			want:    []string{`"abc"`},
		},
		{
			name:    "unknown key",
			content: "{\n  \"syn_flood\": {\n    \"bogus\": 1\n  }\n}\n",
			want:    []string{`unknown field "bogus"`, "line 3"},
		},
		{
			name:    "cut short",
			content: "{\n  \"syn_flood\": {\n    \"threshold\": 500\n",
			want:    []string{"line 4"},
		},
		{
			name:    "trailing data",
			content: "{\"syn_flood\": {\"threshold\": 500}}\n{\"syn_flood\": {\"threshold\": \"x\"}}\n",
			want:    []string{"line 2"},
		},
	}
	for _, tt := range tests {
		for _, cmd := range [][]string{{"config"}, {"analyze", capture("benign.pcap")}} {
			t.Run(tt.name+"/"+cmd[0], func(t *testing.T) {
				file := writeFile(t, "bad.json", []byte(tt.content))
				args := append([]string{cmd[0], "--config", file}, cmd[1:]...)
				r := runArgs(t, args...)
				if tt.bug != "" && (r.code != exitInput || !strings.Contains(r.stderr, tt.want[len(tt.want)-1])) {
					t.Skipf("BUG: %s (exit %d, stderr %q)", tt.bug, r.code, r.stderr)
				}
				r.wantCode(t, exitInput)
				r.wantNoStdout(t)
				r.wantOneErrorLine(t, append([]string{file + ": "}, tt.want...)...)
			})
		}
	}

	t.Run("missing file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "nope.json")
		r := runArgs(t, "analyze", "--config", file, capture("benign.pcap"))
		r.wantCode(t, exitInput)
		r.wantNoStdout(t)
		r.wantOneErrorLine(t, file, "no such file or directory")
	})
}
