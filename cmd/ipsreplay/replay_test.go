package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// reportEvents returns the events of analyze's JSON report, each as
// compact JSON, to compare with replay's JSON Lines.
func reportEvents(t *testing.T, path string) []string {
	t.Helper()
	r := runArgs(t, "analyze", "-f", "json", path)
	r.wantCode(t, exitOK)
	var rep struct {
		Events []json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rep.Events))
	for i, ev := range rep.Events {
		var b bytes.Buffer
		if err := json.Compact(&b, ev); err != nil {
			t.Fatal(err)
		}
		out[i] = b.String()
	}
	return out
}

// Replaying at 60x streams the same events, in the same order, as analyze
// reports. (Pacing itself is tested on a fake clock in analyzer.)
func TestReplayStreamsWhatAnalyzeReports(t *testing.T) {
	for _, name := range []string{"portscan.pcap", "arp-poison.pcap"} {
		t.Run(name, func(t *testing.T) {
			want := reportEvents(t, capture(name))
			if len(want) == 0 {
				t.Fatal("no events to compare")
			}
			r := runArgs(t, "replay", "--speed", "60", "--format", "jsonl", "--no-progress", capture(name))
			r.wantCode(t, exitOK)
			r.wantNoStderr(t)
			got := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("replay events differ from analyze:\nreplay:\n%s\nanalyze:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestReplayFormats(t *testing.T) {
	ps := capture("portscan.pcap")
	t.Run("lines then the report", func(t *testing.T) {
		r := runArgs(t, "replay", "--speed", "max", ps)
		r.wantCode(t, exitOK)
		for _, want := range []string{"ALERT 9000002", "203.0.113.66", "BLOCK 203.0.113.66", "Signatures fired"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
			}
		}
		if i, j := strings.Index(r.stdout, "ALERT"), strings.Index(r.stdout, "Summary"); i < 0 || j < i {
			t.Error("events must come before the final report")
		}
	})
	t.Run("eve", func(t *testing.T) {
		r := runArgs(t, "replay", "--speed", "max", "--format", "eve", ps)
		r.wantCode(t, exitOK)
		types := map[string]int{}
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			var rec struct {
				EventType string `json:"event_type"`
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("not a JSON line: %q: %v", line, err)
			}
			types[rec.EventType]++
		}
		if types["alert"] != 1 || types["ipsreplay_block"] != 1 {
			t.Errorf("event types %v, want one alert and one block", types)
		}
	})
	t.Run("json report only", func(t *testing.T) {
		r := runArgs(t, "replay", "--speed", "max", "--format", "json", ps)
		r.wantCode(t, exitOK)
		if got := decodeReport(t, r.stdout).sids(); len(got) != 1 || got[0] != 9000002 {
			t.Errorf("sids %v", got)
		}
	})
	t.Run("jsonl with the report in a file", func(t *testing.T) {
		out := t.TempDir() + "/report.json"
		r := runArgs(t, "replay", "--speed", "max", "--format", "jsonl", "-o", out, ps)
		r.wantCode(t, exitOK)
		if n := strings.Count(r.stdout, "\n"); n != 2 {
			t.Errorf("%d event lines, want alert and block", n)
		}
		if got := decodeReport(t, string(readFile(t, out))).sids(); len(got) != 1 {
			t.Errorf("report file sids %v", got)
		}
	})
}

func TestReplayUsage(t *testing.T) {
	for _, args := range [][]string{
		{"replay"},
		{"replay", "--speed", "0", capture("portscan.pcap")},
		{"replay", "--speed", "fast", capture("portscan.pcap")},
		{"replay", "--format", "yaml", capture("portscan.pcap")},
		{"replay", capture("portscan.pcap"), "--speed", "0"}, // a flag after the paths is parsed
	} {
		r := runArgs(t, args...)
		r.wantCode(t, exitInput)
		r.wantOneErrorLine(t)
	}
}

// Ctrl-C during a real-time replay stops it at once and still prints the
// report of what was replayed.
func TestReplayInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(300 * time.Millisecond)
		cancel()
	}()
	done := make(chan result, 1)
	go func() {
		done <- run(t, ctx, nil, "replay", "--speed", "1", "--format", "json", capture("bruteforce-ssh.pcap"))
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("replay did not stop within 20s of Ctrl-C")
	}
	r.wantCode(t, exitInterrupted)
	rep := decodeReport(t, r.stdout)
	if rep.Summary.Packets == 0 || rep.Summary.Packets >= 816 {
		t.Errorf("report covers %d packets, want the part replayed before Ctrl-C", rep.Summary.Packets)
	}
}
