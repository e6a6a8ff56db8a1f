package analyzer

import (
	"net/netip"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ipsreplay/ipsreplay/packet"
)

// cat joins byte slices: an outer header written by hand and the packet
// it carries.
func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// ethBytes is an Ethernet header of EtherType et (gopacket pads a frame
// it serializes, which would put the padding before the payload).
func ethBytes(et uint16) []byte {
	return cat(macA, macB, []byte{byte(et >> 8), byte(et)})
}

// outerUDP4 is an Ethernet/IPv4/UDP packet to port dp carrying payload.
func outerUDP4(t testing.TB, dp uint16, payload []byte) []byte {
	ip := ip4Hdr(layers.IPProtocolUDP)
	ip.SrcIP, ip.DstIP = []byte{10, 9, 9, 1}, []byte{10, 9, 9, 2}
	return serialize(t, ethHdr(layers.EthernetTypeIPv4), ip, &layers.UDP{SrcPort: 50000, DstPort: layers.UDPPort(dp)}, gopacket.Payload(payload))
}

// outerGRE4 is an Ethernet/IPv4 packet of protocol GRE carrying payload.
func outerGRE4(t testing.TB, payload []byte) []byte {
	ip := ip4Hdr(layers.IPProtocolGRE)
	ip.SrcIP, ip.DstIP = []byte{10, 9, 9, 1}, []byte{10, 9, 9, 2}
	return serialize(t, ethHdr(layers.EthernetTypeIPv4), ip, gopacket.Payload(payload))
}

func TestDecodeTunnels(t *testing.T) {
	inner4 := serialize(t, ip4Hdr(layers.IPProtocolTCP), synTCP()) // 203.0.113.66 -> 192.168.1.20:22
	innerEth := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	inner6 := serialize(t, ip6Hdr(layers.IPProtocolTCP), synTCP())
	outer := netip.MustParseAddr("10.9.9.2")
	tests := []struct {
		name  string
		link  LinkType
		data  []byte
		inner bool // the facts are the inner TCP SYN's; else the outer packet's
	}{
		{"ppp link", LinkPPP, cat([]byte{0x00, 0x21}, inner4), true},
		{"ppp link, hdlc framing, short protocol", LinkPPPSerial, cat([]byte{0xff, 0x03, 0x57}, inner6), true},
		{"cisco hdlc", LinkCHDLC, cat([]byte{0x0f, 0x00, 0x08, 0x00}, inner4), true},
		{"gre ipv4", LinkEthernet, outerGRE4(t, cat([]byte{0, 0, 0x08, 0x00}, inner4)), true},
		{"gre with checksum, key and sequence", LinkEthernet, outerGRE4(t, cat([]byte{0xb0, 0, 0x86, 0xdd}, make([]byte, 12), inner6)), true},
		{"gre transparent ethernet bridging", LinkEthernet, outerGRE4(t, cat([]byte{0, 0, 0x65, 0x58}, innerEth)), true},
		{"gre version 1 ppp (pptp)", LinkEthernet, outerGRE4(t, cat([]byte{0x30, 0x01, 0x88, 0x0b}, make([]byte, 8), []byte{0xff, 0x03, 0x00, 0x21}, inner4)), true},
		{"erspan type II", LinkEthernet, outerGRE4(t, cat([]byte{0x10, 0, 0x88, 0xbe}, make([]byte, 4), []byte{0x10, 0, 0, 0, 0, 0, 0, 0}, innerEth)), true},
		{"erspan type III", LinkEthernet, outerGRE4(t, cat([]byte{0x10, 0, 0x22, 0xeb}, make([]byte, 4), []byte{0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, innerEth)), true},
		{"erspan type I is off, as in Suricata", LinkEthernet, outerGRE4(t, cat([]byte{0, 0, 0x88, 0xbe}, innerEth)), false},
		{"gre routing bit refused", LinkEthernet, outerGRE4(t, cat([]byte{0x40, 0, 0x08, 0x00}, inner4)), false},
		{"vxlan", LinkEthernet, outerUDP4(t, vxlanPort, cat([]byte{0x08, 0, 0, 0, 0, 0, 1, 0}, innerEth)), true},
		{"vxlan without a valid vni", LinkEthernet, outerUDP4(t, vxlanPort, cat([]byte{0, 0, 0, 0, 0, 0, 1, 0}, innerEth)), false},
		{"geneve with an option", LinkEthernet, outerUDP4(t, genevePort, cat([]byte{0x01, 0, 0x65, 0x58, 0, 0, 1, 0}, make([]byte, 4), innerEth)), true},
		{"geneve option longer than the packet", LinkEthernet, outerUDP4(t, genevePort, []byte{0x3f, 0, 0x08, 0x00, 0, 0, 1, 0}), false},
		{"teredo", LinkEthernet, outerUDP4(t, teredoPort, inner6), true},
		{"teredo with origin indication", LinkEthernet, outerUDP4(t, teredoPort, cat(make([]byte, 8), inner6)), true},
		{"teredo authentication is not a tunnel", LinkEthernet, outerUDP4(t, teredoPort, cat([]byte{0, 1, 0, 0}, make([]byte, 9), inner6)), false},
		{"nsh md type 1", LinkEthernet, cat(ethBytes(etherTypeNSH),
			[]byte{0, 6, 1, 1, 0, 0, 1, 2}, make([]byte, 16), inner4), true},
		{"nsh md type 2 with ethernet", LinkEthernet, cat(ethBytes(etherTypeNSH),
			[]byte{0, 2, 2, 3, 0, 0, 1, 2}, innerEth), true},
		{"pppoe session", LinkEthernet, cat(ethBytes(etherTypePPPoE),
			[]byte{0x11, 0, 0, 1, 0, 0, 0x00, 0x21}, inner4), true},
		{"ipv4 in ipv6", LinkEthernet, serialize(t, ethHdr(layers.EthernetTypeIPv6), ip6Hdr(layers.IPProtocolIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP()), true},
	}
	// what Suricata's pkt_src says of the inner packet: a tunnel decoded
	// as a packet of its own, or the packet itself (decoded in place)
	sources := map[string]uint8{
		"gre ipv4": packet.SrcGRE, "gre with checksum, key and sequence": packet.SrcGRE,
		"gre transparent ethernet bridging": packet.SrcGRE, "gre version 1 ppp (pptp)": packet.SrcGRE,
		"vxlan": packet.SrcVXLAN, "geneve with an option": packet.SrcGeneve,
		"teredo": packet.SrcTeredo, "teredo with origin indication": packet.SrcTeredo,
		"ipv4 in ipv6": packet.SrcIPv6Tunnel,
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDecoder()
			var f packet.Facts
			ok := d.decode(tc.link, tc.data, &f)
			want(t, f.Source == sources[tc.name], "source %q, want %q", packet.SourceName(f.Source), packet.SourceName(sources[tc.name]))
			if tc.inner {
				want(t, ok && f.Proto == packet.ProtoTCP && f.DstPort == 22 && f.HasFlags(packet.TCPSyn) && f.Dst != outer,
					"inner SYN not decoded: ok %v proto %d %v -> %v:%d; %v", ok, f.Proto, f.Src, f.Dst, f.DstPort, d.decodeErrors())
				return
			}
			want(t, f.Proto != packet.ProtoTCP && (!ok || f.Dst == outer),
				"decoded into what is not a tunnel: ok %v proto %d %v -> %v", ok, f.Proto, f.Src, f.Dst)
		})
	}
}

