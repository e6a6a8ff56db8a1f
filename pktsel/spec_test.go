package pktsel

import (
	"net/netip"
	"os/exec"
	"testing"
	"time"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/packet"
)

var (
	t0 = time.Date(2026, 12, 5, 10, 15, 0, 0, time.UTC)
	t1 = t0.Add(2 * time.Second)
)

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func mac(s string) analyzer.MAC {
	m, err := analyzer.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// filterCases are alerts of each kind and the filters they must give.
var filterCases = []struct {
	name       string
	alert      analyzer.Alert
	wireshark  string
	bpf        string
	noSpecWant bool
}{
	{
		name: "rule flow",
		alert: analyzer.Alert{SID: 2001219, Attacker: addr("10.0.0.5"), AttackerPort: 4444, Victim: analyzer.AddrHost(addr("10.0.0.9")),
			VictimPort: 80, Proto: "TCP", FlowID: 7, Rule: &analyzer.RuleInfo{GID: 1, Rev: 1}},
		wireshark: "ip.addr==10.0.0.5 && ip.addr==10.0.0.9 && tcp.port==4444 && tcp.port==80 && !icmp",
		bpf:       "host 10.0.0.5 and host 10.0.0.9 and tcp port 4444 and tcp port 80",
	},
	{
		name: "rule flow ipv6 vlan",
		alert: analyzer.Alert{SID: 1, Attacker: addr("2001:db8::5"), AttackerPort: 5353, Victim: analyzer.AddrHost(addr("2001:db8::9")),
			VictimPort: 53, Proto: "UDP", FlowID: 7, VLAN: 100, Rule: &analyzer.RuleInfo{}},
		wireshark: "ipv6.addr==2001:db8::5 && ipv6.addr==2001:db8::9 && udp.port==5353 && udp.port==53 && !icmpv6",
		bpf:       "vlan and host 2001:db8::5 and host 2001:db8::9 and udp port 5353 and udp port 53",
	},
	{
		name: "rule icmp",
		alert: analyzer.Alert{SID: 2, Attacker: addr("10.0.0.5"), Victim: analyzer.AddrHost(addr("10.0.0.9")),
			Proto: "ICMP", Rule: &analyzer.RuleInfo{}},
		wireshark: "ip.addr==10.0.0.5 && ip.addr==10.0.0.9 && icmp",
		bpf:       "host 10.0.0.5 and host 10.0.0.9 and icmp",
	},
	{
		name: "syn flood direct",
		alert: analyzer.Alert{SID: detectors.SIDSynFlood, Kind: detectors.KindFloodDirect, Attacker: addr("10.0.0.5"),
			Victim: analyzer.AddrHost(addr("10.0.0.9")), VictimPort: 80, Proto: "TCP"},
		wireshark: "ip.src==10.0.0.5 && ip.dst==10.0.0.9 && tcp.dstport==80 && !icmp && tcp.flags.syn==1 && tcp.flags.ack==0",
		bpf:       "src host 10.0.0.5 and dst host 10.0.0.9 and tcp dst port 80 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
	},
	{
		name: "syn flood spoofed ipv6",
		alert: analyzer.Alert{SID: detectors.SIDSynFlood, Kind: detectors.KindFloodSpoofed, Spoofed: true,
			Victim: analyzer.AddrHost(addr("2001:db8::9")), VictimPort: 443, Proto: "TCP"},
		wireshark: "ipv6.dst==2001:db8::9 && tcp.dstport==443 && !icmpv6 && tcp.flags.syn==1 && tcp.flags.ack==0",
		bpf:       "dst host 2001:db8::9 and tcp dst port 443 and ip6[6] == 6 and ip6[53] & 0x12 == 0x02",
	},
	{
		name: "vertical scan udp",
		alert: analyzer.Alert{SID: detectors.SIDPortScan, Kind: detectors.KindVertical, Attacker: addr("10.0.0.5"),
			Victim: analyzer.AddrHost(addr("10.0.0.9")), Proto: "UDP"},
		wireshark: "ip.src==10.0.0.5 && ip.dst==10.0.0.9 && udp && !icmp",
		bpf:       "src host 10.0.0.5 and dst host 10.0.0.9 and udp",
	},
	{
		name: "port sweep of a network",
		alert: analyzer.Alert{SID: detectors.SIDPortScan, Kind: detectors.KindPortSweep, Attacker: addr("10.0.0.5"),
			Victim: analyzer.NetHost(netip.MustParsePrefix("10.0.1.0/24")), VictimPort: 22, Proto: "TCP"},
		wireshark: "ip.src==10.0.0.5 && ip.dst==10.0.1.0/24 && tcp.dstport==22 && !icmp",
		bpf:       "src host 10.0.0.5 and dst net 10.0.1.0/24 and tcp dst port 22",
	},
	{
		name:      "arp sweep",
		alert:     analyzer.Alert{SID: detectors.SIDPortScan, Kind: detectors.KindARPSweep, Attacker: addr("10.0.0.5"), AttackerMAC: mac("02:00:00:00:00:05")},
		wireshark: "arp.opcode==1 && arp.src.proto_ipv4==10.0.0.5",
		bpf:       "arp src host 10.0.0.5 and arp[6:2] == 1",
	},
	{
		name:      "icmp sweep ipv6",
		alert:     analyzer.Alert{SID: detectors.SIDPortScan, Kind: detectors.KindICMPSweep, Attacker: addr("2001:db8::5"), Proto: "IPv6-ICMP"},
		wireshark: "ipv6.src==2001:db8::5 && icmpv6.type==128",
		bpf:       "src host 2001:db8::5 and icmp6 and ip6[40] == 128",
	},
	{
		name:      "host sweep",
		alert:     analyzer.Alert{SID: detectors.SIDPortScan, Kind: detectors.KindHostSweep, Attacker: addr("10.0.0.5")},
		wireshark: "(arp.opcode==1 && arp.src.proto_ipv4==10.0.0.5) || (ip.src==10.0.0.5 && icmp.type==8)",
		bpf:       "((arp src host 10.0.0.5 and arp[6:2] == 1) or (src host 10.0.0.5 and icmp[icmptype] == icmp-echo))",
	},
	{
		name: "arp poisoning by mac",
		alert: analyzer.Alert{SID: detectors.SIDARPPoison, Kind: detectors.KindBindingChange, Attacker: addr("10.0.0.5"),
			AttackerMAC: mac("02:1a:b0:00:00:19"), Victim: analyzer.AddrHost(addr("10.0.0.1")), Proto: "ARP"},
		wireshark: "arp && eth.src==02:1a:b0:00:00:19",
		bpf:       "arp and ether src 02:1a:b0:00:00:19",
	},
	{
		name:      "arp poisoning without ethernet",
		alert:     analyzer.Alert{SID: detectors.SIDARPPoison, Attacker: addr("10.0.0.5"), Victim: analyzer.AddrHost(addr("10.0.0.1")), Proto: "ARP"},
		wireshark: "arp && arp.src.proto_ipv4==10.0.0.5",
		bpf:       "arp src host 10.0.0.5",
	},
	{
		name: "brute force",
		alert: analyzer.Alert{SID: detectors.SIDBruteForce, Kind: "ssh", Attacker: addr("10.0.0.5"),
			Victim: analyzer.AddrHost(addr("10.0.0.9")), VictimPort: 22, Proto: "TCP"},
		wireshark: "ip.addr==10.0.0.5 && ip.addr==10.0.0.9 && tcp.port==22 && !icmp",
		bpf:       "host 10.0.0.5 and host 10.0.0.9 and tcp port 22",
	},
	{
		name:       "distributed flood without victim",
		alert:      analyzer.Alert{SID: detectors.SIDSynFlood, Kind: detectors.KindFloodDistributed},
		noSpecWant: true,
	},
	{
		name:       "rule without victim",
		alert:      analyzer.Alert{SID: 3, Attacker: addr("10.0.0.5"), Rule: &analyzer.RuleInfo{}},
		noSpecWant: true,
	},
}

func TestFilters(t *testing.T) {
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			f := Filters(&tc.alert)
			if tc.noSpecWant {
				if f != nil {
					t.Fatalf("got filters %+v, want none", *f)
				}
				return
			}
			if f == nil {
				t.Fatal("no filters")
			}
			if f.Wireshark != tc.wireshark {
				t.Errorf("wireshark\n got %s\nwant %s", f.Wireshark, tc.wireshark)
			}
			if f.BPF != tc.bpf {
				t.Errorf("bpf\n got %s\nwant %s", f.BPF, tc.bpf)
			}
		})
	}
}

