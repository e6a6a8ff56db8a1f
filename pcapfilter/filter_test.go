package pcapfilter

import (
	"net"
	"strings"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

func frame(t *testing.T, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	macA = net.HardwareAddr{0x52, 0x54, 0, 0x4c, 0xab, 0x26}
	macB = net.HardwareAddr{0x52, 0x54, 0, 0x4c, 0xab, 0x27}
)

// packets: a TCP SYN to port 80, a DNS query, an ARP request, an IPv6
// echo request, and the SYN in a VLAN tag.
func packets(t *testing.T) map[string][]byte {
	ip4 := func(proto layers.IPProtocol) *layers.IPv4 {
		return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: proto,
			SrcIP: net.IP{10, 0, 0, 1}, DstIP: net.IP{10, 0, 0, 2}}
	}
	eth := func(typ layers.EthernetType) *layers.Ethernet {
		return &layers.Ethernet{SrcMAC: macA, DstMAC: macB, EthernetType: typ}
	}
	syn := &layers.TCP{SrcPort: 40000, DstPort: 80, SYN: true, Seq: 1, Window: 1024}
	syn.SetNetworkLayerForChecksum(ip4(layers.IPProtocolTCP))
	udp := &layers.UDP{SrcPort: 5353, DstPort: 53}
	ipu := ip4(layers.IPProtocolUDP)
	udp.SetNetworkLayerForChecksum(ipu)
	ip6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolICMPv6,
		SrcIP: net.ParseIP("fe80::1"), DstIP: net.ParseIP("fe80::2")}
	icmp6 := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(128, 0)}
	icmp6.SetNetworkLayerForChecksum(ip6)
	ipt := ip4(layers.IPProtocolTCP)
	syn2 := &layers.TCP{SrcPort: 40000, DstPort: 80, SYN: true, Seq: 1, Window: 1024}
	syn2.SetNetworkLayerForChecksum(ipt)
	return map[string][]byte{
		"syn":   frame(t, eth(layers.EthernetTypeIPv4), ip4(layers.IPProtocolTCP), syn),
		"dns":   frame(t, eth(layers.EthernetTypeIPv4), ipu, udp, gopacket.Payload("query")),
		"arp":   frame(t, eth(layers.EthernetTypeARP), &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4, Operation: 1, SourceHwAddress: macA, SourceProtAddress: []byte{10, 0, 0, 1}, DstHwAddress: make([]byte, 6), DstProtAddress: []byte{10, 0, 0, 9}}),
		"ping6": frame(t, eth(layers.EthernetTypeIPv6), ip6, icmp6, &layers.ICMPv6Echo{Identifier: 1, SeqNumber: 1}),
		"vlan": frame(t, &layers.Ethernet{SrcMAC: macA, DstMAC: macB, EthernetType: layers.EthernetTypeDot1Q},
			&layers.Dot1Q{VLANIdentifier: 100, Type: layers.EthernetTypeIPv4}, ipt, syn2),
	}
}

func TestMatch(t *testing.T) {
	pkts := packets(t)
	tests := []struct {
		expr string
		want string // the packets it accepts, in the order syn dns arp ping6 vlan
	}{
		{"", "syn dns arp ping6 vlan"},
		{"tcp", "syn"},
		{"udp port 53", "dns"},
		{"host 10.0.0.1", "syn dns arp"},
		{"arp host 10.0.0.9", "arp"},
		{"src host 10.0.0.1 and not arp", "syn dns"},
		{"dst port 80 or dst port 53", "syn dns"},
		{"port 80 or 53", "syn dns"},
		{"portrange 50-100", "syn dns"},
		{"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn", "syn"},
		{"icmp6 and ip6[40] == 128", "ping6"},
		{"ip6 host fe80::2", "ping6"},
		{"ether src 52:54:00:4c:ab:26 and not ip", "arp ping6 vlan"},
		{"vlan 100 and tcp port 80", "vlan"},
		{"vlan 200", ""},
		{"net 10.0.0.0/30", "syn dns arp"},
		{"net 10.0.0.0 mask 255.255.255.252", "syn dns arp"},
		{"len > 60", "ping6"}, // Ethernet pads the others to 60
		{"not (tcp or udp)", "arp ping6 vlan"},
	}
	names := []string{"syn", "dns", "arp", "ping6", "vlan"}
	for _, tc := range tests {
		f, err := Compile(tc.expr, linkEthernet, 262144)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		var got []string
		for _, n := range names {
			if f.Match(pkts[n]) {
				got = append(got, n)
			}
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%q accepts %q, want %q", tc.expr, strings.Join(got, " "), tc.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"host example.com", "host names are not resolved"},
		{"tcp port", "expected an address, network or port at the end"},
		{"port 70000", "not a port"},
		{"gateway 10.0.0.1", `"gateway" is not supported`},
		{"tcp and", "expected a primitive at the end"},
		{"(tcp", `expected ")"`},
		{"ip[1 = 2", `expected "]"`},
		{"tcp[13] & 2", "expected a comparison"},
		{"ip[0] / 0 = 1", "division by zero"},
		{"foo[1] = 2", `"foo" cannot be indexed`},
		{"tcp # x", `unexpected '#' at position 5`},
		{"ip[0:3] = 1", "size of 1, 2 or 4"},
		{"vlan 5000", "out of range"},
		{"tcp tcp", `unexpected word at "tcp" (position 5)`},
	}
	for _, tc := range tests {
		_, err := Compile(tc.expr, linkEthernet, 262144)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to say %q", tc.expr, err, tc.want)
		}
		if err != nil && !strings.Contains(err.Error(), `filter "`+tc.expr+`"`) {
			t.Errorf("%q: error %v does not name the expression", tc.expr, err)
		}
	}
	if _, err := Compile("tcp", 0, 65535); err == nil || !strings.Contains(err.Error(), "link type 0") {
		t.Errorf("null link: %v", err)
	}
	if _, err := Compile("ether host 52:54:00:4c:ab:26", linkRaw, 65535); err == nil {
		t.Error("ether host on a raw IP link compiled")
	}
}