// TestDecodeTunnelDepth checks that GRE nested past maxTunnelDepth stops
// at the limit with the facts of the last packet decoded, and that an
// inner packet that does not decode leaves the tunnel's own facts.
func TestDecodeTunnelDepth(t *testing.T) {
	pkt := serialize(t, ip4Hdr(layers.IPProtocolTCP), synTCP())
	for i := 0; i <= maxTunnelDepth+1; i++ {
		ip := ip4Hdr(layers.IPProtocolGRE)
		ip.SrcIP = []byte{10, 0, 0, byte(i)}
		pkt = serialize(t, ip, gopacket.Payload(cat([]byte{0, 0, 0x08, 0x00}, pkt)))
	}
	d := newDecoder()
	var f packet.Facts
	if !d.decode(LinkRaw, pkt, &f) || f.Proto == packet.ProtoTCP {
		t.Fatalf("decoded %d nested tunnels: proto %d %v", maxTunnelDepth+2, f.Proto, f.Src)
	}
	if want := netip.AddrFrom4([4]byte{10, 0, 0, 1}); f.Src != want {
		t.Errorf("stopped at %v, want %v", f.Src, want)
	}

	broken := outerGRE4(t, cat([]byte{0, 0, 0x08, 0x00}, []byte{0x45, 0, 0, 10}))
	if !d.decode(LinkEthernet, broken, &f) || f.Dst != netip.MustParseAddr("10.9.9.2") {
		t.Errorf("a broken inner packet lost the outer facts: %v -> %v", f.Src, f.Dst)
	}
}

func TestDecodeTunnelNoAllocs(t *testing.T) {
	innerEth := serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP())
	pkt := outerUDP4(t, vxlanPort, cat([]byte{0x08, 0, 0, 0, 0, 0, 1, 0}, innerEth))
	d := newDecoder()
	var f packet.Facts
	if n := testing.AllocsPerRun(100, func() { d.decode(LinkEthernet, pkt, &f) }); n != 0 {
		t.Errorf("decoding a VXLAN packet allocates %v times", n)
	}
}

// TestDecodeTunnelRoot checks the outer packet kept for inspection: an IP
// tunnel's outermost IP packet without its payload, none for a link-layer
// encapsulation or when the inner packet does not decode.
func TestDecodeTunnelRoot(t *testing.T) {
	inner4 := serialize(t, ip4Hdr(layers.IPProtocolTCP), synTCP())
	cases := []struct {
		name string
		data []byte
		root bool
	}{
		{"gre", outerGRE4(t, cat([]byte{0, 0, 0x08, 0x00}, inner4)), true},
		{"gre with a broken inner packet", outerGRE4(t, cat([]byte{0, 0, 0x08, 0x00}, []byte{0x45, 0, 0, 10})), false},
		{"nsh", cat(ethBytes(etherTypeNSH), []byte{0, 6, 1, 1, 0, 0, 1, 2}, make([]byte, 16), inner4), false},
		{"plain tcp", serialize(t, ethHdr(layers.EthernetTypeIPv4), ip4Hdr(layers.IPProtocolTCP), synTCP()), false},
	}
	for _, c := range cases {
		d := newDecoder()
		var f packet.Facts
		d.decode(LinkEthernet, c.data, &f)
		if d.hasRoot != c.root {
			t.Errorf("%s: root kept %v, want %v", c.name, d.hasRoot, c.root)
			continue
		}
		if c.root && (d.root.Dst != netip.MustParseAddr("10.9.9.2") || d.root.Payload != nil || d.root.IPProto != ipProtoGRE) {
			t.Errorf("%s: root %v -> %v proto %d payload %d bytes", c.name, d.root.Src, d.root.Dst, d.root.IPProto, len(d.root.Payload))
		}
	}
}
