package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

func suggestResult() *analyzer.Result {
	return &analyzer.Result{
		Files:   []analyzer.FileSummary{{Path: "day1.pcap", Packets: 1234567}, {Path: "cut.pcap", Packets: 10, Truncated: true}},
		Summary: analyzer.Summary{Packets: 1234577, FirstTime: at("09:00:00"), LastTime: at("10:00:00.5")},
		FalsePositives: []analyzer.FalsePositive{
			{Host: analyzer.MustParseHost("10.0.0.50"), Verdict: analyzer.VerdictScanner, Confidence: analyzer.ConfidenceHigh,
				Reason: "scanner\x1b[2J", Evidence: []string{"swept"}, Alerts: 2, SIDs: []uint32{9000002, 9000004},
				Exclusion: "10.0.0.50 # internal scanner: 2 alerts"},
			{Host: analyzer.MustParseHost("192.168.56.101"), MAC: testMAC("08:00:27:4e:aa:01"), Verdict: analyzer.VerdictGuestVM,
				Confidence: analyzer.ConfidenceMedium, Reason: "guest", Alerts: 1, SIDs: []uint32{9000003}},
			{Host: analyzer.MustParseHost("08:00:27:4e:aa:01"), MAC: testMAC("08:00:27:4e:aa:01"), Verdict: analyzer.VerdictGuestVM,
				Confidence: analyzer.ConfidenceMedium, Reason: "same MAC again", Alerts: 1},
			{Host: analyzer.MustParseHost("10.0.0.7"), Verdict: analyzer.VerdictMonitoring, Confidence: analyzer.ConfidenceLow,
				Reason: "checks", Alerts: 3, Exclusion: "10.0.0.7 # monitoring"},
		},
		Investigate: []analyzer.Investigation{{Host: analyzer.MustParseHost("203.0.113.7"), Reason: "outside address"}},
	}
}

func TestWriteSuggestedExclusions(t *testing.T) {
	tests := []struct {
		min        string
		entries    []string // lines that are entries, in order
		has, hasNo []string
	}{
		{
			min:     "medium",
			entries: []string{"10.0.0.50", "08:00:27:4e:aa:01"},
			has: []string{
				"#   day1.pcap: 1,234,567 packets\n", "#   cut.pcap: 10 packets (truncated: analysed up to the fault)\n",
				"# capture time 2024-03-05T09:00:00.000Z -> 2024-03-05T10:00:00.500Z (0s)\n",
				"# reason: scanner\\x1b[2J\n", "# 2 alerts (SIDs 9000002, 9000004)\n",
				"# guest-vm, confidence medium: 192.168.56.101 (08:00:27:4e:aa:01)\n", "# 1 alert (SID 9000003)\n",
				"# not excluded: 10.0.0.7: monitoring of low confidence, below --min-confidence medium\n",
				"# not excluded: 203.0.113.7 needs investigation: outside address\n",
			},
			hasNo: []string{"same MAC again", "\x1b"},
		},
		{min: "low", entries: []string{"10.0.0.50", "08:00:27:4e:aa:01", "10.0.0.7"}},
		{min: "high", entries: []string{"10.0.0.50"}},
	}
	for _, tt := range tests {
		t.Run(tt.min, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteSuggestedExclusions(&buf, suggestResult(), SuggestOptions{MinConfidence: tt.min}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			var entries []string
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				if l != "" && !strings.HasPrefix(l, "#") {
					entries = append(entries, l)
				}
			}
			if strings.Join(entries, " ") != strings.Join(tt.entries, " ") {
				t.Errorf("entries %q, want %q", entries, tt.entries)
			}
			for _, s := range tt.has {
				if !strings.Contains(out, s) {
					t.Errorf("no %q in:\n%s", s, out)
				}
			}
			for _, s := range tt.hasNo {
				if strings.Contains(out, s) {
					t.Errorf("%q in:\n%s", s, out)
				}
			}
		})
	}
	var buf bytes.Buffer
	if err := WriteSuggestedExclusions(&buf, &analyzer.Result{}, SuggestOptions{MinConfidence: "medium"}); err != nil ||
		!strings.Contains(buf.String(), "nothing to exclude") {
		t.Errorf("empty result: %v\n%s", err, buf.String())
	}
}
