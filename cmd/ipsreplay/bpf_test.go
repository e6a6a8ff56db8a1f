package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// --bpf leaves out what the expression refuses, as tcpdump -r FILE EXPR:
// the alerts of the packets it keeps stay, those of the packets it drops
// go, the packets keep their numbers, and the summary says what was left
// out.
func TestBPF(t *testing.T) {
	type summary struct {
		Summary struct {
			Packets     uint64 `json:"packets"`
			Filter      string `json:"filter"`
			FilteredOut uint64 `json:"filtered_out"`
		} `json:"summary"`
		Signatures []struct {
			ID uint32 `json:"sid"`
		} `json:"signatures"`
		Alerts []struct {
			FirstPacket struct {
				Packet uint64 `json:"packet"`
			} `json:"first_packet"`
		} `json:"alerts"`
	}
	read := func(args ...string) summary {
		t.Helper()
		r := runArgs(t, append([]string{"analyze", "--no-progress", "-f", "json"}, args...)...)
		r.wantCode(t, exitOK)
		var s summary
		if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	all := read(capture("arp-poison.pcap"), capture("portscan.pcap"))
	arp := read("--bpf", "arp", capture("arp-poison.pcap"), capture("portscan.pcap"))
	if arp.Summary.Filter != "arp" || arp.Summary.Packets+arp.Summary.FilteredOut != all.Summary.Packets || arp.Summary.FilteredOut == 0 {
		t.Fatalf("with --bpf arp: %+v, without: %+v", arp.Summary, all.Summary)
	}
	for _, sig := range arp.Signatures {
		if sig.ID != 9000003 { // ARP cache poisoning alone: the scan's packets are left out
			t.Errorf("signature %d fired on ARP packets alone", sig.ID)
		}
	}
	if len(arp.Signatures) == 0 || len(arp.Alerts) == 0 {
		t.Fatal("the ARP poisoning went with the filter")
	}
	// the same alert, the same packet number, as Wireshark counts it
	found := false
	for _, a := range all.Alerts {
		found = found || a.FirstPacket.Packet == arp.Alerts[0].FirstPacket.Packet
	}
	if !found {
		t.Errorf("packet %d of the filtered run is not an alert's packet without the filter", arp.Alerts[0].FirstPacket.Packet)
	}
}

func TestBPFUsageErrors(t *testing.T) {
	tests := [][]string{
		{"analyze", "--bpf", "tcp and", capture("portscan.pcap")},
		{"replay", "--speed", "max", "--bpf", "host example.com", capture("portscan.pcap")},
		{"check", "--bpf", "port 99999", pcaps},
		{"check", "--bpf", "tcp", "--update", pcaps},
	}
	for _, args := range tests {
		r := runArgs(t, args...)
		r.wantCode(t, exitInput)
		if !strings.Contains(r.stderr, "--bpf") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
			t.Errorf("%v: stderr %q, want one line naming --bpf", args, r.stderr)
		}
		if r.stdout != "" && args[0] != "check" {
			t.Errorf("%v: a report on a usage error", args)
		}
	}
}

// check --bpf runs every case through the filter: a filter that keeps
// nothing leaves every expectation unmet.
func TestCheckBPF(t *testing.T) {
	r := runArgs(t, "check", "--bpf", "tcp", capture("portscan.pcap"))
	r.wantCode(t, exitOK)
	r = runArgs(t, "check", "--bpf", "udp and port 9", capture("portscan.pcap"))
	r.wantCode(t, exitError) // a mismatch
}
