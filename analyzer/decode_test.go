package analyzer

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ipsreplay/ipsreplay/packet"
)

var (
	macA = net.HardwareAddr{0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x01}
	macB = net.HardwareAddr{0x3c, 0x97, 0x0e, 0xaa, 0xbb, 0xcc}
	ip4A = net.IP{192, 168, 1, 20}
	ip4B = net.IP{203, 0, 113, 66}
	ip6A = net.ParseIP("2001:db8:1::20")
	ip6B = net.ParseIP("2001:db8:66::1")
)

// serialize builds a packet from layers, fixing lengths and checksums.
func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	for _, l := range ls {
		switch tl := l.(type) {
		case *layers.TCP:
			for _, n := range ls {
				if nl, ok := n.(gopacket.NetworkLayer); ok {
					tl.SetNetworkLayerForChecksum(nl)
				}
			}
		case *layers.UDP:
			for _, n := range ls {
				if nl, ok := n.(gopacket.NetworkLayer); ok {
					tl.SetNetworkLayerForChecksum(nl)
				}
			}
		}
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatalf("serialize: %v", err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

// tcpBytes serializes a bare TCP header (no checksum: no IP layer to sum).
func tcpBytes(t testing.TB, tcp *layers.TCP) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := tcp.SerializeTo(buf, gopacket.SerializeOptions{FixLengths: true}); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func ethHdr(et layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: macB, DstMAC: macA, EthernetType: et}
}

func ip4Hdr(p layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: p, SrcIP: ip4B, DstIP: ip4A}
}

func ip6Hdr(next layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 60, NextHeader: next, SrcIP: ip6B, DstIP: ip6A}
}

func synTCP() *layers.TCP {
	return &layers.TCP{SrcPort: 40000, DstPort: 22, Seq: 1000, SYN: true, Window: 1024}
}

