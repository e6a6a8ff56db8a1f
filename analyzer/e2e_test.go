package analyzer_test

// End-to-end tests on the bundled captures (../pcaps, made by cmd/pcapgen;
// its README says what each holds): every capture runs through Analyze with
// the default config and its JSON report is compared with
// testdata/golden/<name>.json, rewritten by
//
//	go test ./analyzer -run Golden -update
//
// A golden file accepts whatever the code printed when it was rewritten, so
// TestE2EFindings states the findings that matter (what fired, from whom,
// what was blocked, which false positives) on its own: a regression fails
// there even after a careless -update.
//
// These tests are in package analyzer_test because report imports analyzer.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/report"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from the current output")

const e2ePcaps = "../pcaps"

// e2eCase is one analysis of bundled captures; name is its golden file.
type e2eCase struct {
	name  string
	files []string // under ../pcaps
}

// e2eCases lists every bundled capture on its own, plus the rotated scan
// merged into one timeline. TestE2ECoversEveryCapture keeps it complete.
var e2eCases = []e2eCase{
	{"arp-poison", []string{"arp-poison.pcap"}},
	{"benign", []string{"benign.pcap"}},
	{"bruteforce-ftp", []string{"bruteforce-ftp.pcap"}},
	{"bruteforce-ssh", []string{"bruteforce-ssh.pcap"}},
	{"bruteforce-success", []string{"bruteforce-success.pcap"}},
	{"guest-vm", []string{"guest-vm.pcap"}},
	{"ipv6-scan", []string{"ipv6-scan.pcap"}},
	{"mixed", []string{"mixed.pcapng"}},
	{"monitoring", []string{"monitoring.pcap"}},
	{"portscan", []string{"portscan.pcap"}},
	{"scan-part1", []string{"scan-part1.pcap"}},
	{"scan-part2", []string{"scan-part2.pcap"}},
	{"scan-merged", []string{"scan-part1.pcap", "scan-part2.pcap"}},
	{"scanner-internal", []string{"scanner-internal.pcap"}},
	{"slowscan", []string{"slowscan.pcap"}},
	{"synflood-spoofed", []string{"synflood-spoofed.pcap"}},
	{"synflood", []string{"synflood.pcap"}},
	{"vlan", []string{"vlan.pcap"}},
}

func (c e2eCase) paths() []string {
	out := make([]string, len(c.files))
	for i, f := range c.files {
		out[i] = e2ePcaps + "/" + f
	}
	return out
}

// e2eAnalyze runs the case with the default config and fails on any error:
// the bundled captures are all well formed.
func e2eAnalyze(t testing.TB, c e2eCase) *analyzer.Result {
	t.Helper()
	cfg, err := analyzer.DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	res, err := analyzer.Analyze(context.Background(), c.paths(), cfg, analyzer.RunOptions{})
	if err != nil {
		t.Fatalf("analyze %v: %v", c.files, err)
	}
	if res == nil {
		t.Fatalf("analyze %v: nil result", c.files)
	}
	return res
}

func e2eJSON(t testing.TB, res *analyzer.Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// e2eGolden compares got with testdata/golden/<name>.json, or rewrites it
// with -update.
func e2eGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./analyzer -run Golden -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s differs from the golden file at line %d (%d lines, golden %d):\n got: %s\nwant: %s\n"+
				"if the change is intended: go test ./analyzer -run Golden -update, and review the diff",
				path, i+1, len(gl), len(wl), g, w)
		}
	}
}

func TestE2EGolden(t *testing.T) {
	for _, c := range e2eCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e2eGolden(t, c.name, e2eJSON(t, e2eAnalyze(t, c)))
		})
	}
}

// TestE2EGoldenNoStale fails on golden files no case writes, left behind by
// a renamed or removed case.
func TestE2EGoldenNoStale(t *testing.T) {
	names := map[string]bool{}
	for _, c := range e2eCases {
		names[c.name+".json"] = true
	}
	entries, err := os.ReadDir(filepath.Join("testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !names[e.Name()] {
			t.Errorf("testdata/golden/%s: no case writes it; delete it", e.Name())
		}
	}
}

