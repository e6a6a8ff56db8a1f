package main

import (
	"testing"
)

// TestThresholdFile: --threshold-file applies its lines to the rules, with
// --address-group's variables, and a bad line is exit 2 naming file:line.
func TestThresholdFile(t *testing.T) {
	rulesFile := writeFile(t, "scan.rules", []byte("alert tcp any any -> any any (msg:\"syn\"; flags:S; sid:9000001;)\n"))
	alerts := func(t *testing.T, args ...string) int {
		t.Helper()
		r := runArgs(t, append([]string{"analyze", "--no-progress", "-f", "json", "--no-builtins", "--rules", rulesFile}, append(args, capture("portscan.pcap"))...)...)
		r.wantCode(t, exitOK)
		n := 0
		for _, a := range decodeReport(t, r.stdout).Alerts {
			if a.SID == 9000001 {
				n++
			}
		}
		return n
	}
	all := alerts(t)
	if all < 3 {
		t.Fatalf("%d SYN alerts without a threshold file; the test needs at least 3", all)
	}
	cases := []struct {
		name  string
		file  string
		extra []string
		want  int
	}{
		{"limit", "threshold gen_id 1, sig_id 9000001, type limit, track by_rule, count 2, seconds 3600\n", nil, 2},
		{"suppress with a variable", "suppress gen_id 1, sig_id 9000001, track by_either, ip $LAN\n",
			[]string{"--address-group", "LAN=[192.168.0.0/16,10.0.0.0/8]"}, 0},
		{"suppress another net", "suppress gen_id 1, sig_id 9000001, track by_either, ip $LAN\n",
			[]string{"--address-group", "LAN=[172.16.0.0/12]"}, all},
		{"by_flow ignored", "threshold gen_id 1, sig_id 9000001, type limit, track by_flow, count 1, seconds 60\n", nil, all},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tf := writeFile(t, "threshold.config", []byte(c.file))
			if got := alerts(t, append([]string{"--threshold-file", tf}, c.extra...)...); got != c.want {
				t.Errorf("%d alerts, want %d", got, c.want)
			}
		})
	}

	t.Run("unknown sid warned", func(t *testing.T) {
		tf := writeFile(t, "threshold.config", []byte("suppress gen_id 1, sig_id 9000001\nsuppress gen_id 1, sig_id 42\n"))
		r := runArgs(t, "analyze", "--no-progress", "-f", "json", "--no-builtins", "--rules", rulesFile, "--threshold-file", tf, capture("portscan.pcap"))
		r.wantCode(t, exitOK)
		r.wantOneErrorLine(t, tf+":2: suppress for gen_id 1, sig_id 42: no such rule is loaded")
	})
	t.Run("bad line", func(t *testing.T) {
		tf := writeFile(t, "threshold.config", []byte("# ok\nthreshold gen_id 1, sig_id 9000001, type limit, track by_src, count 0, seconds 60\n"))
		r := runArgs(t, "analyze", "--no-builtins", "--rules", rulesFile, "--threshold-file", tf, capture("portscan.pcap"))
		r.wantCode(t, exitInput)
		r.wantNoStdout(t)
		r.wantOneErrorLine(t, tf+":2: ", `count "0"`)
	})
	t.Run("bad address group", func(t *testing.T) {
		r := runArgs(t, "analyze", "--no-builtins", "--rules", rulesFile, "--address-group", "LAN", capture("portscan.pcap"))
		r.wantCode(t, exitInput)
		r.wantOneErrorLine(t, "--address-group", "NAME=VALUE")
	})
}
