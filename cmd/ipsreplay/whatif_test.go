package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Exclusion lists for the what-if tests, in testdata so their paths (which
// the report names) are the same on every machine.
const (
	// scannerAttackerList hides the internal scanner and, wrongly, an
	// external attacker.
	scannerAttackerList = "testdata/whatif-scanner-attacker.exclude"
	// scannerList hides the internal scanner only.
	scannerList = "testdata/whatif-scanner.exclude"
	// suggestedList is the scanner and the three guest VMs, the exclusion
	// lines analyze suggests for the corpus.
	suggestedList = "testdata/whatif-suggested.exclude"
	// suppressScansList suppresses port scans for everyone.
	suppressScansList = "testdata/whatif-suppress-portscan.exclude"
)

// jsonWhatIf is the part of the ipsreplay.whatif/v1 document the tests
// look at (docs/whatif.md).
type jsonWhatIf struct {
	Schema string `json:"schema"`
	Files  int    `json:"files"`
	A, B   struct {
		Name         string `json:"name"`
		Alerts       uint64 `json:"alerts"`
		BlockedHosts int    `json:"blocked_hosts"`
		Exclusions   []struct {
			Entry  string `json:"entry"`
			Alerts uint64 `json:"alerts"`
		} `json:"exclusions"`
	}
	Rows []struct {
		Host     string `json:"host"`
		SID      uint32 `json:"sid"`
		AlertsA  uint64 `json:"alerts_a"`
		AlertsB  uint64 `json:"alerts_b"`
		Change   int64  `json:"change"`
		BlockedA bool   `json:"blocked_a"`
		BlockedB bool   `json:"blocked_b"`
	} `json:"rows"`
	Blocks []struct {
		Host    string `json:"host"`
		BlocksA int    `json:"blocks_a"`
		BlocksB int    `json:"blocks_b"`
	} `json:"blocks"`
	Warnings []struct {
		Host     string   `json:"host"`
		HiddenBy string   `json:"hidden_by"`
		SIDs     []uint32 `json:"sids"`
		Block    bool     `json:"block"`
		Reasons  []string `json:"reasons"`
		Message  string   `json:"message"`
	} `json:"warnings"`
}

func decodeWhatIf(t *testing.T, s string) jsonWhatIf {
	t.Helper()
	var w jsonWhatIf
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		t.Fatalf("stdout is not a what-if document: %v\n%s", err, truncate(s, 500))
	}
	if w.Schema != "ipsreplay.whatif/v1" {
		t.Fatalf("schema = %q, want ipsreplay.whatif/v1", w.Schema)
	}
	return w
}

// warned lists "LIST host" for each warning.
func (w jsonWhatIf) warned() []string {
	var out []string
	for _, x := range w.Warnings {
		out = append(out, x.HiddenBy+" "+x.Host)
	}
	return out
}