// TestE2ECoversEveryCapture makes a capture added to ../pcaps fail until it
// gets a case here (and a row in TestE2EFindings).
func TestE2ECoversEveryCapture(t *testing.T) {
	files, err := analyzer.ExpandPaths([]string{e2ePcaps})
	if err != nil {
		t.Fatal(err)
	}
	alone := map[string]bool{}
	for _, c := range e2eCases {
		if len(c.files) == 1 {
			alone[c.files[0]] = true
		}
	}
	findings := map[string]bool{}
	for _, f := range e2eFindings {
		findings[f.name] = true
	}
	for _, c := range e2eCases {
		if !findings[c.name] {
			t.Errorf("case %s has no row in e2eFindings", c.name)
		}
	}
	if len(files) < 15 {
		t.Errorf("found %d captures in %s: %v", len(files), e2ePcaps, files)
	}
	for _, f := range files {
		rel := strings.TrimPrefix(filepath.ToSlash(f), e2ePcaps+"/")
		if strings.HasPrefix(rel, "lab/") {
			continue // real-tool captures: their expectations are checked by make test's check pcaps/
		}
		if !alone[rel] {
			t.Errorf("%s has no single-file case in e2eCases", f)
		}
	}
}

// e2eWant is what one case must find. Attackers are "SID attacker victim",
// the attacker being the address, else the MAC, else "spoofed".
type e2eWant struct {
	name    string
	fired   []string
	blocked []string
	fps     []string // "host verdict mac"
	check   func(t *testing.T, res *analyzer.Result)
}

const (
	sidFlood = detectors.SIDSynFlood
	sidScan  = detectors.SIDPortScan
	sidARP   = detectors.SIDARPPoison
	sidBrute = detectors.SIDBruteForce
)

func e2eFired(sid uint32, attacker, victim string) string {
	return fmt.Sprintf("%d %s %s", sid, attacker, victim)
}