func TestDecode(t *testing.T) {
	tcp4 := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	// IPv4 + UDP probe, quoted inside an ICMP port unreachable
	probe := serialize(t, ip4Hdr(layers.IPProtocolUDP), &layers.UDP{SrcPort: 5353, DstPort: 161})
	unreach := serialize(t, ethHdr(layers.EthernetTypeIPv4),
		&layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolICMPv4, SrcIP: ip4A, DstIP: ip4B},
		&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 3)}, gopacket.Payload(probe[:28]))
	qinq := serialize(t, &layers.Ethernet{SrcMAC: macB, DstMAC: macA, EthernetType: layers.EthernetTypeQinQ},
		&layers.Dot1Q{VLANIdentifier: 200, Type: layers.EthernetTypeDot1Q},
		&layers.Dot1Q{VLANIdentifier: 100, Type: layers.EthernetTypeIPv4},
		ip4Hdr(layers.IPProtocolTCP), synTCP())
	tcp6 := serialize(t, ethHdr(layers.EthernetTypeIPv6), ip6Hdr(layers.IPProtocolTCP), synTCP())
	// IPv6 with a destination-options header before TCP
	dstOpts := []byte{byte(layers.IPProtocolTCP), 0, 1, 4, 0, 0, 0, 0}
	ext6 := serialize(t, ethHdr(layers.EthernetTypeIPv6), ip6Hdr(layers.IPProtocolIPv6Destination),
		gopacket.Payload(append(dstOpts, tcpBytes(t, synTCP())...)))
	// a later IPv6 fragment: its bytes are not a TCP header
	frag := []byte{byte(layers.IPProtocolTCP), 0, 0x00, 0xa8, 0, 0, 0, 1}
	frag6 := serialize(t, ethHdr(layers.EthernetTypeIPv6), ip6Hdr(layers.IPProtocolIPv6Fragment),
		gopacket.Payload(append(frag, make([]byte, 40)...)))
	arp := serialize(t, ethHdr(layers.EthernetTypeARP), &layers.ARP{
		AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
		Operation: 2, SourceHwAddress: macB, SourceProtAddress: []byte{192, 168, 1, 1},
		DstHwAddress: macA, DstProtAddress: []byte{192, 168, 1, 30}})
	ipOnly := serialize(t, ip4Hdr(layers.IPProtocolTCP), synTCP())
	// SLL: packet type, ARPHRD, address length, 8 address bytes, EtherType
	sll := append([]byte{0, 0, 0, 1, 0, 6, 0x3c, 0x97, 0x0e, 0xaa, 0xbb, 0xcc, 0, 0, 0x08, 0x00}, ipOnly...)
	sll2 := make([]byte, linuxSLL2HeaderLen, linuxSLL2HeaderLen+len(ipOnly))
	binary.BigEndian.PutUint16(sll2[0:2], uint16(layers.EthernetTypeIPv4))
	sll2 = append(sll2, ipOnly...)
	null := append([]byte{2, 0, 0, 0}, ipOnly...) // AF_INET, host byte order
	udpDNS := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolUDP),
		&layers.UDP{SrcPort: 53000, DstPort: 53}, gopacket.Payload([]byte("not really dns")))

	tests := []struct {
		name  string
		link  LinkType
		data  []byte
		ok    bool
		check func(t *testing.T, f *packet.Facts)
	}{
		{"ethernet ipv4 tcp syn", LinkEthernet, tcp4, true, func(t *testing.T, f *packet.Facts) {
			want(t, f.HasEth && f.SrcMAC == [6]byte(macB) && f.DstMAC == [6]byte(macA), "macs %x %x", f.SrcMAC, f.DstMAC)
			want(t, f.L3 == packet.L3IPv4 && f.Src == netip.MustParseAddr("203.0.113.66") && f.Dst == netip.MustParseAddr("192.168.1.20"), "addrs %v %v", f.Src, f.Dst)
			want(t, f.Proto == packet.ProtoTCP && f.SrcPort == 40000 && f.DstPort == 22, "ports %d %d", f.SrcPort, f.DstPort)
			want(t, f.TCPFlags == packet.TCPSyn && f.Seq == 1000 && f.TTL == 64, "flags %x seq %d", f.TCPFlags, f.Seq)
		}},
		{"icmp port unreachable quotes the probe", LinkEthernet, unreach, true, func(t *testing.T, f *packet.Facts) {
			want(t, f.Proto == packet.ProtoICMP && f.ICMPType == 3 && f.ICMPCode == 3, "icmp %d/%d", f.ICMPType, f.ICMPCode)
			want(t, f.HasQuoted && f.Quoted.Proto == packet.ProtoUDP && f.Quoted.DstPort == 161 && f.Quoted.Src == netip.MustParseAddr("203.0.113.66"), "quoted %+v", f.Quoted)
		}},
		{"qinq keeps the inner vlan", LinkEthernet, qinq, true, func(t *testing.T, f *packet.Facts) {
			want(t, f.VLAN == 100 && f.DstPort == 22, "vlan %d port %d", f.VLAN, f.DstPort)
		}},
		{"ipv6 tcp", LinkEthernet, tcp6, true, func(t *testing.T, f *packet.Facts) {
			want(t, f.L3 == packet.L3IPv6 && f.Src == netip.MustParseAddr("2001:db8:66::1") && f.DstPort == 22 && f.TTL == 60, "%+v", f)
		}},
		{"ipv6 extension header skipped", LinkEthernet, ext6, true, func(t *testing.T, f *packet.Facts) {
			want(t, f.Proto == packet.ProtoTCP && f.DstPort == 22 && f.TCPFlags == packet.TCPSyn, "proto %d port %d", f.Proto, f.DstPort)
		}},
		{"later ipv6 fragment has no transport facts", LinkEthernet, frag6, true, func(t *testing.T, f *packet.Facts) {
			want(t, f.L3 == packet.L3IPv6 && f.Proto == 0 && f.DstPort == 0, "proto %d port %d", f.Proto, f.DstPort)
		}},
		{"arp reply", LinkEthernet, arp, true, func(t *testing.T, f *packet.Facts) {
			want(t, f.L3 == packet.L3ARP && f.ARP.Op == 2 && f.ARP.SenderIP == netip.MustParseAddr("192.168.1.1") && f.ARP.SenderMAC == [6]byte(macB), "%+v", f.ARP)
		}},
		{"linux sll", LinkLinuxSLL, sll, true, func(t *testing.T, f *packet.Facts) {
			want(t, !f.HasEth && f.DstPort == 22, "%+v", f)
		}},
		{"linux sll2", LinkLinuxSLL2, sll2, true, func(t *testing.T, f *packet.Facts) {
			want(t, f.L3 == packet.L3IPv4 && f.DstPort == 22, "%+v", f)
		}},
		{"raw ipv4", LinkRaw, ipOnly, true, func(t *testing.T, f *packet.Facts) {
			want(t, f.DstPort == 22, "%+v", f)
		}},
		{"bsd null loopback", LinkNull, null, true, func(t *testing.T, f *packet.Facts) {
			want(t, f.DstPort == 22, "%+v", f)
		}},
		{"udp with unknown application payload", LinkEthernet, udpDNS, true, func(t *testing.T, f *packet.Facts) {
			want(t, f.Proto == packet.ProtoUDP && f.DstPort == 53 && string(f.Payload) == "not really dns", "%+v", f)
		}},
		{"truncated tcp header", LinkEthernet, tcp4[:40], true, func(t *testing.T, f *packet.Facts) {
			want(t, f.L3 == packet.L3IPv4 && f.Proto == 0, "a cut TCP header must not look like a NULL scan: %+v", f)
		}},
		{"garbage", LinkEthernet, []byte{1, 2, 3}, false, nil},
		{"empty raw", LinkRaw, nil, false, nil},
		{"unsupported link", LinkType(195), tcp4, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDecoder()
			var f packet.Facts
			if got := d.decode(tc.link, tc.data, &f); got != tc.ok {
				t.Fatalf("decode ok = %v, want %v (reasons %v)", got, tc.ok, d.decodeErrors())
			}
			if tc.check != nil {
				tc.check(t, &f)
			}
		})
	}
}

