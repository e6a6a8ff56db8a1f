package analyzer

// Encapsulations the decoder looks into, as Suricata 7's decoders do
// (decode-gre.c, decode-vxlan.c, decode-geneve.c, decode-nsh.c,
// decode-erspan.c, decode-pppoe.c, decode-teredo.c, decode-ppp.c,
// decode-chdlc.c): the packet inside is decoded as the packet, so flows,
// detectors and rules see the inner addresses and ports. gopacket's own
// layers for these either are not DecodingLayers or allocate, so each
// header is read here by hand, bounds checked, into an offset into the
// same bytes: nothing is copied or allocated.
//
// IP-in-IP (protocols 4 and 41 after IPv4 or IPv6) is a tunnel too.
// gopacket's IPv4 and IPv6 layers name the inner IP layer as their next
// one, so the parser would decode it in the same pass into the same
// structs, overwriting the outer header before its facts are read; the
// layers below stop there instead, and the inner packet is decoded as any
// other tunnel's.

import (
	"encoding/binary"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ipsreplay/ipsreplay/packet"
)

// maxTunnelDepth bounds how many encapsulations one packet may nest, so a
// crafted packet of GRE in GRE in GRE cannot keep the decoder busy.
// Suricata's decoder.max-layers defaults to 16 layers of every kind; 8
// tunnels is more than any real network nests.
const maxTunnelDepth = 8

// UDP ports of the UDP encapsulations, Suricata 7's defaults
// (decoder.vxlan.ports, decoder.geneve.ports, decoder.teredo.ports).
const (
	vxlanPort  = 4789
	genevePort = 6081
	teredoPort = 3544
)

// EtherTypes and protocol numbers of the encapsulations.
const (
	etherTypeNSH       = 0x894f
	etherTypePPPoE     = 0x8864 // PPPoE session stage
	etherTypeTEB       = 0x6558 // transparent Ethernet bridging
	etherTypeERSPAN    = 0x88be // ERSPAN type II (type I when GRE has no sequence number)
	etherTypeERSPAN3   = 0x22eb
	etherTypePPP       = 0x880b // PPP in GRE version 1 (PPTP)
	ipProtoGRE         = 47
	ipProtoIPIP        = 4  // IPv4 in IP
	ipProtoIPv6        = 41 // IPv6 in IP
	pppIPv4            = 0x0021
	pppIPv6            = 0x0057
	nshNextIPv4        = 1
	nshNextIPv6        = 2
	nshNextEthernet    = 3
	chdlcHeaderLen     = 4
	erspan2HeaderLen   = 8
	erspan3HeaderLen   = 12
	erspan3SubheaderLn = 8
)

// etherNext is the parser entry for an EtherType carried by an
// encapsulation; ok is false for one the decoder does not read.
func etherNext(et uint16) (gopacket.LayerType, bool) {
	switch et {
	case uint16(layers.EthernetTypeIPv4):
		return layers.LayerTypeIPv4, true
	case uint16(layers.EthernetTypeIPv6):
		return layers.LayerTypeIPv6, true
	case etherTypeTEB:
		return layers.LayerTypeEthernet, true
	case uint16(layers.EthernetTypeDot1Q), uint16(layers.EthernetTypeQinQ):
		return layers.LayerTypeDot1Q, true
	case uint16(layers.EthernetTypeARP):
		return layers.LayerTypeARP, true
	}
	return 0, false
}

// pppNext reads a PPP header (with or without the HDLC address and control
// bytes ff 03, with a one- or two-byte protocol field) and returns the IP
// layer after it and its offset.
func pppNext(b []byte) (gopacket.LayerType, int, bool) {
	off := 0
	if len(b) >= 2 && b[0] == 0xff && b[1] == 0x03 {
		off = 2
	}
	if len(b) < off+1 {
		return 0, 0, false
	}
	proto := uint16(b[off])
	if proto&1 == 0 { // the protocol field's low bit ends it (RFC 1661)
		if len(b) < off+2 {
			return 0, 0, false
		}
		proto = binary.BigEndian.Uint16(b[off : off+2])
		off += 2
	} else {
		off++
	}
	switch proto {
	case pppIPv4:
		return layers.LayerTypeIPv4, off, true
	case pppIPv6:
		return layers.LayerTypeIPv6, off, true
	}
	return 0, 0, false
}