var e2eFindings = []e2eWant{
	{name: "benign"},
	{
		name: "bruteforce-success",
		// the guessing, then the login it won: an internal host, yet to be
		// investigated, never excused as a scanner
		fired:   []string{e2eFired(sidBrute, "192.168.1.77", "192.168.1.22")}, // twice: ssh, login-after-guessing
		blocked: []string{"192.168.1.77"},
		check: func(t *testing.T, res *analyzer.Result) {
			e2eKinds(t, res, "login-after-guessing", "ssh")
			if len(res.FalsePositives) != 0 || len(res.Investigate) != 1 ||
				!strings.Contains(res.Investigate[0].Reason, "kept a session after guessing logins") {
				t.Errorf("false positives %+v, investigate %+v: want 192.168.1.77 to investigate", res.FalsePositives, res.Investigate)
			}
			// the block from the guessing would have dropped the session
			if b := res.Blocks[0]; b.DroppedPackets < 100 {
				t.Errorf("block dropped %d packets, want the session's", b.DroppedPackets)
			}
		},
	},
	{
		name: "monitoring",
		// health checks look like failed SSH logins on every server checked,
		// and the monitor is blocked, as the IPS would: a false positive
		fired: []string{e2eFired(sidBrute, "192.168.1.5", "192.168.1.10"), e2eFired(sidBrute, "192.168.1.5", "192.168.1.21"),
			e2eFired(sidBrute, "192.168.1.5", "192.168.1.22")},
		blocked: []string{"192.168.1.5"},
		fps:     []string{"192.168.1.5 monitoring 00:1b:21:60:05:05"},
		check: func(t *testing.T, res *analyzer.Result) {
			e2eKinds(t, res, "ssh")
			if len(res.Investigate) != 0 {
				t.Errorf("investigate %+v, want none: the only host firing is the monitor", res.Investigate)
			}
		},
	},
	{name: "slowscan"},
	{name: "scan-part1"},
	{name: "scan-part2"},
	{
		name:    "scan-merged",
		fired:   []string{e2eFired(sidScan, "203.0.113.88", "192.168.1.20")},
		blocked: []string{"203.0.113.88"},
		check: func(t *testing.T, res *analyzer.Result) {
			// the scan crosses the file boundary: evidence in both files
			a := res.Alerts[0]
			if a.FirstPacket.File != e2ePcaps+"/scan-part1.pcap" || a.LastPacket.File != e2ePcaps+"/scan-part2.pcap" {
				t.Errorf("merged scan evidence %+v .. %+v, want part1 .. part2", a.FirstPacket, a.LastPacket)
			}
			if a.Kind != "vertical" || a.Count < 15 {
				t.Errorf("merged scan kind %q count %d, want vertical >= 15", a.Kind, a.Count)
			}
		},
	},
	{
		name:    "portscan",
		fired:   []string{e2eFired(sidScan, "203.0.113.66", "192.168.1.20")},
		blocked: []string{"203.0.113.66"},
		check: func(t *testing.T, res *analyzer.Result) {
			e2eKinds(t, res, "vertical")
			// the scan goes on for 1024 ports: its later probes and the
			// answers are what the block drops
			if b := res.Blocks[0]; b.DroppedPackets < 1900 {
				t.Errorf("dropped %d packets of the scan, want most of its ~2000", b.DroppedPackets)
			}
		},
	},
	{
		name:    "mixed",
		fired:   []string{e2eFired(sidScan, "203.0.113.66", "192.168.1.20")},
		blocked: []string{"203.0.113.66"},
		check: func(t *testing.T, res *analyzer.Result) {
			if lt := res.Files[0].LinkTypes; !slices.Equal(lt, []string{"ETHERNET(1)", "LINUX_SLL(113)"}) {
				t.Errorf("link types %v, want Ethernet and Linux SLL", lt)
			}
		},
	},
	{
		name:    "vlan",
		fired:   []string{e2eFired(sidScan, "203.0.113.66", "192.168.1.20")},
		blocked: []string{"203.0.113.66"},
	},
	{
		name:    "ipv6-scan",
		fired:   []string{e2eFired(sidScan, "2001:db8:66::1", "2001:db8:1::20")},
		blocked: []string{"2001:db8:66::1"},
	},
	{
		name:    "synflood",
		fired:   []string{e2eFired(sidFlood, "198.51.100.23", "192.168.1.10")},
		blocked: []string{"198.51.100.23"},
		check: func(t *testing.T, res *analyzer.Result) {
			a := res.Alerts[0]
			if a.Kind != "direct" || a.VictimPort != 80 || a.Spoofed {
				t.Errorf("flood alert %+v, want a direct flood on port 80", a)
			}
		},
	},
	{
		name:  "synflood-spoofed",
		fired: []string{e2eFired(sidFlood, "spoofed", "192.168.1.10")},
		// a spoofed flood names no one to block
		check: func(t *testing.T, res *analyzer.Result) {
			a := res.Alerts[0]
			if !a.Spoofed || a.Kind != "spoofed" || a.Blocked || len(a.Sources) != 5 || a.VictimPort != 80 {
				t.Errorf("spoofed flood alert %+v, want spoofed, not blocked, 5 sample sources, port 80", a)
			}
			for _, s := range a.Sources {
				if !s.IsValid() || strings.HasPrefix(s.String(), "192.168.") {
					t.Errorf("sample source %q", s)
				}
			}
			if got := res.Signatures[0].Attackers; !slices.Equal(got, []analyzer.Host{analyzer.SpoofedHost()}) {
				t.Errorf("signature attackers %v", got)
			}
		},
	},
	{
		name:    "arp-poison",
		fired:   []string{e2eFired(sidARP, "192.168.1.66", "192.168.1.1"), e2eFired(sidARP, "192.168.1.66", "192.168.1.30")},
		blocked: []string{"192.168.1.66"},
		check: func(t *testing.T, res *analyzer.Result) {
			for _, a := range res.Alerts {
				if a.AttackerMAC.String() != "3c:97:0e:aa:bb:cc" {
					t.Errorf("ARP alert blames MAC %q, want the poisoner's", a.AttackerMAC)
				}
			}
			// two detections, the second during the block the first started
			if b := res.Blocks[0]; b.Blocks != 1 || b.Extensions != 1 {
				t.Errorf("block %+v, want one block extended once", b)
			}
		},
	},
	{
		name:    "bruteforce-ssh",
		fired:   []string{e2eFired(sidBrute, "203.0.113.77", "192.168.1.22")},
		blocked: []string{"203.0.113.77"},
		check: func(t *testing.T, res *analyzer.Result) {
			e2eKinds(t, res, "ssh")
		},
	},
	{
		name:    "bruteforce-ftp",
		fired:   []string{e2eFired(sidBrute, "203.0.113.78", "192.168.1.21")},
		blocked: []string{"203.0.113.78"},
		check: func(t *testing.T, res *analyzer.Result) {
			e2eKinds(t, res, "ftp")
			if a := res.Alerts[0]; a.Count != 20 || a.VictimPort != 21 {
				t.Errorf("ftp alert count %d port %d, want the 20th failure on 21", a.Count, a.VictimPort)
			}
		},
	},
	{
		name: "scanner-internal",
		// a vulnerability scan fires several signatures: scans and a
		// default-credential check against the FTP server
		fired: []string{e2eFired(sidScan, "192.168.1.250", ""), e2eFired(sidScan, "192.168.1.250", "192.168.1.10"),
			e2eFired(sidScan, "192.168.1.250", "192.168.1.22"), e2eFired(detectors.SIDBruteForce, "192.168.1.250", "192.168.1.21"),
			// the default pack's rules see its Nmap NSE and Nessus user
			// agents and its Nessus 404 probe (GET /NessusTest...)
			e2eFired(9100003, "192.168.1.250", "192.168.1.10"), e2eFired(9100004, "192.168.1.250", "192.168.1.1"),
			e2eFired(9100004, "192.168.1.250", "192.168.1.10"), e2eFired(9100004, "192.168.1.250", "192.168.1.20"),
			e2eFired(9100009, "192.168.1.250", "192.168.1.1"), e2eFired(9100009, "192.168.1.250", "192.168.1.10"),
			e2eFired(9100009, "192.168.1.250", "192.168.1.20")},
		blocked: []string{"192.168.1.250"},
		fps:     []string{"192.168.1.250 scanner d4:be:d9:fa:00:fa"},
		check: func(t *testing.T, res *analyzer.Result) {
			e2eKinds(t, res, "arp-sweep", "ftp", "rule", "sweep", "vertical")
			if fp := res.FalsePositives[0]; fp.Exclusion == "" || !strings.HasPrefix(fp.Exclusion, "192.168.1.250 ") {
				t.Errorf("scanner exclusion line %q", fp.Exclusion)
			}
		},
	},
	{
		name:  "guest-vm",
		fired: []string{e2eFired(sidARP, "00:0c:29:c4:19:3b", "192.168.1.41")},
		// only a MAC is known: nothing to block by address
		fps: []string{"00:0c:29:c4:19:3b guest-vm 00:0c:29:c4:19:3b"},
		check: func(t *testing.T, res *analyzer.Result) {
			fp := res.FalsePositives[0]
			if fp.Confidence != "high" || !strings.Contains(fp.Reason, "VMware") ||
				!strings.HasPrefix(fp.Exclusion, "00:0c:29:c4:19:3b ") {
				t.Errorf("guest VM verdict %+v", fp)
			}
			// the Parallels guest and the Mac host are not blamed
			for _, a := range res.Alerts {
				if m := a.AttackerMAC.String(); m == "00:1c:42:8d:13:6f" || m == "f0:18:98:40:28:40" {
					t.Errorf("alert blames %s: %+v", a.AttackerMAC, a)
				}
			}
		},
	},
}

