//go:build cgo

package main

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/ipsreplay/ipsreplay/analyzer"
)

// --bpf keeps what tcpdump would keep: for each expression, the packets
// analysed are those a predicate written here independently, over
// gopacket's decoding, accepts in each bundled capture. The predicates
// follow pcap-filter(7): without "vlan" a protocol is looked for right
// after the Ethernet header, so tagged frames match none; "host" is IPv4,
// IPv6, ARP and RARP; tcp[] indexes IPv4's TCP header only.
func TestBPFMatchesTcpdumpMeaning(t *testing.T) {
	tagged := func(p gopacket.Packet) bool { return p.Layer(layers.LayerTypeDot1Q) != nil }
	ipIs := func(p gopacket.Packet, addr string) bool {
		want := net.ParseIP(addr)
		if tagged(p) {
			return false
		}
		if l, ok := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4); ok {
			return l.SrcIP.Equal(want) || l.DstIP.Equal(want)
		}
		if l, ok := p.Layer(layers.LayerTypeARP).(*layers.ARP); ok {
			return net.IP(l.SourceProtAddress).Equal(want) || net.IP(l.DstProtAddress).Equal(want)
		}
		return false
	}
	port := func(p gopacket.Packet, n uint16) bool {
		if tagged(p) {
			return false
		}
		if l, ok := p.Layer(layers.LayerTypeTCP).(*layers.TCP); ok {
			return uint16(l.SrcPort) == n || uint16(l.DstPort) == n
		}
		if l, ok := p.Layer(layers.LayerTypeUDP).(*layers.UDP); ok {
			return uint16(l.SrcPort) == n || uint16(l.DstPort) == n
		}
		return false
	}
	has := func(p gopacket.Packet, lt gopacket.LayerType) bool { return !tagged(p) && p.Layer(lt) != nil }
	tests := []struct {
		expr string
		want func(gopacket.Packet) bool
	}{
		{"tcp", func(p gopacket.Packet) bool { return has(p, layers.LayerTypeTCP) }},
		{"udp", func(p gopacket.Packet) bool { return has(p, layers.LayerTypeUDP) }},
		{"arp", func(p gopacket.Packet) bool { return has(p, layers.LayerTypeARP) }},
		{"not tcp", func(p gopacket.Packet) bool { return !has(p, layers.LayerTypeTCP) }},
		{"tcp port 22", func(p gopacket.Packet) bool { return has(p, layers.LayerTypeTCP) && port(p, 22) }},
		{"port 53 or port 80", func(p gopacket.Packet) bool { return port(p, 53) || port(p, 80) }},
		{"host 192.168.1.77", func(p gopacket.Packet) bool { return ipIs(p, "192.168.1.77") }},
		{"tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0", func(p gopacket.Packet) bool {
			l, ok := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
			return ok && has(p, layers.LayerTypeIPv4) && l.SYN && !l.ACK
		}},
		{"ip6 and tcp", func(p gopacket.Packet) bool { return has(p, layers.LayerTypeIPv6) && has(p, layers.LayerTypeTCP) }},
		{"vlan and tcp", func(p gopacket.Packet) bool { return tagged(p) && p.Layer(layers.LayerTypeTCP) != nil }},
		{"(tcp or udp) and not port 22", func(p gopacket.Packet) bool {
			return (has(p, layers.LayerTypeTCP) || has(p, layers.LayerTypeUDP)) && !port(p, 22)
		}},
	}
	captures, _ := filepath.Glob(filepath.Join("..", "..", "pcaps", "*.pcap"))
	if len(captures) < 5 {
		t.Fatalf("found %d bundled captures", len(captures))
	}
	for _, c := range captures {
		packets := readPackets(t, c)
		for _, tt := range tests {
			var want uint64
			for _, p := range packets {
				if tt.want(p) {
					want++
				}
			}
			r := runArgs(t, "analyze", "-f", "json", "--bpf", tt.expr, c)
			if r.code != exitOK {
				t.Fatalf("%s --bpf %q: exit %d: %s", c, tt.expr, r.code, r.stderr)
			}
			if got := decodeReport(t, r.stdout).Summary.Packets; got != want {
				t.Errorf("%s --bpf %q: %d packets analysed, want %d", filepath.Base(c), tt.expr, got, want)
			}
		}
	}
}

// readPackets decodes every packet of an Ethernet pcap with gopacket.
func readPackets(t *testing.T, path string) []gopacket.Packet {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []gopacket.Packet
	for {
		data, _, err := r.ReadPacketData()
		if err != nil {
			break
		}
		out = append(out, gopacket.NewPacket(data, r.LinkType(), gopacket.Default))
	}
	return out
}

func TestBPFUsage(t *testing.T) {
	for _, args := range [][]string{
		{"analyze", "--bpf", "tcp prt 22", capture("portscan.pcap")},
		{"replay", "--speed", "max", "--bpf", "tcp prt 22", capture("portscan.pcap")},
	} {
		r := runArgs(t, args...)
		r.wantCode(t, exitInput)
		r.wantNoStdout(t)
		r.wantOneErrorLine(t, `--bpf "tcp prt 22": `, "syntax error")
	}
}

// The filter runs on every packet: it allocates nothing once compiled.
func TestBPFFilterAllocs(t *testing.T) {
	filter, err := compileFilter("tcp port 22 or arp", func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	pkts := readPackets(t, capture("bruteforce-ssh.pcap"))
	data := pkts[len(pkts)/2].Data()
	if !filter(analyzer.LinkEthernet, data, len(data)) {
		t.Fatal("an SSH packet did not pass tcp port 22")
	}
	if n := testing.AllocsPerRun(1000, func() { filter(analyzer.LinkEthernet, data, len(data)) }); n != 0 {
		t.Errorf("%v allocations per packet", n)
	}
}

// A tcpdump-style expression after the paths is --bpf.
func TestTrailingFilterIsBPF(t *testing.T) {
	ps := capture("bruteforce-ssh.pcap")
	flag := runArgs(t, "analyze", "-f", "json", "--bpf", "tcp port 22", ps)
	flag.wantCode(t, exitOK)
	for _, args := range [][]string{
		{"analyze", "-f", "json", ps, "tcp", "port", "22"},
		{"analyze", ps, "tcp port 22", "-f", "json"},
	} {
		r := runArgs(t, args...)
		r.wantCode(t, exitOK)
		if got, want := decodeReport(t, r.stdout).Summary.Packets, decodeReport(t, flag.stdout).Summary.Packets; got != want {
			t.Errorf("%q: %d packets, --bpf gives %d", args, got, want)
		}
	}
	r := runArgs(t, "analyze", "--bpf", "udp", ps, "tcp")
	r.wantCode(t, exitInput)
	r.wantOneErrorLine(t, "a filter in --bpf and another after the paths")
}