// TestWhatIfCorpus runs the what-if over all bundled captures together:
// the lists remove the scanner's (and the guest VMs') alerts and block,
// the real attacks keep firing, and only hiding the external attacker is
// warned about.
func TestWhatIfCorpus(t *testing.T) {
	tests := []struct {
		name       string
		args       []string // before the paths
		nameA      string
		nameB      string
		hidden     []string // hosts with rows that go from some alerts to none
		shown      []string // hosts with rows that appear from none
		warned     []string
		unblocked  []string // hosts blocked under A only
		stillFires []string // hosts with the same alerts under both
	}{
		{
			name:  "scanner and external attacker",
			args:  []string{"--compare-exclude", scannerAttackerList},
			nameA: "none", nameB: scannerAttackerList,
			hidden:     []string{"192.168.1.250", "203.0.113.66"},
			warned:     []string{"B 203.0.113.66"},
			unblocked:  []string{"192.168.1.250", "203.0.113.66"},
			stillFires: []string{"192.168.1.66", "198.51.100.23", "203.0.113.77", "203.0.113.88", "2001:db8:66::1"},
		},
		{
			name:  "scanner only",
			args:  []string{"--compare-exclude", scannerList},
			nameA: "none", nameB: scannerList,
			hidden:     []string{"192.168.1.250"},
			unblocked:  []string{"192.168.1.250"},
			stillFires: []string{"192.168.1.66", "198.51.100.23", "203.0.113.66", "203.0.113.77"},
		},
		{
			name:  "suggested list",
			args:  []string{"--compare-exclude", suggestedList},
			nameA: "none", nameB: suggestedList,
			hidden:     []string{"00:0c:29:5e:71:a2", "00:0c:29:c4:19:3b", "00:1c:42:8d:13:6f", "192.168.1.250"},
			unblocked:  []string{"192.168.1.250"},
			stillFires: []string{"192.168.1.66", "203.0.113.66", "(spoofed sources)"},
		},
		{
			name:  "port scans suppressed for everyone",
			args:  []string{"--compare-exclude", suppressScansList},
			nameA: "none", nameB: suppressScansList,
			hidden:     []string{"192.168.1.250", "203.0.113.66", "203.0.113.88", "2001:db8:66::1"},
			warned:     []string{"B 203.0.113.66", "B 203.0.113.88", "B 2001:db8:66::1"},
			unblocked:  []string{"203.0.113.66", "203.0.113.88", "2001:db8:66::1"},
			stillFires: []string{"192.168.1.66", "198.51.100.23", "203.0.113.77"},
		},
		{
			name:  "the other way round: A hides, B is none",
			args:  []string{"--exclude", scannerAttackerList, "--compare-exclude", "none"},
			nameA: scannerAttackerList, nameB: "none",
			shown:      []string{"192.168.1.250", "203.0.113.66"},
			warned:     []string{"A 203.0.113.66"},
			stillFires: []string{"192.168.1.66", "198.51.100.23"},
		},
		{
			name:  "two lists",
			args:  []string{"--exclude", scannerList, "--compare-exclude", scannerAttackerList},
			nameA: scannerList, nameB: scannerAttackerList,
			hidden:     []string{"203.0.113.66"},
			warned:     []string{"B 203.0.113.66"},
			unblocked:  []string{"203.0.113.66"},
			stillFires: []string{"192.168.1.66", "198.51.100.23"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runArgs(t, append(append([]string{"analyze", "-f", "json"}, tt.args...), corpus...)...)
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			w := decodeWhatIf(t, r.stdout)
			if w.A.Name != tt.nameA || w.B.Name != tt.nameB {
				t.Errorf("lists %q and %q, want %q and %q", w.A.Name, w.B.Name, tt.nameA, tt.nameB)
			}
			if w.Files < 10 {
				t.Errorf("files = %d: not the whole corpus", w.Files)
			}
			var hidden, shown, same []string
			for _, row := range w.Rows {
				if row.Change != int64(row.AlertsB)-int64(row.AlertsA) {
					t.Errorf("row %+v: change is not B - A", row)
				}
				switch {
				case row.AlertsA > 0 && row.AlertsB == 0:
					hidden = append(hidden, row.Host)
				case row.AlertsA == 0 && row.AlertsB > 0:
					shown = append(shown, row.Host)
				case row.Change == 0:
					same = append(same, row.Host)
				}
			}
			if got := uniqSorted(hidden); !slices.Equal(got, uniqSorted(tt.hidden)) {
				t.Errorf("hidden by B: %q, want %q", got, uniqSorted(tt.hidden))
			}
			if got := uniqSorted(shown); !slices.Equal(got, uniqSorted(tt.shown)) {
				t.Errorf("shown only by B: %q, want %q", got, uniqSorted(tt.shown))
			}
			for _, h := range tt.stillFires {
				if !slices.Contains(same, h) {
					t.Errorf("%s does not fire the same under both lists", h)
				}
			}
			if got := w.warned(); !slices.Equal(got, tt.warned) {
				t.Errorf("warnings for %q, want %q\n%s", got, tt.warned, warningMessages(w))
			}
			for _, x := range w.Warnings {
				if !strings.Contains(x.Message, "external host") || !slices.Contains(x.SIDs, 9000002) || !x.Block {
					t.Errorf("warning %+v: want the external port scanner and its block", x)
				}
			}
			var unblocked []string
			for _, b := range w.Blocks {
				if b.BlocksA > 0 && b.BlocksB == 0 {
					unblocked = append(unblocked, b.Host)
				}
			}
			if got := uniqSorted(unblocked); !slices.Equal(got, uniqSorted(tt.unblocked)) {
				t.Errorf("unblocked by B: %q, want %q", got, uniqSorted(tt.unblocked))
			}
		})
	}
}

func uniqSorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

func warningMessages(w jsonWhatIf) string {
	var b strings.Builder
	for _, x := range w.Warnings {
		b.WriteString(x.Message + "\n")
	}
	return b.String()
}

func TestWhatIfGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"whatif-scanner-attacker.table.golden", append([]string{"analyze", "--compare-exclude", scannerAttackerList}, corpus...)},
		{"whatif-suggested.table.golden", append([]string{"analyze", "--compare-exclude", suggestedList}, corpus...)},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			r := runArgs(t, tt.args...)
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			golden(t, tt.golden, r.stdout)
		})
	}
}

// TestWhatIfSameList: the same list on both sides changes nothing.
func TestWhatIfSameList(t *testing.T) {
	r := runArgs(t, append([]string{"analyze", "-f", "json", "--exclude", scannerAttackerList, "--compare-exclude", scannerAttackerList}, corpus...)...)
	r.wantCode(t, exitOK)
	w := decodeWhatIf(t, r.stdout)
	for _, row := range w.Rows {
		if row.Change != 0 || row.BlockedA != row.BlockedB {
			t.Errorf("row %+v changed", row)
		}
	}
	if len(w.Warnings) != 0 || w.A.Alerts != w.B.Alerts || w.A.BlockedHosts != w.B.BlockedHosts {
		t.Errorf("A %+v, B %+v, warnings %q", w.A, w.B, warningMessages(w))
	}
}

