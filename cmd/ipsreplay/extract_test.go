package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/ipsreplay/ipsreplay/packet/packettest"
)

// extractAlert is what the tests read of an alert in the JSON report.
type extractAlert struct {
	SID     uint32    `json:"sid"`
	Kind    string    `json:"kind"`
	First   time.Time `json:"first"`
	Last    time.Time `json:"last"`
	Extract string    `json:"extract"`
	Filters *struct {
		Wireshark string `json:"wireshark"`
		BPF       string `json:"bpf"`
	} `json:"filters"`
	Rule json.RawMessage `json:"rule"`
}

func extractAlerts(t *testing.T, stdout string) []extractAlert {
	t.Helper()
	var doc struct {
		Alerts   []extractAlert `json:"alerts"`
		Warnings []string       `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("report: %v", err)
	}
	return doc.Alerts
}

// TestExtractSynFlood is the done-when of --extract: on the real hping3
// flood it writes a pcap of the flood's SYNs that our reader, pcapgo,
// and tcpdump (where installed) all read.
func TestExtractSynFlood(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "packets")
	r := runArgs(t, "analyze", "-f", "json", "--no-progress", "--extract", dir, capture("lab/hping3-synflood.pcap"))
	r.wantCode(t, 0)
	var flood *extractAlert
	for _, a := range extractAlerts(t, r.stdout) {
		if a.SID == 9000001 {
			flood = &a
		}
	}
	if flood == nil || flood.Extract == "" {
		t.Fatalf("no SYN flood alert with a pcap in %s", truncate(r.stdout, 2000))
	}
	path := filepath.Join(dir, flood.Extract)
	link, recs := packettest.ReadPcap(t, path)
	if link != layers.LinkTypeEthernet || len(recs) != 200 {
		t.Fatalf("%s: link %v, %d packets; want Ethernet, the flood's 200 SYNs", flood.Extract, link, len(recs))
	}
	for i, rec := range recs {
		p := gopacket.NewPacket(rec.Data, layers.LayerTypeEthernet, gopacket.Default)
		tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if tcp == nil || !tcp.SYN || tcp.ACK || tcp.DstPort != 80 {
			t.Fatalf("packet %d is no SYN to port 80: %v", i+1, p)
		}
	}
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump not installed: the pcap was read with pcapgo only")
	}
	out, err := exec.Command(tcpdump, "-nr", path).Output()
	if err != nil {
		t.Fatalf("tcpdump -r %s: %v", path, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 200 || !strings.Contains(lines[0], "Flags [S]") {
		t.Errorf("tcpdump read %d packets, first %q; want 200 SYNs", len(lines), lines[0])
	}
}

// TestExtractMatchesBPF checks, on real captures of each kind of alert,
// that the packets tcpdump selects from the capture with the alert's BPF
// expression, in its window (a rule's alert: the whole capture), bounded
// to the first and last 100, are the packets --extract wrote; and, with
// tshark installed, that the display filter selects as many.
func TestExtractMatchesBPF(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump not installed: BPF selections not compared")
	}
	tshark, _ := exec.LookPath("tshark") // "" when not installed: display filters not compared
	rules := writeFile(t, "ssh.rules", []byte(
		`alert tcp any 22 -> any any (msg:"ssh server banner"; flow:established,to_client; content:"SSH-"; depth:4; sid:1000001; rev:1;)`+"\n"))
	for _, tc := range []struct {
		file  string
		extra []string
	}{
		{file: "lab/hping3-synflood.pcap"},
		{file: "lab/nmap-sS.pcap"},
		{file: "lab/nmap-sU.pcap"},
		{file: "lab/nmap-sweep5.pcap"},
		{file: "lab/arpspoof.pcap"},
		{file: "lab/hydra-ssh.pcap", extra: []string{"--rules", rules}},
		{file: "vlan.pcap"},
		{file: "ipv6-scan.pcap"},
		{file: "synflood-spoofed.pcap"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "x")
			args := append([]string{"analyze", "-f", "json", "--no-progress", "--extract", dir}, tc.extra...)
			r := runArgs(t, append(args, capture(tc.file))...)
			r.wantCode(t, 0)
			alerts := extractAlerts(t, r.stdout)
			checked := 0
			for _, a := range alerts {
				if a.Extract == "" || a.Filters == nil {
					continue
				}
				sel := filepath.Join(t.TempDir(), "sel.pcap")
				if out, err := exec.Command(tcpdump, "-r", capture(tc.file), "-w", sel, a.Filters.BPF).CombinedOutput(); err != nil {
					t.Fatalf("tcpdump %q: %v\n%s", a.Filters.BPF, err, out)
				}
				_, all := packettest.ReadPcap(t, sel)
				var want []packettest.Record
				for _, rec := range all {
					if a.Rule != nil || !rec.Info.Timestamp.Before(a.First.Truncate(time.Microsecond)) && !rec.Info.Timestamp.After(a.Last) {
						want = append(want, rec)
					}
				}
				if len(want) > 200 {
					want = append(want[:100], want[len(want)-100:]...)
				}
				if tshark != "" {
					// the display filter selects what the BPF does
					out, err := exec.Command(tshark, "-n", "-r", capture(tc.file), "-Y", a.Filters.Wireshark).Output()
					if err != nil {
						t.Fatalf("tshark -Y %q: %v", a.Filters.Wireshark, err)
					}
					if n := strings.Count(string(out), "\n"); n != len(all) {
						t.Errorf("tshark -Y %q selects %d packets, tcpdump %q %d", a.Filters.Wireshark, n, a.Filters.BPF, len(all))
					}
				}
				_, got := packettest.ReadPcap(t, filepath.Join(dir, a.Extract))
				if len(got) != len(want) {
					t.Fatalf("%s: %d packets; tcpdump %q selects %d in the window", a.Extract, len(got), a.Filters.BPF, len(want))
				}
				for i := range want {
					if !bytes.Equal(got[i].Data, want[i].Data) || !got[i].Info.Timestamp.Truncate(time.Microsecond).Equal(want[i].Info.Timestamp) {
						t.Fatalf("%s: packet %d differs from tcpdump's selection with %q", a.Extract, i+1, a.Filters.BPF)
					}
				}
				checked++
			}
			if checked == 0 {
				t.Fatalf("no alert with filters and a pcap in %s", truncate(r.stdout, 1500))
			}
		})
	}
}

// TestExtractEVEAndStdin: the EVE lines name the pcaps, and standard
// input is read again from a copy.
func TestExtractEVEAndStdin(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x")
	in, err := os.Open(capture("lab/arpspoof.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	r := run(t, t.Context(), in, "analyze", "-f", "eve", "--no-progress", "--extract", dir, "-")
	r.wantCode(t, 0)
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var rec struct {
			EventType string `json:"event_type"`
			X         struct {
				Extract string `json:"extract"`
				Filters struct {
					BPF string `json:"bpf"`
				} `json:"filters"`
			} `json:"ipsreplay"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.EventType != "alert" {
			continue
		}
		if rec.X.Extract == "" || rec.X.Filters.BPF == "" {
			t.Errorf("alert line without pcap or filters: %s", l)
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, rec.X.Extract)); err != nil {
			t.Error(err)
		}
		n++
	}
	if n == 0 {
		t.Fatalf("no alert lines in %s", truncate(r.stdout, 1000))
	}
}