// e2eKinds checks the set of alert kinds.
func e2eKinds(t *testing.T, res *analyzer.Result, want ...string) {
	t.Helper()
	set := map[string]bool{}
	for _, a := range res.Alerts {
		set[a.Kind] = true
	}
	got := e2eSorted(set)
	if !slices.Equal(got, want) {
		t.Errorf("alert kinds %v, want %v", got, want)
	}
}

func e2eSorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestE2EFindings(t *testing.T) {
	cases := map[string]e2eCase{}
	for _, c := range e2eCases {
		cases[c.name] = c
	}
	for _, w := range e2eFindings {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			c, ok := cases[w.name]
			if !ok {
				t.Fatalf("no case %s", w.name)
			}
			res := e2eAnalyze(t, c)

			fired := map[string]bool{}
			for _, a := range res.Alerts {
				who := analyzer.AddrHost(a.Attacker).String()
				switch {
				case who == "" && a.AttackerMAC.IsValid():
					who = a.AttackerMAC.String()
				case who == "" && a.Spoofed:
					who = "spoofed"
				}
				fired[e2eFired(a.SID, who, a.Victim.String())] = true
			}
			wantFired := slices.Clone(w.fired)
			sort.Strings(wantFired)
			if got := e2eSorted(fired); !slices.Equal(got, wantFired) {
				t.Errorf("fired (sid attacker victim):\n got %q\nwant %q", got, wantFired)
			}

			var blocked []string
			for _, b := range res.Blocks {
				blocked = append(blocked, b.Host.String())
			}
			if !slices.Equal(blocked, w.blocked) {
				t.Errorf("blocked %q, want %q", blocked, w.blocked)
			}

			var fps []string
			for _, fp := range res.FalsePositives {
				fps = append(fps, fp.Host.String()+" "+fp.Verdict+" "+fp.MAC.String())
			}
			if !slices.Equal(fps, w.fps) {
				t.Errorf("false positives %q, want %q", fps, w.fps)
			}

			e2eInvariants(t, c, res)
			if w.check != nil && !t.Failed() {
				w.check(t, res)
			}
		})
	}
}