// TestBPFCompiles hands every expression to libpcap's compiler through
// tcpdump -d, on an Ethernet link as the captures have.
func TestBPFCompiles(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump not installed: BPF expressions not compiled")
	}
	for _, tc := range filterCases {
		if tc.noSpecWant {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(tcpdump, "-d", "-y", "EN10MB", tc.bpf).CombinedOutput()
			if err != nil {
				t.Fatalf("tcpdump -d %q: %v\n%s", tc.bpf, err, out)
			}
		})
	}
}

// TestDisplayFiltersParse checks the display filters with tshark's
// parser (tshark -Y on no packets) where tshark is installed.
func TestDisplayFiltersParse(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed: display filters not parsed")
	}
	empty := t.TempDir() + "/empty.pcap"
	if err := writeEmptyPcap(empty); err != nil {
		t.Fatal(err)
	}
	for _, tc := range filterCases {
		if tc.noSpecWant {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(tshark, "-n", "-r", empty, "-Y", tc.wireshark).CombinedOutput()
			if err != nil {
				t.Fatalf("tshark -Y %q: %v\n%s", tc.wireshark, err, out)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	a, v, other := addr("10.0.0.5"), addr("10.0.0.9"), addr("10.0.0.7")
	atk := [6]byte{2, 0x1a, 0xb0, 0, 0, 0x19}
	tcp := func(src, dst netip.Addr, sp, dp uint16, flags uint8, at time.Time) *packet.Facts {
		return &packet.Facts{L3: packet.L3IPv4, Src: src, Dst: dst, Proto: packet.ProtoTCP, IPProto: packet.ProtoTCP,
			SrcPort: sp, DstPort: dp, TCPFlags: flags, Time: at.UnixNano()}
	}
	arp := func(sender netip.Addr, src [6]byte, op uint16, at time.Time) *packet.Facts {
		return &packet.Facts{L3: packet.L3ARP, HasEth: true, SrcMAC: src, ARP: packet.ARPFacts{Op: op, SenderIP: sender}, Time: at.UnixNano()}
	}
	mid := t0.Add(time.Second)
	for _, tc := range []struct {
		name  string
		alert analyzer.Alert
		f     *packet.Facts
		want  bool
	}{
		{"flow forward", filterCases[0].alert, tcp(a, v, 4444, 80, packet.TCPAck, t1.Add(time.Hour)), true},
		{"flow reply", filterCases[0].alert, tcp(v, a, 80, 4444, packet.TCPAck, mid), true},
		{"flow other port", filterCases[0].alert, tcp(a, v, 4445, 80, packet.TCPAck, mid), false},
		{"flow other host", filterCases[0].alert, tcp(a, other, 4444, 80, packet.TCPAck, mid), false},
		{"flood syn", windowed(filterCases[3].alert), tcp(a, v, 1000, 80, packet.TCPSyn, mid), true},
		{"flood syn-ack", windowed(filterCases[3].alert), tcp(a, v, 1000, 80, packet.TCPSyn|packet.TCPAck, mid), false},
		{"flood reply", windowed(filterCases[3].alert), tcp(v, a, 80, 1000, packet.TCPSyn, mid), false},
		{"flood before window", windowed(filterCases[3].alert), tcp(a, v, 1000, 80, packet.TCPSyn, t0.Add(-time.Nanosecond)), false},
		{"flood at window end", windowed(filterCases[3].alert), tcp(a, v, 1000, 80, packet.TCPSyn, t1), true},
		{"flood after window", windowed(filterCases[3].alert), tcp(a, v, 1000, 80, packet.TCPSyn, t1.Add(time.Nanosecond)), false},
		{"arp poison frame", windowed(filterCases[10].alert), arp(v, atk, 2, mid), true},
		{"arp poison other mac", windowed(filterCases[10].alert), arp(v, [6]byte{2}, 2, mid), false},
		{"arp sweep request", windowed(filterCases[7].alert), arp(a, atk, 1, mid), true},
		{"arp sweep reply", windowed(filterCases[7].alert), arp(a, atk, 2, mid), false},
		{"brute force reply", windowed(filterCases[12].alert), tcp(v, a, 22, 50000, packet.TCPAck, mid), true},
		{"brute force other service", windowed(filterCases[12].alert), tcp(v, a, 23, 50000, packet.TCPAck, mid), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := For(&tc.alert)
			if !ok {
				t.Fatal("no spec")
			}
			if got := s.Match(tc.f); got != tc.want {
				t.Errorf("Match = %v, want %v (spec %+v)", got, tc.want, s)
			}
		})
	}
}

// windowed gives a the window [t0, t1].
func windowed(a analyzer.Alert) analyzer.Alert {
	a.First, a.Last = analyzer.TimeOf(t0), analyzer.TimeOf(t1)
	return a
}