func TestExtractUsage(t *testing.T) {
	tmp := t.TempDir()
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		parts []string
	}{
		{"bound without dir", []string{"analyze", "--extract-first", "5", capture("synflood.pcap")}, "", []string{"--extract-first needs --extract"}},
		{"no packets kept", []string{"analyze", "--extract", tmp, "--extract-first", "0", "--extract-last", "0", capture("synflood.pcap")}, "", []string{"first 0 and last 0"}},
		{"no bytes", []string{"analyze", "--extract", tmp, "--extract-max-bytes", "0", capture("synflood.pcap")}, "", []string{"max bytes 0"}},
		{"with what-if", []string{"analyze", "--extract", tmp, "--compare-exclude", "none", capture("synflood.pcap")}, "", []string{"--compare-exclude", "--extract"}},
		{"replay from stdin", []string{"replay", "--speed", "max", "--extract", tmp, "-"}, "x", []string{"--extract", "standard input"}},
		{"inside an input directory", []string{"analyze", "--extract", filepath.Join(pcaps, "lab", "x"), filepath.Join(pcaps, "lab")}, "", []string{"inside the input directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, t.Context(), strings.NewReader(tc.stdin), tc.args...)
			r.wantCode(t, 2)
			r.wantOneErrorLine(t, tc.parts...)
			r.wantNoStdout(t)
		})
	}
	if _, err := os.Stat(filepath.Join(pcaps, "lab", "x")); err == nil {
		t.Error("an --extract directory inside an input directory was made")
	}
}

// TestReplayExtract: replay's final report names the pcaps.
func TestReplayExtract(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x")
	r := runArgs(t, "replay", "--speed", "max", "-f", "json", "--no-progress", "--extract", dir, capture("synflood.pcap"))
	r.wantCode(t, 0)
	for _, a := range extractAlerts(t, r.stdout) {
		if a.SID == 9000001 && a.Extract != "" {
			if _, err := os.Stat(filepath.Join(dir, a.Extract)); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no SYN flood alert with a pcap in %s", truncate(r.stdout, 1500))
}