// e2eInvariants holds for every bundled capture: everything decodes, every
// alert points at packets of the input, blocks start at a detection.
func e2eInvariants(t *testing.T, c e2eCase, res *analyzer.Result) {
	t.Helper()
	paths := c.paths()
	s := res.Summary
	if s.Files != len(paths) || len(res.Files) != len(paths) {
		t.Errorf("summary files %d, file summaries %d, want %d", s.Files, len(res.Files), len(paths))
	}
	var pkts uint64
	for i, f := range res.Files {
		if f.Path != paths[i] || f.Error != "" || f.Truncated || f.Packets == 0 {
			t.Errorf("file %d: %+v", i, f)
		}
		pkts += f.Packets
	}
	if s.Packets != pkts || s.Undecoded != 0 || len(s.DecodeErrors) != 0 || len(s.Evictions) != 0 || len(res.Warnings) != 0 {
		t.Errorf("summary packets %d (files %d), undecoded %d, decode errors %v, evictions %v, warnings %q",
			s.Packets, pkts, s.Undecoded, s.DecodeErrors, s.Evictions, res.Warnings)
	}
	if s.Autoblock != packet.Duration(analyzer.DefaultAutoblock) {
		t.Errorf("summary autoblock %s", s.Autoblock)
	}

	isInput := func(p analyzer.PacketLocation) bool {
		for i, f := range paths {
			if p.File == f {
				return p.Packet > 0 && p.Packet <= res.Files[i].Packets
			}
		}
		return false
	}
	firstBlock := map[analyzer.Host]analyzer.Alert{}
	for i, a := range res.Alerts {
		if !isInput(a.FirstPacket) || !isInput(a.LastPacket) {
			t.Errorf("alert %d (%d %s): evidence %+v .. %+v not a packet of %v", i, a.SID, a.Kind, a.FirstPacket, a.LastPacket, paths)
		}
		if a.First.IsZero() || a.Last.Before(a.First.Time) || a.Time.Before(a.Last.Time) {
			t.Errorf("alert %d (%d %s): first %s, last %s, time %s: want first <= last <= time", i, a.SID, a.Kind, a.First, a.Last, a.Time)
		}
		if a.Time.Before(s.FirstTime.Time) || a.Time.After(s.LastTime.Time) {
			t.Errorf("alert %d at %s outside the capture %s .. %s", i, a.Time, s.FirstTime, s.LastTime)
		}
		if i > 0 && a.Time.Before(res.Alerts[i-1].Time.Time) {
			t.Errorf("alert %d at %s before alert %d at %s: want capture order", i, a.Time, i-1, res.Alerts[i-1].Time)
		}
		if a.Name == "" || a.Severity == "" || a.Detail == "" || a.Count == 0 {
			t.Errorf("alert %d: %+v", i, a)
		}
		if want := a.Attacker.IsValid() && !a.Spoofed; a.Blocked != want {
			t.Errorf("alert %d blocked=%v, want %v (attacker %q, spoofed %v)", i, a.Blocked, want, a.Attacker, a.Spoofed)
		}
		if _, seen := firstBlock[analyzer.AddrHost(a.Attacker)]; a.Blocked && !seen {
			firstBlock[analyzer.AddrHost(a.Attacker)] = a
		}
	}
	for _, b := range res.Blocks {
		a, ok := firstBlock[b.Host]
		if !ok {
			t.Errorf("block of %s with no blocking alert", b.Host)
			continue
		}
		if !b.FirstBlock.Equal(a.Time.Time) {
			t.Errorf("block of %s starts %s, want its first detection at %s", b.Host, b.FirstBlock, a.Time)
		}
		if b.Blocks < 1 || b.TotalBlocked < packet.Duration(analyzer.DefaultAutoblock) || len(b.SIDs) == 0 ||
			!b.LastUnblock.After(b.FirstBlock.Time) {
			t.Errorf("block %+v", b)
		}
	}
	var sigAlerts uint64
	for _, h := range res.Signatures {
		sigAlerts += h.Count
	}
	if sigAlerts != uint64(len(res.Alerts)) {
		t.Errorf("signatures count %d alerts, there are %d", sigAlerts, len(res.Alerts))
	}
}