// chdlcNext reads a Cisco HDLC header: address, control, EtherType.
func chdlcNext(b []byte) (gopacket.LayerType, int, bool) {
	if len(b) < chdlcHeaderLen {
		return 0, 0, false
	}
	lt, ok := etherNext(binary.BigEndian.Uint16(b[2:4]))
	return lt, chdlcHeaderLen, ok
}

// tunnel looks at where the parser stopped: when it is at an
// encapsulation the decoder reads, it returns the packet inside and the
// layer it starts with.
func (d *decoder) tunnel(f *packet.Facts) ([]byte, gopacket.LayerType, bool) {
	n := len(d.decoded)
	if n == 0 {
		return nil, 0, false
	}
	switch d.decoded[n-1] {
	case layers.LayerTypeEthernet:
		return etherTunnel(uint16(d.eth.EthernetType), d.eth.Payload)
	case layers.LayerTypeDot1Q:
		return etherTunnel(uint16(d.dot1q.Type), d.dot1q.Payload)
	case layers.LayerTypeIPv4:
		return ipTunnel(f, uint8(d.ip4.Protocol), d.ip4.Payload)
	case layers.LayerTypeIPv6:
		return ipTunnel(f, uint8(d.ip6.NextHeader), d.ip6.Payload)
	case layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Destination, layers.LayerTypeIPv6Routing:
		return ipTunnel(f, uint8(d.ip6ext.NextHeader), d.ip6ext.Payload)
	case layers.LayerTypeUDP:
		return udpTunnel(f.SrcPort, f.DstPort, d.udp.Payload)
	}
	return nil, 0, false
}

// ipTunnel handles the encapsulations an IP header announces: GRE and
// IP-in-IP. An inner IP header of the wrong version is not decoded; after
// IPv6 it is the event decode-ipv6.c raises.
func ipTunnel(f *packet.Facts, proto uint8, b []byte) ([]byte, gopacket.LayerType, bool) {
	switch proto {
	case ipProtoGRE:
		return greInner(b)
	case ipProtoIPIP, ipProtoIPv6:
		if len(b) == 0 {
			return nil, 0, false
		}
		want, lt, ev := uint8(4), layers.LayerTypeIPv4, packet.EvIPv4InIPv6WrongVersion
		if proto == ipProtoIPv6 {
			want, lt, ev = 6, layers.LayerTypeIPv6, packet.EvIPv6InIPv6WrongVersion
		}
		if b[0]>>4 != want {
			if f.L3 == packet.L3IPv6 {
				f.Events |= ev
			}
			return nil, 0, false
		}
		return b, lt, true
	}
	return nil, 0, false
}

// ipv4Layer, ipv6Layer and ipv6ExtLayer are gopacket's layers stopping
// the parser at an IP-in-IP tunnel (see above); the payload is then the
// inner packet.
type (
	ipv4Layer    struct{ layers.IPv4 }
	ipv6Layer    struct{ layers.IPv6 }
	ipv6ExtLayer struct {
		layers.IPv6ExtensionSkipper
	}
)

// stopAtIPInIP is the next layer for an IP protocol or next header.
func stopAtIPInIP(p layers.IPProtocol, next gopacket.LayerType) gopacket.LayerType {
	if p == ipProtoIPIP || p == ipProtoIPv6 {
		return gopacket.LayerTypePayload // not one the parser decodes: it stops
	}
	return next
}

func (l *ipv4Layer) NextLayerType() gopacket.LayerType {
	return stopAtIPInIP(l.Protocol, l.IPv4.NextLayerType())
}

func (l *ipv6Layer) NextLayerType() gopacket.LayerType {
	return stopAtIPInIP(l.NextHeader, l.IPv6.NextLayerType())
}

func (l *ipv6ExtLayer) NextLayerType() gopacket.LayerType {
	return stopAtIPInIP(l.NextHeader, l.IPv6ExtensionSkipper.NextLayerType())
}

