package analyzer

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/fingerprint"
	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures"
)

const (
	fpInsider  = "10.0.0.50"
	fpOutsider = "203.0.113.9"
	fpGateway  = "10.0.0.1"
)

var (
	fpVMware1   = [6]byte{0x00, 0x0c, 0x29, 0x01, 0x02, 0x03}
	fpVMware2   = [6]byte{0x00, 0x0c, 0x29, 0x04, 0x05, 0x06}
	fpDell      = [6]byte{0xd4, 0xbe, 0xd9, 0x00, 0x00, 0x50}
	fpDellOther = [6]byte{0xd4, 0xbe, 0xd9, 0x00, 0x00, 0x51}
)

// fpCatalog names the built-in detections and a few pack rules, two of
// which name scanners.
func fpCatalog(t *testing.T) *signatures.Catalog {
	t.Helper()
	cat, err := signatures.NewCatalog(&signatures.Pack{Name: "test", Signatures: []signatures.Signature{
		{SID: detectors.SIDSynFlood, Name: "Attack: TCP SYN Flood"},
		{SID: detectors.SIDPortScan, Name: "Attack: Port Scan"},
		{SID: detectors.SIDARPPoison, Name: "Attack: ARP Cache Poisoning"},
		{SID: detectors.SIDBruteForce, Name: "Attack: Brute Force Remote Login"},
		{SID: 9100001, Name: "Attack: Log4j2 JNDI Lookup RCE CVE-2021-44228"},
		{SID: 9100003, Name: "Audit: Nmap Scripting Engine User-Agent"},
		{SID: 9100004, Name: "Audit: Nessus Scanner User-Agent"},
		{SID: 9200001, Name: "Roadmap: not a scanner"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

const fpT0 = int64(1_780_000_000) * int64(time.Second)

// fpEv is one detection by attacker ("" for none) with options applied.
func fpEv(sid uint32, attacker string, opts ...func(*packet.Event)) packet.Event {
	e := packet.Event{SID: sid, Time: fpT0, FirstTime: fpT0, LastTime: fpT0, Count: 1}
	if attacker != "" {
		e.Attacker = netip.MustParseAddr(attacker)
	}
	for _, o := range opts {
		o(&e)
	}
	return e
}

func victim(ip string, port uint16) func(*packet.Event) {
	return func(e *packet.Event) {
		if ip != "" {
			e.Victim = netip.MustParseAddr(ip)
		}
		e.VictimPort = port
	}
}

func kind(k string, count uint64) func(*packet.Event) {
	return func(e *packet.Event) { e.Kind, e.Count = k, count }
}

func mac(m [6]byte) func(*packet.Event) {
	return func(e *packet.Event) { e.AttackerMAC, e.HasMAC, e.ClaimMAC = m, true, m }
}

func prevMAC(m [6]byte) func(*packet.Event) {
	return func(e *packet.Event) { e.PrevMAC = m }
}

func claims(n int, ips ...string) func(*packet.Event) {
	return func(e *packet.Event) {
		e.Claims = n
		for _, ip := range ips {
			e.Claimed = append(e.Claimed, netip.MustParseAddr(ip))
		}
	}
}

// every spreads count attempts gap apart, starting at offset.
func every(offset, gap time.Duration, count uint64) func(*packet.Event) {
	return func(e *packet.Event) {
		e.FirstTime = fpT0 + int64(offset)
		e.LastTime = e.FirstTime + int64(gap)*int64(count-1)
		e.Time, e.Count = e.LastTime, count
	}
}

// fpScan is an internal vulnerability scan: sweeps and vertical scans.
func fpScan(host string, opts ...func(*packet.Event)) []packet.Event {
	with := func(o ...func(*packet.Event)) []func(*packet.Event) { return append(o, opts...) }
	return []packet.Event{
		fpEv(detectors.SIDPortScan, host, with(kind("arp-sweep", 25))...),
		fpEv(detectors.SIDPortScan, host, with(kind("sweep", 25), victim("", 80))...),
		fpEv(detectors.SIDPortScan, host, with(kind("sweep", 25), victim("", 443))...),
		fpEv(detectors.SIDPortScan, host, with(kind("vertical", 15), victim("10.0.0.10", 0))...),
		fpEv(detectors.SIDPortScan, host, with(kind("vertical", 15), victim("10.0.0.22", 0))...),
	}
}

func fpNessus(host string, n int) []packet.Event {
	var out []packet.Event
	for i := range n {
		out = append(out, fpEv(9100004, host, kind("rule", 1), victim(fmt.Sprintf("10.0.0.%d", 1+i%9), 80)))
	}
	return out
}

// fpVerticals is one vertical-scan alert per victim, as nmap scanning
// the same ports on each host fires.
func fpVerticals(host string, victims ...string) []packet.Event {
	var out []packet.Event
	for _, v := range victims {
		out = append(out, fpEv(detectors.SIDPortScan, host, kind("vertical", 15), victim(v, 0)))
	}
	return out
}

// Packet fingerprints as fingerprint.Tracker words them (see its tests).
func fpNmapSYN(host string) fingerprint.Evidence {
	return fingerprint.Evidence{Host: netip.MustParseAddr(host), Tool: fingerprint.ToolNmap, Class: fingerprint.ClassNmapSYN, Count: 400,
		Detail: "nmap SYN probes: 400 SYNs with window 1024 and a lone MSS option (1460), source port 54086 on 400 of them"}
}

func fpNmapService(host string) fingerprint.Evidence {
	return fingerprint.Evidence{Host: netip.MustParseAddr(host), Tool: fingerprint.ToolNmap, Class: fingerprint.ClassNmapService, Count: 68,
		Detail: "nmap service probes: 56 probes sent byte for byte as in nmap-service-probes (GetRequest 16), 12 NULL probes"}
}

func fpNmapOS(host string) fingerprint.Evidence {
	return fingerprint.Evidence{Host: netip.MustParseAddr(host), Tool: fingerprint.ToolNmap, Class: fingerprint.ClassNmapOS, Count: 110,
		Detail: "nmap OS-detection probes: 110 probes of 11 kinds"}
}

func fpStateless(host, tool string) fingerprint.Evidence {
	return fingerprint.Evidence{Host: netip.MustParseAddr(host), Tool: tool, Class: fingerprint.ClassStatelessSYN, Count: 24,
		Detail: tool + " SYNs: 24 SYNs without options"}
}

func fpJoin(parts ...[]packet.Event) []packet.Event {
	var out []packet.Event
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// fpWant is one host's expected verdict: a false-positive verdict and
// confidence, or an investigation whose reason contains reason.
type fpWant struct {
	host, verdict, confidence, reason string
	evidence                          []string // substrings some evidence line holds
}

func TestClassifyHosts(t *testing.T) {
	monitor := func(host string, gaps ...time.Duration) []packet.Event {
		var out []packet.Event
		for i, g := range gaps {
			out = append(out, fpEv(detectors.SIDBruteForce, host, kind("ssh", 0),
				victim(fmt.Sprintf("10.0.0.%d", 10*(i+1)), 22), every(time.Duration(i)*time.Second, g, 8)))
		}
		return out
	}
	tests := []struct {
		name   string
		events []packet.Event
		prints []fingerprint.Evidence // the packets' scanner fingerprints
		want   []fpWant
	}{
		{
			name:   "internal scanner with fingerprints",
			events: fpJoin(fpScan(fpInsider), fpNessus(fpInsider, 6), []packet.Event{fpEv(9100003, fpInsider, kind("rule", 1), victim("10.0.0.10", 8080))}),
			want: []fpWant{{host: fpInsider, verdict: VerdictScanner, confidence: ConfidenceHigh, evidence: []string{
				"Nessus fingerprint in 6 alerts of \"Audit: Nessus Scanner User-Agent\" (sid 9100004)",
				"Nmap fingerprint in 1 alert",
				"regular sweeps: arp-sweep (1), sweep (2)",
				"vertical scans of 2 hosts (10.0.0.10, 10.0.0.22)",
				"fired 3 signature kinds against",
			}}},
		},
		{
			name:   "internal scanner without fingerprints",
			events: fpScan(fpInsider),
			want:   []fpWant{{host: fpInsider, verdict: VerdictScanner, confidence: ConfidenceMedium}},
		},
		{
			name:   "fingerprint alone is weak",
			events: fpNessus(fpInsider, 2),
			want:   []fpWant{{host: fpInsider, verdict: VerdictScanner, confidence: ConfidenceLow}},
		},
		{
			name: "exploit probes without a scanner's name lower confidence",
			events: fpJoin(fpScan(fpInsider), []packet.Event{
				fpEv(9100001, fpInsider, kind("rule", 1), victim("10.0.0.10", 80)),
				fpEv(9200001, fpInsider, kind("rule", 1), victim("10.0.0.10", 80)),
			}),
			// 3 kinds make it broad (3 lines), exploit probes take one off
			want: []fpWant{{host: fpInsider, verdict: VerdictScanner, confidence: ConfidenceMedium,
				evidence: []string{"scanners send such probes"}}},
		},
		{
			name: "default-credential check by a scanner",
			events: fpJoin(fpScan(fpInsider), fpNessus(fpInsider, 1), []packet.Event{
				fpEv(detectors.SIDBruteForce, fpInsider, kind("ftp", 20), victim("10.0.0.21", 21)),
			}),
			want: []fpWant{{host: fpInsider, verdict: VerdictScanner, confidence: ConfidenceHigh,
				evidence: []string{"also tried 20 ftp logins on 10.0.0.21:21"}}},
		},
		{
			name:   "one vertical scan from inside is not enough",
			events: []packet.Event{fpEv(detectors.SIDPortScan, fpInsider, kind("vertical", 15), victim("10.0.0.10", 0))},
			want:   []fpWant{{host: fpInsider, reason: "no evidence of a scanner, guest VM or monitoring system"}},
		},
		{
			name:   "external scanner-like host is never a false positive",
			events: fpJoin(fpScan(fpOutsider), fpNessus(fpOutsider, 6)),
			want: []fpWant{{host: fpOutsider, reason: "outside address", evidence: []string{
				"outside address 203.0.113.9", "looks like a scanner (Nessus fingerprint",
			}}},
		},
		{
			name: "internal host that floods is an attacker",
			events: fpJoin(fpScan(fpInsider), fpNessus(fpInsider, 6), []packet.Event{
				fpEv(detectors.SIDSynFlood, fpInsider, kind("direct", 3000), victim("10.0.0.10", 80)),
			}),
			want: []fpWant{{host: fpInsider, reason: "internal host that floods", evidence: []string{"SYN flood of 10.0.0.10:80 (3000 SYNs)"}}},
		},
		{
			name: "a scanner that kept a session it guessed its way into is an attacker",
			events: fpJoin(fpScan(fpInsider), fpNessus(fpInsider, 6), []packet.Event{
				fpEv(detectors.SIDBruteForce, fpInsider, kind("ssh", 8), victim("10.0.0.22", 22)),
				func() packet.Event {
					ev := fpEv(detectors.SIDBruteForce, fpInsider, kind(detectors.KindLoginAfterGuessing, 8), victim("10.0.0.22", 22))
					ev.Detail = "SSH session of 2m5s, the server sent 48000 bytes after 8 failed SSH logins: the guessing may have succeeded"
					return ev
				}(),
			}),
			want: []fpWant{{host: fpInsider, reason: "kept a session after guessing logins", evidence: []string{
				"logged in to 10.0.0.22:22 after guessing: SSH session of 2m5s"}}},
		},
		{
			name: "internal host that poisons the gateway is an attacker",
			events: fpJoin(fpScan(fpInsider, mac(fpDell)), []packet.Event{
				fpEv(detectors.SIDARPPoison, fpInsider, mac(fpDell), kind("gateway", 3), victim(fpGateway, 0)),
			}),
			want: []fpWant{{host: fpInsider, reason: "poisons ARP caches", evidence: []string{"claimed the gateway 10.0.0.1 for d4:be:d9:00:00:50"}}},
		},
		{
			name: "a VM that claims the gateway is an attacker too",
			events: []packet.Event{
				fpEv(detectors.SIDARPPoison, "", mac(fpVMware2), kind("gateway", 1), victim(fpGateway, 0), prevMAC(fpDell)),
			},
			want: []fpWant{{host: "00:0c:29:04:05:06", reason: "poisons ARP caches"}},
		},
		{
			name: "re-created guest VM",
			events: []packet.Event{
				fpEv(detectors.SIDARPPoison, "", mac(fpVMware2), kind("gratuitous", 1), victim("10.0.0.41", 0), prevMAC(fpVMware1), claims(1, "10.0.0.41")),
			},
			want: []fpWant{{host: "00:0c:29:04:05:06", verdict: VerdictGuestVM, confidence: ConfidenceHigh, evidence: []string{
				"MAC 00:0c:29:04:05:06 has a VMware OUI (00:0C:29)",
				"10.0.0.41 moved from VMware NIC 00:0c:29:01:02:03 to 00:0c:29:04:05:06",
			}}},
		},
		{
			name: "guest VM answering for several IPs",
			events: []packet.Event{
				fpEv(detectors.SIDARPPoison, "10.0.0.41", mac(fpVMware1), kind("binding-change", 1), victim("10.0.0.42", 0), prevMAC(fpDell),
					claims(3, "10.0.0.41", "10.0.0.42", "10.0.0.43")),
			},
			want: []fpWant{{host: "10.0.0.41", verdict: VerdictGuestVM, confidence: ConfidenceHigh,
				evidence: []string{"MAC 00:0c:29:01:02:03 answers for 3 IPs (10.0.0.41, 10.0.0.42, 10.0.0.43)"}}},
		},
		{
			name: "hypervisor OUI alone",
			events: []packet.Event{
				fpEv(detectors.SIDARPPoison, "", mac(fpVMware1), kind("gratuitous", 1), victim("10.0.0.41", 0), prevMAC(fpDell), claims(1, "10.0.0.41")),
			},
			want: []fpWant{{host: "00:0c:29:01:02:03", verdict: VerdictGuestVM, confidence: ConfidenceMedium}},
		},
		{
			name: "host bridging a guest over Wi-Fi",
			events: []packet.Event{
				fpEv(detectors.SIDARPPoison, "10.0.0.40", mac(fpDell), kind("eth-mismatch", 1), victim("10.0.0.41", 0),
					func(e *packet.Event) { e.ClaimMAC = fpVMware1 }),
			},
			want: []fpWant{{host: "10.0.0.40", verdict: VerdictGuestVM, confidence: ConfidenceMedium, reason: "",
				evidence: []string{"carry ARP for VMware NIC 00:0c:29:01:02:03"}}},
		},
		{
			name: "forged ethernet source without a VM",
			events: []packet.Event{
				fpEv(detectors.SIDARPPoison, "10.0.0.40", mac(fpDell), kind("eth-mismatch", 1), victim("10.0.0.41", 0),
					func(e *packet.Event) { e.ClaimMAC = fpDellOther }),
			},
			want: []fpWant{{host: "10.0.0.40", reason: "poisons ARP caches"}},
		},
		{
			name: "binding change by a plain NIC",
			events: []packet.Event{
				fpEv(detectors.SIDARPPoison, "", mac(fpDellOther), kind("binding-change", 1), victim("10.0.0.41", 0), prevMAC(fpDell)),
			},
			want: []fpWant{{host: "d4:be:d9:00:00:51", reason: "no sign of being a VM"}},
		},
		{
			name:   "monitoring checks on three hosts",
			events: monitor(fpInsider, 30*time.Second, 30*time.Second, 31*time.Second),
			want: []fpWant{{host: fpInsider, verdict: VerdictMonitoring, confidence: ConfidenceHigh, evidence: []string{
				"3 login alerts on the same 1 port (22) of 3 hosts", "one attempt every 30s to 31s",
			}}},
		},
		{
			name:   "monitoring checks on two hosts",
			events: monitor(fpInsider, time.Minute, time.Minute),
			want:   []fpWant{{host: fpInsider, verdict: VerdictMonitoring, confidence: ConfidenceMedium}},
		},
		{
			name:   "monitoring checks with jitter",
			events: monitor(fpInsider, 60*time.Second, 70*time.Second),
			want:   []fpWant{{host: fpInsider, verdict: VerdictMonitoring, confidence: ConfidenceLow}},
		},
		{
			name:   "irregular logins are not a schedule",
			events: monitor(fpInsider, 30*time.Second, 60*time.Second),
			want:   []fpWant{{host: fpInsider, reason: "no evidence"}},
		},
		{
			name:   "fast guessing is not monitoring",
			events: monitor(fpInsider, 2*time.Second, 2*time.Second, 2*time.Second),
			want:   []fpWant{{host: fpInsider, reason: "no evidence"}},
		},
		{
			name:   "one host on a schedule could be a slow guesser",
			events: monitor(fpInsider, time.Minute),
			want:   []fpWant{{host: fpInsider, reason: "no evidence"}},
		},
		{
			name:   "outside monitor-like host",
			events: monitor(fpOutsider, time.Minute, time.Minute, time.Minute),
			want:   []fpWant{{host: fpOutsider, reason: "outside address"}},
		},
		{
			name: "spoofed and unattributed events name no host",
			events: []packet.Event{
				fpEv(detectors.SIDSynFlood, "198.51.100.7", kind("spoofed", 3000), func(e *packet.Event) { e.Spoofed = true }),
				fpEv(detectors.SIDSynFlood, "", kind("distributed", 3000)),
			},
		},
		{
			name:   "vertical scans of four hosts alone are weak",
			events: fpVerticals(fpInsider, "10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.13"),
			want:   []fpWant{{host: fpInsider, verdict: VerdictScanner, confidence: ConfidenceLow}},
		},
		{
			name:   "nmap -sV of four hosts: vertical scans plus its SYN and service probes",
			events: fpVerticals(fpInsider, "10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.13"),
			prints: []fingerprint.Evidence{fpNmapSYN(fpInsider), fpNmapService(fpInsider)},
			want: []fpWant{{host: fpInsider, verdict: VerdictScanner, confidence: ConfidenceHigh,
				reason: "internal Nmap scanner: its packets have the tool's shape", evidence: []string{
					"nmap SYN probes: 400 SYNs with window 1024 and a lone MSS option (1460), source port 54086 on 400 of them",
					"nmap service probes: 56 probes",
					"vertical scans of 4 hosts (10.0.0.10, 10.0.0.11, 10.0.0.12, 10.0.0.13)",
				}}},
		},
		{
			name:   "two fingerprint classes across a sweep make medium",
			events: []packet.Event{fpEv(detectors.SIDPortScan, fpInsider, kind("sweep", 25), victim("", 22))},
			prints: []fingerprint.Evidence{fpNmapSYN(fpInsider), fpNmapOS(fpInsider)},
			want:   []fpWant{{host: fpInsider, verdict: VerdictScanner, confidence: ConfidenceMedium, evidence: []string{"nmap OS-detection probes"}}},
		},
		{
			name:   "one fingerprint class and vertical scans of several hosts make medium",
			events: fpVerticals(fpInsider, "10.0.0.10", "10.0.0.11"),
			prints: []fingerprint.Evidence{fpNmapSYN(fpInsider)},
			want:   []fpWant{{host: fpInsider, verdict: VerdictScanner, confidence: ConfidenceMedium}},
		},
		{
			name:   "masscan's and ZMap's headers are one line",
			events: fpVerticals(fpInsider, "10.0.0.10", "10.0.0.11"),
			prints: []fingerprint.Evidence{fpStateless(fpInsider, fingerprint.ToolMasscan), fpStateless(fpInsider, fingerprint.ToolZMap)},
			want: []fpWant{{host: fpInsider, verdict: VerdictScanner, confidence: ConfidenceMedium,
				reason: "internal ZMap/masscan scanner", evidence: []string{"masscan SYNs: 24", "ZMap SYNs: 24"}}},
		},
		{
			name:   "rule and packet fingerprints both name the tool",
			events: fpJoin(fpVerticals(fpInsider, "10.0.0.10", "10.0.0.11"), fpNessus(fpInsider, 2)),
			prints: []fingerprint.Evidence{fpNmapSYN(fpInsider)},
			want: []fpWant{{host: fpInsider, verdict: VerdictScanner, confidence: ConfidenceHigh,
				reason: "internal Nessus/Nmap scanner: its probes name it and its packets have the tool's shape"}},
		},
		{
			name:   "nmap against a single host stays under investigation",
			events: fpVerticals(fpInsider, "10.0.0.10"),
			prints: []fingerprint.Evidence{fpNmapSYN(fpInsider), fpNmapService(fpInsider), fpNmapOS(fpInsider)},
			want: []fpWant{{host: fpInsider, reason: "internal host whose Nmap probes reached one host: a single target may be an attacker's lateral reconnaissance",
				evidence: []string{"vertical port scan of 1 host (10.0.0.10)", "nmap SYN probes: 400 SYNs", "nmap OS-detection probes"}}},
		},
		{
			name: "an nmap scanner that floods is an attacker",
			events: fpJoin(fpVerticals(fpInsider, "10.0.0.10", "10.0.0.11", "10.0.0.12"), []packet.Event{
				fpEv(detectors.SIDSynFlood, fpInsider, kind("direct", 3000), victim("10.0.0.10", 80)),
			}),
			prints: []fingerprint.Evidence{fpNmapSYN(fpInsider), fpNmapService(fpInsider), fpNmapOS(fpInsider)},
			want: []fpWant{{host: fpInsider, reason: "internal host that floods", evidence: []string{
				"SYN flood of 10.0.0.10:80 (3000 SYNs)", "nmap SYN probes: 400 SYNs"}}},
		},
		{
			name:   "an outside nmap scanner is never excused",
			events: fpVerticals(fpOutsider, "10.0.0.10", "10.0.0.11", "10.0.0.12"),
			prints: []fingerprint.Evidence{fpNmapSYN(fpOutsider), fpNmapService(fpOutsider)},
			want: []fpWant{{host: fpOutsider, reason: "outside address", evidence: []string{
				"looks like a scanner (nmap SYN probes: 400 SYNs"}}},
		},
		{
			name:   "fingerprints of a host that fired nothing make no verdict",
			events: fpVerticals(fpInsider, "10.0.0.10"),
			prints: []fingerprint.Evidence{fpNmapSYN("10.0.0.99"), fpNmapService("10.0.0.99")},
			want:   []fpWant{{host: fpInsider, reason: "no evidence of a scanner, guest VM or monitoring system"}},
		},
		{
			name: "hosts in order, addresses before MACs",
			events: fpJoin(
				[]packet.Event{fpEv(detectors.SIDARPPoison, "", mac(fpVMware2), kind("gratuitous", 1), victim("10.0.0.41", 0), prevMAC(fpVMware1))},
				fpScan("10.0.0.200"),
				[]packet.Event{fpEv(detectors.SIDPortScan, "::ffff:"+fpOutsider, kind("vertical", 15), victim("10.0.0.10", 0))},
				fpScan("10.0.0.3"),
			),
			want: []fpWant{
				{host: "10.0.0.3", verdict: VerdictScanner, confidence: ConfidenceMedium},
				{host: "10.0.0.200", verdict: VerdictScanner, confidence: ConfidenceMedium},
				{host: "00:0c:29:04:05:06", verdict: VerdictGuestVM, confidence: ConfidenceHigh},
				{host: fpOutsider, reason: "outside address"},
			},
		},
	}
	cat := fpCatalog(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fps, inv := classifyHosts(tt.events, cat, HomeNet{}, tt.prints...)
			var wantFP, wantInv []fpWant
			for _, w := range tt.want {
				if w.verdict != "" {
					wantFP = append(wantFP, w)
				} else {
					wantInv = append(wantInv, w)
				}
			}
			if len(fps) != len(wantFP) || len(inv) != len(wantInv) {
				t.Fatalf("got false positives %+v\ninvestigate %+v\nwant %+v", fps, inv, tt.want)
			}
			for i, w := range wantFP {
				fp := fps[i]
				if fp.Host.String() != w.host || fp.Verdict != w.verdict || fp.Confidence != w.confidence {
					t.Errorf("false positive %d: %s %s %s, want %s %s %s\n%s", i, fp.Host, fp.Verdict, fp.Confidence,
						w.host, w.verdict, w.confidence, strings.Join(fp.Evidence, "\n"))
				}
				if !strings.Contains(fp.Reason, w.reason) {
					t.Errorf("false positive %d: reason %q, want it to hold %q", i, fp.Reason, w.reason)
				}
				if !strings.HasPrefix(fp.Exclusion, fp.Host.String()+" ") && !strings.HasPrefix(fp.Exclusion, fp.MAC.String()+" ") {
					t.Errorf("exclusion %q names neither %s nor %s", fp.Exclusion, fp.Host, fp.MAC)
				}
				if fp.Reason == "" || fp.Alerts == 0 || len(fp.SIDs) == 0 || !slices.IsSorted(fp.SIDs) {
					t.Errorf("false positive %+v: want a reason, alerts and sorted sids", fp)
				}
				fpHasEvidence(t, fp.Evidence, w.evidence)
			}
			for i, w := range wantInv {
				v := inv[i]
				if v.Host.String() != w.host || !strings.Contains(v.Reason, w.reason) {
					t.Errorf("investigate %d: %s %q, want %s %q", i, v.Host, v.Reason, w.host, w.reason)
				}
				if v.Alerts == 0 || len(v.SIDs) == 0 || len(v.Evidence) == 0 {
					t.Errorf("investigate %+v: want alerts, sids and evidence", v)
				}
				fpHasEvidence(t, v.Evidence, w.evidence)
			}
		})
	}
}

func fpHasEvidence(t *testing.T, got, want []string) {
	t.Helper()
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, w) }) {
			t.Errorf("no evidence line holds %q:\n%s", w, strings.Join(got, "\n"))
		}
	}
}