// TestE2EDeterministic runs each case twice: the same input must give the
// same bytes.
func TestE2EDeterministic(t *testing.T) {
	for _, c := range e2eCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := e2eJSON(t, e2eAnalyze(t, c))
			b := e2eJSON(t, e2eAnalyze(t, c))
			if !bytes.Equal(a, b) {
				t.Errorf("two runs differ (%d and %d bytes)", len(a), len(b))
			}
		})
	}
}

// TestE2EAllCapturesTogether merges every bundled capture into one
// timeline, as "ipsreplay analyze pcaps/" does.
func TestE2EAllCapturesTogether(t *testing.T) {
	files, err := analyzer.ExpandPaths([]string{e2ePcaps})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := analyzer.DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	res, err := analyzer.Analyze(context.Background(), files, cfg, analyzer.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Every capture starts at the same instant, so merged they interleave;
	// whatever is found, its evidence must name the right files and the
	// attack signatures must all be there.
	sids := map[uint32]bool{}
	for _, a := range res.Alerts {
		sids[a.SID] = true
		for _, p := range []analyzer.PacketLocation{a.FirstPacket, a.LastPacket} {
			if !slices.Contains(files, p.File) || p.Packet == 0 {
				t.Errorf("alert %d %s evidence %+v", a.SID, a.Kind, p)
			}
		}
	}
	for _, sid := range []uint32{sidFlood, sidScan, sidARP, sidBrute} {
		if !sids[sid] {
			t.Errorf("SID %d did not fire on all captures merged", sid)
		}
	}
	var pkts uint64
	for _, f := range res.Files {
		pkts += f.Packets
	}
	if res.Summary.Packets != pkts || res.Summary.Files != len(files) {
		t.Errorf("summary %d packets in %d files, file summaries %d", res.Summary.Packets, res.Summary.Files, pkts)
	}
}

// TestE2EMergedEvidenceInDetail: with several files in one run, a detail
// that points at an earlier packet must say which file it is in, as the
// user named them: here the ARP binding was learnt at packet 27 of
// arp-poison.pcap, the second file given.
func TestE2EMergedEvidenceInDetail(t *testing.T) {
	c := e2eCase{name: "benign+arp-poison", files: []string{"benign.pcap", "arp-poison.pcap"}}
	res := e2eAnalyze(t, c)
	var details []string
	for _, a := range res.Alerts {
		if a.SID == sidARP && strings.Contains(a.Detail, "last seen") {
			details = append(details, a.Detail)
		}
	}
	if len(details) == 0 {
		t.Fatalf("no ARP alert with a binding in the merged run: %+v", res.Alerts)
	}
	for _, d := range details {
		if !strings.Contains(d, "of file 2") {
			t.Errorf("detail %q does not say the packet is in file 2 (arp-poison.pcap, counted from 1)", d)
		}
	}
}