// TestDecodeScannerFields: the header fields scanner fingerprints read
// (window, raw TCP options, IPv4 IP ID, echo identifier and sequence).
func TestDecodeScannerFields(t *testing.T) {
	ip := ip4Hdr(layers.IPProtocolTCP)
	ip.Id = 54321
	probe := synTCP()
	probe.Options = []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}}
	nmapSYN := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip, probe)
	bare := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	echo := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolICMPv4),
		&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 9), Id: 5981, Seq: 295}, gopacket.Payload(make([]byte, 120)))
	ip6 := ip6Hdr(layers.IPProtocolICMPv6)
	icmp6 := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(128, 0)}
	if err := icmp6.SetNetworkLayerForChecksum(ip6); err != nil {
		t.Fatal(err)
	}
	echo6 := serialize(t, ethHdr(layers.EthernetTypeIPv6), ip6, icmp6, gopacket.Payload([]byte{0x12, 0x34, 0x01, 0x27, 'p', 'i', 'n', 'g'}))
	tests := []struct {
		name  string
		data  []byte
		check func(t *testing.T, f *packet.Facts)
	}{
		{"syn with a lone mss option", nmapSYN, func(t *testing.T, f *packet.Facts) {
			want(t, f.Window == 1024 && string(f.TCPOptions) == "\x02\x04\x05\xb4" && f.IPID == 54321,
				"window %d options %x ip id %d", f.Window, f.TCPOptions, f.IPID)
		}},
		{"syn without options", bare, func(t *testing.T, f *packet.Facts) {
			want(t, len(f.TCPOptions) == 0 && f.Window == 1024, "options %x window %d", f.TCPOptions, f.Window)
		}},
		{"echo request code 9", echo, func(t *testing.T, f *packet.Facts) {
			want(t, f.ICMPType == 8 && f.ICMPCode == 9 && f.ICMPID == 5981 && f.ICMPSeq == 295 && len(f.Payload) == 120,
				"icmp %d/%d id %d seq %d payload %d", f.ICMPType, f.ICMPCode, f.ICMPID, f.ICMPSeq, len(f.Payload))
		}},
		{"icmpv6 echo request", echo6, func(t *testing.T, f *packet.Facts) {
			want(t, f.ICMPType == 128 && f.ICMPID == 0x1234 && f.ICMPSeq == 295 && f.IPID == 0, "icmpv6 %d id %#x seq %d", f.ICMPType, f.ICMPID, f.ICMPSeq)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDecoder()
			var f packet.Facts
			if !d.decode(LinkEthernet, tc.data, &f) {
				t.Fatalf("not decoded: %v", d.decodeErrors())
			}
			tc.check(t, &f)
		})
	}
}