func TestScannerTool(t *testing.T) {
	for name, want := range map[string]string{
		"Audit: Nmap Scripting Engine User-Agent": "Nmap",
		"ET SCAN NMAP OS Detection Probe":         "Nmap",
		"Audit: Nessus Scanner User-Agent":        "Nessus",
		"GPL SCAN OpenVAS-VT probe":               "OpenVAS",
		"Audit: Qualys Scanner User-Agent":        "Qualys",
		"Audit: Nikto Scanner User-Agent":         "Nikto",
		"Audit: Nessus 404 Probe URI":             "Nessus",
		"Audit: Nikto PUT Test File URI":          "Nikto",
		"Audit: OpenVAS Probe String in URI":      "OpenVAS",
		"Roadmap: nmapped drives":                 "Nmap", // a word start is enough
		"Attack: Roadmap":                         "",
		"Attack: Port Scan":                       "",
	} {
		if got := scannerTool(name); got != want {
			t.Errorf("scannerTool(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestClassifyHostsCorpus runs every bundled capture as one timeline: the
// internal scanner and the guest VMs are flagged with evidence, and none
// of the attackers is.
func TestClassifyHostsCorpus(t *testing.T) {
	files, err := ExpandPaths([]string{"../pcaps"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Analyze(context.Background(), files, cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, fp := range res.FalsePositives {
		got[fp.Host.String()] = fp.Verdict
		if len(fp.Evidence) < 2 {
			t.Errorf("%s: thin evidence %q", fp.Host, fp.Evidence)
		}
	}
	for host, verdict := range map[string]string{
		"192.168.1.250":     VerdictScanner,
		"00:0c:29:c4:19:3b": VerdictGuestVM,
		"00:1c:42:8d:13:6f": VerdictGuestVM,
		"00:0c:29:5e:71:a2": VerdictGuestVM,
	} {
		if got[host] != verdict {
			t.Errorf("%s: verdict %q, want %q (all: %v)", host, got[host], verdict, got)
		}
	}
	investigate := map[string]string{}
	for _, v := range res.Investigate {
		investigate[v.Host.String()] = v.Reason
	}
	for _, host := range []string{"203.0.113.66", "203.0.113.77", "203.0.113.78", "203.0.113.88", "198.51.100.23", "192.168.1.66", "2001:db8:66::1"} {
		if v, ok := got[host]; ok {
			t.Errorf("attacker %s flagged as %s", host, v)
		}
		if _, ok := investigate[host]; !ok {
			t.Errorf("attacker %s not among the hosts to investigate", host)
		}
	}
	if r := investigate["192.168.1.66"]; !strings.Contains(r, "poisons ARP caches") {
		t.Errorf("192.168.1.66: reason %q", r)
	}
}

// TestClassifyHostsNmapLab: the capture of `nmap -sV --version-light
// --top-ports 100` against four hosts, made by nmap itself
// (../fingerprint/testdata/README.md). Its alerts are four vertical scans,
// low confidence alone; nmap's SYN and service probe fingerprints make the
// internal scanner's verdict confident enough for exclusions suggest
// (medium), naming the tool.
func TestClassifyHostsNmapLab(t *testing.T) {
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Analyze(context.Background(), []string{"../fingerprint/testdata/nmap-sv.pcap"}, cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.FalsePositives) != 1 || len(res.Investigate) != 0 {
		t.Fatalf("false positives %+v, investigate %+v; want one scanner", res.FalsePositives, res.Investigate)
	}
	fp := res.FalsePositives[0]
	if fp.Host.String() != "10.77.0.1" || fp.Verdict != VerdictScanner || fp.Confidence == ConfidenceLow || !strings.Contains(fp.Reason, "Nmap") {
		t.Errorf("verdict %s %s %s (%s), want 10.77.0.1 scanner at medium or high, naming Nmap", fp.Host, fp.Verdict, fp.Confidence, fp.Reason)
	}
	fpHasEvidence(t, fp.Evidence, []string{
		"nmap SYN probes: 400 SYNs with window 1024 and a lone MSS option (1460)",
		"nmap service probes: 56 probes sent byte for byte as in nmap-service-probes",
		"vertical scans of 4 hosts (10.77.0.2, 10.77.0.3, 10.77.0.4, 10.77.0.5)",
	})
	// the same alerts without the packets' fingerprints: what the verdict was
	fps, _ := classifyHosts(detectionsOf(t, res), cfg.Catalog, HomeNet{})
	if len(fps) != 1 || fps[0].Confidence != ConfidenceLow {
		t.Errorf("without fingerprints: %+v, want one scanner at low confidence", fps)
	}
}

// detectionsOf rebuilds the detections classifyHosts reads from a
// result's alerts (attacker, victim, kind and count are all it uses here).
func detectionsOf(t *testing.T, res *Result) []packet.Event {
	t.Helper()
	var out []packet.Event
	for _, a := range res.Alerts {
		ev := packet.Event{SID: a.SID, Kind: a.Kind, Count: a.Count, VictimPort: a.VictimPort}
		ev.Attacker, ev.Victim = a.Attacker, a.Victim.Addr()
		out = append(out, ev)
	}
	return out
}