// etherTunnel handles the EtherTypes that announce an encapsulation.
func etherTunnel(et uint16, b []byte) ([]byte, gopacket.LayerType, bool) {
	switch et {
	case etherTypeNSH:
		return nshInner(b)
	case etherTypePPPoE:
		// version/type, code, session id, length, then PPP's protocol
		if len(b) < 6 || b[0] != 0x11 || b[1] != 0 {
			return nil, 0, false
		}
		lt, off, ok := pppNext(b[6:])
		if !ok {
			return nil, 0, false
		}
		return b[6+off:], lt, true
	}
	return nil, 0, false
}

// greInner reads a GRE header (RFC 2784/2890, and version 1 of PPTP, RFC
// 2637) as decode-gre.c does: version 0 with optional checksum, key and
// sequence number; version 1 carrying PPP with its key, optional sequence
// and acknowledgement numbers. The routing bit of RFC 1701 is refused, as
// Suricata does.
func greInner(b []byte) ([]byte, gopacket.LayerType, bool) {
	if len(b) < 4 {
		return nil, 0, false
	}
	flags, version := b[0], b[1]&0x07
	proto := binary.BigEndian.Uint16(b[2:4])
	hlen := 4
	seq := flags&0x10 != 0
	switch version {
	case 0:
		if flags&0x40 != 0 { // routing present
			return nil, 0, false
		}
		if flags&0x80 != 0 { // checksum
			hlen += 4
		}
		if flags&0x20 != 0 { // key
			hlen += 4
		}
		if seq {
			hlen += 4
		}
	case 1:
		if proto != etherTypePPP || flags&0x20 == 0 || flags&0xc0 != 0 {
			return nil, 0, false
		}
		hlen += 4 // payload length and call id (the key)
		if seq {
			hlen += 4
		}
		if b[1]&0x80 != 0 { // acknowledgement number
			hlen += 4
		}
	default:
		return nil, 0, false
	}
	if len(b) < hlen {
		return nil, 0, false
	}
	in := b[hlen:]
	switch proto {
	case etherTypePPP:
		lt, off, ok := pppNext(in)
		if !ok {
			return nil, 0, false
		}
		return in[off:], lt, true
	case etherTypeERSPAN:
		if !seq {
			// ERSPAN type I has no header of its own; Suricata leaves it
			// off by default (decoder.erspan.typeI.enabled: false)
			return nil, 0, false
		}
		return erspanInner(in, erspan2HeaderLen)
	case etherTypeERSPAN3:
		if len(in) < erspan3HeaderLen {
			return nil, 0, false
		}
		hl := erspan3HeaderLen
		if in[11]&0x01 != 0 { // O: a platform-specific subheader follows
			hl += erspan3SubheaderLn
		}
		return erspanInner(in, hl)
	}
	lt, ok := etherNext(proto)
	if !ok {
		return nil, 0, false
	}
	return in, lt, true
}

// erspanInner skips an ERSPAN header of hlen bytes, whose first four bits
// are its version; an Ethernet frame follows.
func erspanInner(b []byte, hlen int) ([]byte, gopacket.LayerType, bool) {
	if len(b) < hlen {
		return nil, 0, false
	}
	v := b[0] >> 4
	if hlen == erspan2HeaderLen && v != 1 || hlen != erspan2HeaderLen && v != 2 {
		return nil, 0, false
	}
	return b[hlen:], layers.LayerTypeEthernet, true
}

// udpTunnel handles the UDP encapsulations on their ports.
func udpTunnel(sp, dp uint16, b []byte) ([]byte, gopacket.LayerType, bool) {
	switch {
	case dp == vxlanPort:
		// flags (I set: a valid VNI), 3 reserved, VNI, 1 reserved
		if len(b) < 8 || b[0]&0x08 == 0 {
			return nil, 0, false
		}
		return b[8:], layers.LayerTypeEthernet, true
	case dp == genevePort || sp == genevePort:
		// version (0) and option length in 4-byte words, flags,
		// protocol type, VNI, reserved, options
		if len(b) < 8 || b[0]>>6 != 0 {
			return nil, 0, false
		}
		hlen := 8 + int(b[0]&0x3f)*4
		lt, ok := etherNext(binary.BigEndian.Uint16(b[2:4]))
		if !ok || len(b) < hlen {
			return nil, 0, false
		}
		return b[hlen:], lt, true
	case dp == teredoPort || sp == teredoPort:
		return teredoInner(b)
	}
	return nil, 0, false
}