func TestDecodeCountsReasons(t *testing.T) {
	d := newDecoder()
	var f packet.Facts
	tcp4 := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	d.decode(LinkEthernet, tcp4[:20], &f)                              // IPv4 header cut short
	d.decode(LinkType(195), tcp4, &f)                                  // unsupported link
	d.decode(LinkEthernet, tcp4[:10], &f)                              // not even Ethernet
	d.decode(LinkEthernet, append(tcp4[:12:12], 0x88, 0xcc, 0, 0), &f) // LLDP
	got := map[string]uint64{}
	for _, rc := range d.decodeErrors() {
		got[rc.Reason] = rc.Count
	}
	for _, r := range []int{reasonUnsupportedLink, reasonMalformedL2, reasonNonIP} {
		if got[reasonNames[r]] == 0 {
			t.Errorf("reason %q not counted; got %v", reasonNames[r], got)
		}
	}
	if got[reasonNames[reasonTruncated]]+got[reasonNames[reasonMalformedL3]] == 0 {
		t.Errorf("cut IPv4 header not counted; got %v", got)
	}
}

// FuzzDecode checks that no input makes the decoder panic.
func FuzzDecode(f *testing.F) {
	f.Add(uint8(1), serialize(f, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP()))
	f.Add(uint8(1), serialize(f, ethHdr(layers.EthernetTypeIPv6), ip6Hdr(layers.IPProtocolTCP), synTCP()))
	f.Add(uint8(1), outerGRE4(f, cat([]byte{0x10, 0, 0x88, 0xbe}, make([]byte, 4), []byte{0x10, 0, 0, 0, 0, 0, 0, 0},
		serialize(f, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP()))))
	f.Add(uint8(1), serialize(f, ethHdr(layers.EthernetTypeIPv6), ip6Hdr(layers.IPProtocolIPv6HopByHop),
		gopacket.Payload([]byte{44, 0, 1, 4, 0, 0, 0, 0, 6, 0, 0, 1, 0, 0, 0, 1})))
	f.Fuzz(func(t *testing.T, link uint8, data []byte) {
		d := newDecoder()
		var facts packet.Facts
		for _, lt := range []LinkType{LinkType(link), LinkEthernet, LinkRaw, LinkLinuxSLL2, LinkNull, LinkPPP, LinkCHDLC} {
			d.decode(lt, data, &facts)
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	pkt := serialize(b, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP),
		&layers.TCP{SrcPort: 443, DstPort: 50000, ACK: true, PSH: true, Seq: 1, Ack: 1, Window: 1024},
		gopacket.Payload(make([]byte, 1200)))
	d := newDecoder()
	var f packet.Facts
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	for i := 0; i < b.N; i++ {
		d.decode(LinkEthernet, pkt, &f)
	}
}

func want(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Errorf(format, args...)
	}
}
