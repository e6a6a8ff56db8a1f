package extract

import (
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/packet/packettest"
	"github.com/ipsreplay/ipsreplay/pktsel"
)

const lab = "../pcaps/lab/"

// analyze runs the default analysis of files.
func analyze(t *testing.T, files ...string) *analyzer.Result {
	t.Helper()
	cfg, err := analyzer.DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	res, err := analyzer.Analyze(context.Background(), files, cfg, analyzer.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// extractAll runs an extraction with cfg (Dir set here) and returns it.
func extractAll(t *testing.T, cfg Config, res *analyzer.Result, files ...string) *Extractor {
	t.Helper()
	cfg.Dir = filepath.Join(t.TempDir(), "out")
	x, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Run(context.Background(), files, nil, res); err != nil {
		t.Fatal(err)
	}
	return x
}

// decodeIPv4TCP returns a packet's addresses, ports and flags.
func decodeTCP(t *testing.T, data []byte) (*layers.IPv4, *layers.TCP) {
	t.Helper()
	p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
	ip, _ := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
	if ip == nil || tcp == nil {
		t.Fatalf("not IPv4 TCP: %v", p)
	}
	return ip, tcp
}

func alertOf(t *testing.T, res *analyzer.Result, sid uint32) *analyzer.Alert {
	t.Helper()
	for i := range res.Alerts {
		if res.Alerts[i].SID == sid {
			return &res.Alerts[i]
		}
	}
	t.Fatalf("no alert of sid %d in %d alerts", sid, len(res.Alerts))
	return nil
}

func TestSynFloodPcap(t *testing.T) {
	files := []string{lab + "hping3-synflood.pcap"}
	res := analyze(t, files...)
	x := extractAll(t, DefaultConfig(""), res, files...)
	a := alertOf(t, res, detectors.SIDSynFlood)
	if a.Extract != "synflood_10.77.0.25_20261204T170902Z.pcap" {
		t.Fatalf("extract name %q", a.Extract)
	}
	link, pkts := packettest.ReadPcap(t, filepath.Join(x.cfg.Dir, a.Extract))
	if link != layers.LinkTypeEthernet {
		t.Errorf("link type %v, want Ethernet", link)
	}
	// the alert counted 200 SYNs in its window, all kept (100 + 100)
	if len(pkts) != int(a.Count) || a.Count != 200 {
		t.Fatalf("%d packets for an alert of %d SYNs, want 200", len(pkts), a.Count)
	}
	for i, p := range pkts {
		ip, tcp := decodeTCP(t, p.Data)
		if ip.SrcIP.String() != "10.77.0.25" || ip.DstIP.String() != "10.77.0.5" || tcp.DstPort != 80 || !tcp.SYN || tcp.ACK {
			t.Fatalf("packet %d: %s:%d -> %s:%d syn %v ack %v, want a SYN 10.77.0.25 -> 10.77.0.5:80",
				i+1, ip.SrcIP, tcp.SrcPort, ip.DstIP, tcp.DstPort, tcp.SYN, tcp.ACK)
		}
		if p.Info.Timestamp.Before(a.First.Time) || p.Info.Timestamp.After(a.Last.Time) {
			t.Fatalf("packet %d at %v, outside the alert's window [%v, %v]", i+1, p.Info.Timestamp, a.First, a.Last)
		}
	}
	if !pkts[0].Info.Timestamp.Equal(a.First.Time) || !pkts[len(pkts)-1].Info.Timestamp.Equal(a.Last.Time) {
		t.Errorf("pcap spans %v..%v, the alert %v..%v", pkts[0].Info.Timestamp, pkts[len(pkts)-1].Info.Timestamp, a.First, a.Last)
	}
	// the event's copy of the alert names the file too
	named := 0
	for _, ev := range res.Events {
		if ev.Alert != nil && ev.Alert.SID == a.SID && ev.Alert.Extract == a.Extract {
			named++
		}
	}
	if named == 0 {
		t.Error("no event's alert names the pcap")
	}
	if x.Files != 1 || x.Bytes <= 0 {
		t.Errorf("extractor wrote %d files, %d bytes", x.Files, x.Bytes)
	}
}

// TestBounds keeps the first 3 and last 2 of the flood's 200 SYNs: the
// same packets an unbounded extraction has at those places.
func TestBounds(t *testing.T) {
	files := []string{lab + "hping3-synflood.pcap"}
	res := analyze(t, files...)
	whole := extractAll(t, DefaultConfig(""), res, files...)
	_, all := packettest.ReadPcap(t, filepath.Join(whole.cfg.Dir, alertOf(t, res, detectors.SIDSynFlood).Extract))

	res = analyze(t, files...)
	cfg := DefaultConfig("")
	cfg.First, cfg.Last = 3, 2
	x := extractAll(t, cfg, res, files...)
	_, got := packettest.ReadPcap(t, filepath.Join(x.cfg.Dir, alertOf(t, res, detectors.SIDSynFlood).Extract))
	want := append(append([]packettest.Record{}, all[:3]...), all[len(all)-2:]...)
	if len(got) != len(want) {
		t.Fatalf("%d packets, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].Info.Timestamp.Equal(want[i].Info.Timestamp) || string(got[i].Data) != string(want[i].Data) {
			t.Errorf("packet %d differs from packet %d of the whole extraction", i+1, i+1)
		}
	}

	// only the last ones
	res = analyze(t, files...)
	cfg.First, cfg.Last = 0, 4
	x = extractAll(t, cfg, res, files...)
	_, got = packettest.ReadPcap(t, filepath.Join(x.cfg.Dir, alertOf(t, res, detectors.SIDSynFlood).Extract))
	if len(got) != 4 || !got[3].Info.Timestamp.Equal(all[len(all)-1].Info.Timestamp) || !got[0].Info.Timestamp.Equal(all[len(all)-4].Info.Timestamp) {
		t.Errorf("last 4: %d packets, not the last 4 of the whole", len(got))
	}
}

// TestMaxBytes gives the budget room for the first ARP alert's frame
// only: the second alert gets no file, and a warning says so.
func TestMaxBytes(t *testing.T) {
	files := []string{lab + "arpspoof.pcap"}
	res := analyze(t, files...)
	var arps []*analyzer.Alert
	for i := range res.Alerts {
		if res.Alerts[i].SID == detectors.SIDARPPoison {
			arps = append(arps, &res.Alerts[i])
		}
	}
	if len(arps) < 2 {
		t.Fatalf("%d ARP alerts, want 2 or more", len(arps))
	}
	cfg := DefaultConfig("")
	cfg.MaxBytes = fileHeader + recordHeader + 60 // one ARP frame (42 bytes, or 60 padded)
	x := extractAll(t, cfg, res, files...)
	if arps[0].Extract == "" {
		t.Fatal("the first alert got no pcap")
	}
	for _, a := range arps[1:] {
		if a.Extract != "" {
			t.Errorf("alert at %v got %s past the budget", a.Time, a.Extract)
		}
	}
	if x.Bytes > cfg.MaxBytes {
		t.Errorf("wrote %d bytes, budget %d", x.Bytes, cfg.MaxBytes)
	}
	if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[len(res.Warnings)-1], "max-bytes") {
		t.Errorf("warnings %q: want one about --extract-max-bytes", res.Warnings)
	}
}

// TestOtherAlerts extracts a port scan, ARP poisoning, a brute force and
// an IPv6 and a VLAN-tagged scan, and checks every packet written is one
// the alert's selection matches, decoded as the analysis decodes.
func TestOtherAlerts(t *testing.T) {
	for _, tc := range []struct {
		file string
		sid  uint32
		min  int // packets at least
	}{
		{lab + "nmap-sS.pcap", detectors.SIDPortScan, 15},
		{lab + "arpspoof.pcap", detectors.SIDARPPoison, 1},
		{lab + "hydra-ssh.pcap", detectors.SIDBruteForce, 200},
		{"../pcaps/ipv6-scan.pcap", detectors.SIDPortScan, 15},
		{"../pcaps/vlan.pcap", detectors.SIDPortScan, 15},
		{lab + "nmap-sweep5.pcap", detectors.SIDPortScan, 5},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			res := analyze(t, tc.file)
			x := extractAll(t, DefaultConfig(""), res, tc.file)
			a := alertOf(t, res, tc.sid)
			if a.Extract == "" {
				t.Fatal("no pcap")
			}
			spec, ok := pktsel.For(a)
			if !ok {
				t.Fatal("no selection")
			}
			path := filepath.Join(x.cfg.Dir, a.Extract)
			var n int
			err := analyzer.Reread(context.Background(), []string{path}, nil, 0, "", func(p *analyzer.RereadPacket) {
				n++
				if !spec.Match(p.Facts) {
					t.Errorf("packet %d of %s is not the alert's: %+v", n, a.Extract, *p.Facts)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if n < tc.min {
				t.Errorf("%d packets, want %d or more", n, tc.min)
			}
		})
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"portscan_2001:db8::1_20261205T101500Z": "portscan_2001-db8--1_20261205T101500Z",
		"arp-poison_02:1a:b0:00:00:19_x":        "arp-poison_02-1a-b0-00-00-19_x",
		"../../etc/passwd":                      "..-..-etc-passwd",
		"a b\x1b[31m\u00e9":                     "a-b--31m-",
	} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNames gives alerts of one second distinct names.
func TestNames(t *testing.T) {
	x := &Extractor{names: map[string]bool{}}
	a := analyzer.Alert{SID: 2001219, Attacker: netipAddr("10.0.0.5"), Rule: &analyzer.RuleInfo{}}
	first, second := x.name(&a), x.name(&a)
	if first != "sid-2001219_10.0.0.5_notime.pcap" || second != "sid-2001219_10.0.0.5_notime-2.pcap" {
		t.Errorf("names %q, %q", first, second)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg Config
		ok  bool
	}{
		{DefaultConfig("d"), true},
		{Config{Dir: "d", First: 0, Last: 1, MaxBytes: 1}, true},
		{Config{First: 1, Last: 1, MaxBytes: 1}, false},
		{Config{Dir: "d", First: 0, Last: 0, MaxBytes: 1}, false},
		{Config{Dir: "d", First: -1, Last: 1, MaxBytes: 1}, false},
		{Config{Dir: "d", First: 1, Last: 1, MaxBytes: 0}, false},
	} {
		if err := tc.cfg.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: Validate() = %v, want ok %v", tc.cfg, err, tc.ok)
		}
	}
}

func netipAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// TestSharedPcap: two alerts of the same packets (rules on one flow)
// name one pcap, written once.
func TestSharedPcap(t *testing.T) {
	files := []string{lab + "hping3-synflood.pcap"}
	res := analyze(t, files...)
	a := *alertOf(t, res, detectors.SIDSynFlood)
	a.Time = analyzer.TimeOf(a.Time.Add(time.Second)) // another alert, the same packets
	a.Count++
	res.Alerts = append(res.Alerts, a)
	x := extractAll(t, DefaultConfig(""), res, files...)
	first, second := alertOf(t, res, detectors.SIDSynFlood), res.Alerts[len(res.Alerts)-1]
	if first.Extract == "" || second.Extract != first.Extract {
		t.Errorf("pcaps %q and %q, want one shared", first.Extract, second.Extract)
	}
	if x.Files != 1 {
		t.Errorf("%d files written, want 1", x.Files)
	}
}