// teredoInner finds the IPv6 packet of a Teredo datagram (RFC 4380),
// past an optional origin indication, and takes it only when it looks like
// one, as decode-teredo.c does: version 6 and a payload length that fills
// the datagram exactly. A datagram with an authentication header is
// qualification traffic between client and server, not a tunnelled
// packet, and is left as it is.
func teredoInner(b []byte) ([]byte, gopacket.LayerType, bool) {
	if len(b) >= 2 && b[0] == 0 {
		if b[1] != 0 || len(b) < 8 { // authentication, or not Teredo
			return nil, 0, false
		}
		b = b[8:] // origin indication
	}
	if len(b) < 40 || b[0]>>4 != 6 {
		return nil, 0, false
	}
	if int(binary.BigEndian.Uint16(b[4:6]))+40 != len(b) {
		return nil, 0, false
	}
	return b, layers.LayerTypeIPv6, true
}

// nshInner reads a Network Service Header (RFC 8300) as decode-nsh.c
// does: version 0, a length that fits its MD type (6 words for type 1,
// at least 2 for type 2), and an IPv4, IPv6 or Ethernet packet next.
func nshInner(b []byte) ([]byte, gopacket.LayerType, bool) {
	if len(b) < 8 || b[0]>>6 != 0 {
		return nil, 0, false
	}
	words := int(b[1] & 0x3f)
	switch b[2] & 0x0f {
	case 1:
		if words != 6 {
			return nil, 0, false
		}
	case 2:
		if words < 2 {
			return nil, 0, false
		}
	default:
		return nil, 0, false
	}
	hlen := words * 4
	if len(b) < hlen {
		return nil, 0, false
	}
	switch b[3] {
	case nshNextIPv4:
		return b[hlen:], layers.LayerTypeIPv4, true
	case nshNextIPv6:
		return b[hlen:], layers.LayerTypeIPv6, true
	case nshNextEthernet:
		return b[hlen:], layers.LayerTypeEthernet, true
	}
	return nil, 0, false
}

// tunnelSource is the pkt_src Suricata gives the packet inside the
// encapsulation the parser stopped at (f is the packet around it): the
// tunnels it decodes as packets of their own (PacketTunnelPktSetup) are
// named after them; what it decodes in place (PPPoE, NSH, ERSPAN) keeps
// the outer packet's source.
func (d *decoder) tunnelSource(f *packet.Facts) uint8 {
	n := len(d.decoded)
	if n == 0 {
		return f.Source
	}
	var proto uint8
	var payload []byte
	switch d.decoded[n-1] {
	case layers.LayerTypeIPv4:
		proto, payload = uint8(d.ip4.Protocol), d.ip4.Payload
	case layers.LayerTypeIPv6:
		proto, payload = uint8(d.ip6.NextHeader), d.ip6.Payload
	case layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Destination, layers.LayerTypeIPv6Routing:
		proto, payload = uint8(d.ip6ext.NextHeader), d.ip6ext.Payload
	case layers.LayerTypeUDP:
		switch {
		case f.DstPort == vxlanPort:
			return packet.SrcVXLAN
		case f.DstPort == genevePort || f.SrcPort == genevePort:
			return packet.SrcGeneve
		}
		return packet.SrcTeredo
	default:
		return f.Source
	}
	switch proto {
	case ipProtoGRE:
		if len(payload) >= 4 {
			if p := binary.BigEndian.Uint16(payload[2:4]); p == etherTypeERSPAN || p == etherTypeERSPAN3 {
				return f.Source
			}
		}
		return packet.SrcGRE
	}
	if f.L3 == packet.L3IPv6 {
		return packet.SrcIPv6Tunnel
	}
	return packet.SrcIPv4Tunnel
}