func TestWhatIfErrors(t *testing.T) {
	bad := writeFile(t, "bad.txt", []byte("192.168.1.250\n# next is wrong\nbogus\n"))
	t.Run("bad B list", func(t *testing.T) {
		r := runArgs(t, "analyze", "--compare-exclude", bad, capture("portscan.pcap"))
		r.wantCode(t, exitInput)
		r.wantNoStdout(t)
		r.wantOneErrorLine(t, bad+":3: ", "bogus")
	})
	t.Run("bad A list", func(t *testing.T) {
		r := runArgs(t, "analyze", "--exclude", bad, "--compare-exclude", "none", capture("portscan.pcap"))
		r.wantCode(t, exitInput)
		r.wantNoStdout(t)
		r.wantOneErrorLine(t, bad+":3: ", "bogus")
	})
	t.Run("missing B list", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "nope.txt")
		r := runArgs(t, "analyze", "--compare-exclude", missing, capture("portscan.pcap"))
		r.wantCode(t, exitInput)
		r.wantNoStdout(t)
		r.wantOneErrorLine(t, missing, "no such file or directory")
	})
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"empty value", []string{"--compare-exclude", ""}, "needs an exclusion file, or none"},
		{"per-file", []string{"--compare-exclude", "none", "--per-file"}, "cannot be used with --per-file"},
		{"eve", []string{"--compare-exclude", "none", "-f", "eve"}, "table or json what-if report, not eve"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runArgs(t, append(append([]string{"analyze"}, tt.args...), capture("portscan.pcap"))...)
			r.wantCode(t, exitInput)
			r.wantNoStdout(t)
			r.wantOneErrorLine(t, "--compare-exclude", tt.want)
		})
	}

	// A truncated capture: the comparison of what both runs read is still
	// written, and the fault is reported once, not once a run.
	t.Run("truncated capture", func(t *testing.T) {
		portscan := readFile(t, capture("portscan.pcap"))
		cut := writeFile(t, "cut.pcap", portscan[:len(portscan)-10])
		r := runArgs(t, "analyze", "-f", "json", "--compare-exclude", scannerAttackerList, cut)
		r.wantCode(t, exitInput)
		r.wantOneErrorLine(t, cut)
		w := decodeWhatIf(t, r.stdout)
		if got := w.warned(); !slices.Equal(got, []string{"B 203.0.113.66"}) {
			t.Errorf("warnings for %q, want the external attacker", got)
		}
	})
}

// TestWhatIfStdin: standard input is read twice, once a run.
func TestWhatIfStdin(t *testing.T) {
	data := readFile(t, capture("portscan.pcap"))
	r := run(t, t.Context(), bytes.NewReader(data), "analyze", "-f", "json", "--compare-exclude", scannerAttackerList, "-")
	r.wantCode(t, exitOK)
	r.wantNoStderr(t)
	w := decodeWhatIf(t, r.stdout)
	if w.A.Alerts == 0 || w.B.Alerts != 0 {
		t.Errorf("alerts A %d, B %d: want some under A and none under B (both runs must read the capture)", w.A.Alerts, w.B.Alerts)
	}
	if got := w.warned(); !slices.Equal(got, []string{"B 203.0.113.66"}) {
		t.Errorf("warnings for %q", got)
	}
}

// TestWhatIfOutputFile: -o writes the comparison to a file.
func TestWhatIfOutputFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "whatif.json")
	r := runArgs(t, "analyze", "-f", "json", "-o", out, "--compare-exclude", scannerList, capture("portscan.pcap"))
	r.wantCode(t, exitOK)
	r.wantNoStdout(t)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	decodeWhatIf(t, string(b))
}

// TestWhatIfCancelled: Ctrl-C during a what-if writes no comparison (the
// two runs would have read different packets) and says so.
func TestWhatIfCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := run(t, ctx, nil, "analyze", "--compare-exclude", scannerAttackerList, pcaps)
	r.wantCode(t, exitInterrupted)
	if r.stdout != "" {
		t.Errorf("a comparison was written after cancel:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "no what-if comparison") || strings.Contains(r.stderr, "the report covers") {
		t.Errorf("stderr %q: want the reason no comparison was written", r.stderr)
	}
}

// TestExcludeNone: "none" means no list for --exclude as for
// --compare-exclude, so A=none, B=none changes nothing and a plain analyze
// with --exclude none equals one without.
func TestExcludeNone(t *testing.T) {
	r := runArgs(t, "analyze", "-f", "json", "--exclude", "none", "--compare-exclude", "none", pcaps)
	r.wantCode(t, exitOK)
	w := decodeWhatIf(t, r.stdout)
	if w.A.Alerts == 0 || w.A.Alerts != w.B.Alerts || len(w.Warnings) != 0 {
		t.Errorf("A %+v, B %+v, warnings %q: want the same, non-empty", w.A, w.B, warningMessages(w))
	}
	with := runArgs(t, "analyze", "-f", "json", "--exclude", "none", capture("portscan.pcap"))
	without := runArgs(t, "analyze", "-f", "json", capture("portscan.pcap"))
	with.wantCode(t, exitOK)
	if with.stdout != without.stdout {
		t.Error("--exclude none changed the report")
	}
}
