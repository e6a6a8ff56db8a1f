package analyzer

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/ipsreplay/ipsreplay/packet"
)

// LinkType is a LINKTYPE_ number. gopacket v1.1.19 keeps link types in a
// uint8, which cannot hold LINKTYPE_LINUX_SLL2 (276), so the analyzer
// carries its own.
type LinkType uint32

// Link types this decoder reads. LINKTYPE_RAW has three numbers in the wild
// (101 in files, 12 and 14 from some BSD libpcaps).
const (
	LinkNull      LinkType = 0
	LinkEthernet  LinkType = 1
	LinkPPP       LinkType = 9
	LinkRaw12     LinkType = 12
	LinkRaw14     LinkType = 14
	LinkPPPSerial LinkType = 50 // PPP in HDLC-like framing
	LinkRaw       LinkType = 101
	LinkCHDLC     LinkType = 104 // Cisco HDLC
	LinkLoop      LinkType = 108
	LinkLinuxSLL  LinkType = 113
	LinkIPv4      LinkType = 228
	LinkIPv6      LinkType = 229
	LinkLinuxSLL2 LinkType = 276

	linuxSLL2HeaderLen = 20
)

// Supported reports whether packets of this link type can be decoded.
func (lt LinkType) Supported() bool {
	switch lt {
	case LinkNull, LinkEthernet, LinkRaw12, LinkRaw14, LinkRaw, LinkLoop,
		LinkLinuxSLL, LinkIPv4, LinkIPv6, LinkLinuxSLL2, LinkPPP, LinkPPPSerial, LinkCHDLC:
		return true
	}
	return false
}

// String names a link type for people, with its number.
func (lt LinkType) String() string {
	name := ""
	switch lt {
	case LinkNull:
		name = "NULL"
	case LinkEthernet:
		name = "ETHERNET"
	case LinkRaw12, LinkRaw14, LinkRaw:
		name = "RAW"
	case LinkLoop:
		name = "LOOP"
	case LinkLinuxSLL:
		name = "LINUX_SLL"
	case LinkIPv4:
		name = "IPV4"
	case LinkIPv6:
		name = "IPV6"
	case LinkLinuxSLL2:
		name = "LINUX_SLL2"
	case LinkPPP:
		name = "PPP"
	case LinkPPPSerial:
		name = "PPP_HDLC"
	case LinkCHDLC:
		name = "C_HDLC"
	default:
		if lt < 256 {
			name = layers.LinkType(lt).String()
		}
	}
	if name == "" || name[0] == 'U' && len(name) > 7 && name[:7] == "Unknown" {
		return fmt.Sprintf("LINKTYPE_%d", uint32(lt))
	}
	return fmt.Sprintf("%s(%d)", name, uint32(lt))
}

// Reasons a packet is not fully decoded, counted in the summary.
const (
	reasonUnsupportedLink = iota
	reasonTruncated
	reasonMalformedL2
	reasonMalformedL3
	reasonMalformedL4
	reasonFragment
	reasonFragTimeout
	reasonNonIP
	reasonIPv6ExtChain
	reasonCount
)

var reasonNames = [reasonCount]string{
	reasonUnsupportedLink: "unsupported link type",
	reasonTruncated:       "truncated (snap length or damaged)",
	reasonMalformedL2:     "malformed link-layer header",
	reasonMalformedL3:     "malformed network header",
	reasonMalformedL4:     "malformed transport header",
	reasonFragment:        "IP fragment (reassembled when complete)",
	reasonFragTimeout:     "fragmented IP datagram never completed (dropped after 30 s)",
	reasonNonIP:           "other protocol (not IP or ARP)",
	reasonIPv6ExtChain:    "IPv6 extension header chain over 64 headers (transport not read)",
}

// decoder turns packet bytes into packet.Facts without allocating: every
// layer is a preallocated struct that DecodingLayerParser decodes in place,
// and one parser per first layer shares them.
type decoder struct {
	eth    layers.Ethernet
	dot1q  layers.Dot1Q
	sll    layers.LinuxSLL
	loop   layers.Loopback
	ip4    ipv4Layer
	ip6    ipv6Layer
	ip6ext ipv6ExtLayer
	arp    layers.ARP
	icmp4  layers.ICMPv4
	icmp6  layers.ICMPv6
	tcp    tcpLayer
	udp    layers.UDP

	// parsers by first layer type, indexed by it: a map lookup, twice a
	// packet, was 1.5 % of a SYN flood
	parsers []*gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
	frag    *reassembler

	// outer holds the facts of the packet around a tunnel while its
	// inner packet is decoded; handedOff says fill stopped at a fragment
	// (given to the reassembler, which decoded the datagram if it
	// completed).
	outer     packet.Facts
	handedOff bool
	// root is the outermost IP packet of a tunnel whose inner packet was
	// decoded (hasRoot): Suricata inspects it too, its headers only
	// (PacketTunnelPktSetup sets no payload inspection on the parent).
	root    packet.Facts
	hasRoot bool
	// fragLink is the bytes before the IP header of the fragment being
	// reassembled, which a reassembled packet's length counts
	fragLink int

	reasons [reasonCount]uint64

	// alone: a lookahead worker's decoder (lookahead.go), which sees only
	// some packets, so reassembles none; fragment says the packet was one.
	alone    bool
	fragment bool
}

// tcpLayer is layers.TCP as the last layer decoded: no parser has a
// decoder for what TCP carries, so gopacket's lookup of the ports in its
// table of application protocols, a cache miss for a random port (every
// packet of a spoofed flood), would only find that out later.
type tcpLayer struct{ layers.TCP }

func (*tcpLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

func newDecoder() *decoder {
	d := &decoder{
		decoded: make([]gopacket.LayerType, 0, 16),
		frag:    newReassembler(defragMaxDatagrams),
	}
	// A slice indexed by layer type finds each next layer's decoder where
	// the parser's default map hashed its type (5 % of a SYN flood).
	var dlc gopacket.DecodingLayerContainer = gopacket.DecodingLayerSparse(nil)
	for _, l := range []gopacket.DecodingLayer{&d.eth, &d.dot1q, &d.sll, &d.loop, &d.ip4, &d.ip6, &d.ip6ext,
		&d.arp, &d.icmp4, &d.icmp6, &d.tcp, &d.udp} {
		dlc = dlc.Put(l)
	}
	for _, first := range []gopacket.LayerType{
		layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL, layers.LayerTypeLoopback,
		layers.LayerTypeIPv4, layers.LayerTypeIPv6, layers.LayerTypeARP, layers.LayerTypeDot1Q,
	} {
		p := gopacket.NewDecodingLayerParser(first)
		p.SetDecodingLayerContainer(dlc)
		// Unknown upper layers (DNS, LLC, ...) just end decoding: the facts
		// gathered so far are still good.
		p.IgnoreUnsupported = true
		if int(first) >= len(d.parsers) {
			d.parsers = append(d.parsers, make([]*gopacket.DecodingLayerParser, int(first)+1-len(d.parsers))...)
		}
		d.parsers[first] = p
	}
	return d
}

// parser is the parser that starts at layer first, nil when none does.
func (d *decoder) parser(first gopacket.LayerType) *gopacket.DecodingLayerParser {
	if uint(first) < uint(len(d.parsers)) {
		return d.parsers[first]
	}
	return nil
}

// firstLayer picks the parser entry point for a link type; for SLL2 and raw
// links it looks at the packet, and it returns the offset where that layer
// starts.
func firstLayer(lt LinkType, data []byte) (gopacket.LayerType, int, bool) {
	switch lt {
	case LinkEthernet:
		return layers.LayerTypeEthernet, 0, true
	case LinkLinuxSLL:
		return layers.LayerTypeLinuxSLL, 0, true
	case LinkNull, LinkLoop:
		return layers.LayerTypeLoopback, 0, true
	case LinkIPv4:
		return layers.LayerTypeIPv4, 0, true
	case LinkIPv6:
		return layers.LayerTypeIPv6, 0, true
	case LinkRaw, LinkRaw12, LinkRaw14:
		if len(data) == 0 {
			return 0, 0, false
		}
		switch data[0] >> 4 {
		case 4:
			return layers.LayerTypeIPv4, 0, true
		case 6:
			return layers.LayerTypeIPv6, 0, true
		}
		return 0, 0, false
	case LinkPPP, LinkPPPSerial:
		return pppNext(data)
	case LinkCHDLC:
		return chdlcNext(data)
	case LinkLinuxSLL2:
		// gopacket has no SLL2 layer: the 20-byte header starts with the
		// EtherType, which is all we need.
		if len(data) < linuxSLL2HeaderLen {
			return 0, 0, false
		}
		lt := layers.EthernetType(binary.BigEndian.Uint16(data[0:2])).LayerType()
		return lt, linuxSLL2HeaderLen, true
	}
	return 0, 0, false
}

// decode fills f from one packet of link type lt, keeping the time,
// reference and wire length f holds. It returns false when the packet
// yielded nothing the detectors can use; counts say why.
func (d *decoder) decode(lt LinkType, data []byte, f *packet.Facts) bool {
	return d.decodeAt(lt, data, f, f.Time, f.Packet, f.WireLen)
}

// decodeAt is decode for the packet at time at, ref, wireLen bytes on the
// wire. f is cleared in place and those set after, from registers: a
// literal naming them was built on the stack and copied over f, 520 bytes
// read back right after they were written, and the caller's fields read
// back the same way (store-forwarding stalls on every packet).
func (d *decoder) decodeAt(lt LinkType, data []byte, f *packet.Facts, at int64, ref packet.PacketRef, wireLen int) bool {
	*f = packet.Facts{}
	f.Time, f.Packet.File, f.Packet.Num, f.WireLen, f.CapLen = at, ref.File, ref.Num, wireLen, len(data)
	d.hasRoot, d.fragment = false, false
	first, off, ok := firstLayer(lt, data)
	if !ok {
		if lt.Supported() {
			d.reasons[reasonMalformedL2]++
		} else {
			d.reasons[reasonUnsupportedLink]++
		}
		return false
	}
	p := d.parser(first)
	if p == nil {
		d.reasons[reasonNonIP]++
		return false
	}
	return d.run(f, first, data[off:], false)
}

// run decodes pkt from its first layer into f and goes on into the
// packets it encapsulates (tunnel.go), which replace the outer facts as
// they are decoded; when an inner packet yields nothing, the facts of the
// packet around it stand. reassembled is set for a reassembled datagram,
// whose fragments are not reassembled again.
func (d *decoder) run(f *packet.Facts, first gopacket.LayerType, pkt []byte, reassembled bool) bool {
	ok := false
	for depth := 0; ; depth++ {
		p := d.parser(first)
		err := p.DecodeLayers(pkt, &d.decoded)
		d.handedOff = false
		filled := d.fill(f, first, p, err, pkt, reassembled)
		if depth > 0 && !filled {
			*f = d.outer // an inner packet that yields nothing: keep the tunnel's
			d.hasRoot = d.hasRoot && depth > 1
			return ok
		}
		ok = filled
		if err != nil || d.handedOff || depth == maxTunnelDepth {
			return ok
		}
		inner, next, found := d.tunnel(f)
		if !found {
			return ok
		}
		if !filled {
			// an encapsulation with no IP before it (NSH, PPPoE): fill
			// counted it as another protocol, which it is not
			d.reasons[reasonNonIP]--
		}
		d.outer = *f
		if depth == 0 && filled && !d.hasRoot {
			d.root, d.hasRoot = *f, true
			d.root.Payload = nil
		}
		src := d.tunnelSource(f)
		*f = packet.Facts{Time: f.Time, Packet: f.Packet, WireLen: f.WireLen,
			HasEth: f.HasEth, SrcMAC: f.SrcMAC, DstMAC: f.DstMAC, VLAN: f.VLAN, Events: f.Events}
		f.Source, f.CapLen = src, len(inner)
		if src == d.outer.Source {
			f.CapLen = d.outer.CapLen // decoded in place, not a packet of its own
		}
		pkt, first, reassembled = inner, next, false
	}
}

// fill reads the layers just decoded from pkt, which starts with layer
// first, into f. inner is set for a reassembled datagram, whose fragments
// are not reassembled again.
func (d *decoder) fill(f *packet.Facts, first gopacket.LayerType, p *gopacket.DecodingLayerParser, err error, pkt []byte, inner bool) bool {
	var ip6raw []byte // the IPv6 packet, for the extension headers' span
	for i, typ := range d.decoded {
		switch typ {
		case layers.LayerTypeEthernet:
			f.HasEth = true
			copy(f.SrcMAC[:], d.eth.SrcMAC)
			copy(f.DstMAC[:], d.eth.DstMAC)
		case layers.LayerTypeDot1Q:
			f.VLAN = d.dot1q.VLANIdentifier
		case layers.LayerTypeIPv4:
			if d.ip4.Version != 4 {
				// gopacket does not check: Suricata refuses the header
				f.Events |= packet.EvIPv4WrongIPVersion
				d.reasons[reasonMalformedL3]++
				return f.L3 != packet.L3None
			}
			f.L3 = packet.L3IPv4
			f.Src = addr4(d.ip4.SrcIP)
			f.Dst = addr4(d.ip4.DstIP)
			f.TTL = d.ip4.TTL
			f.IPID = d.ip4.Id
			f.IPFlags = uint8(d.ip4.Flags) & 7
			f.IPProto = uint8(d.ip4.Protocol)
			f.FragOffset = d.ip4.FragOffset
			f.L3Header = d.ip4.Contents
			f.IPOpts = 0
			if d.ip4.IHL > 5 {
				var ev packet.DecodeEvents
				f.IPOpts, ev = ipv4Options(d.ip4.Contents[20:])
				f.Events |= ev
			}
			if d.ip4.Flags&layers.IPv4MoreFragments != 0 || d.ip4.FragOffset != 0 {
				// the parser stopped here: no transport layer follows
				d.reasons[reasonFragment]++
				switch {
				case d.alone:
					d.fragment = true
				case !inner:
					d.fragLink = max(f.CapLen-len(d.payloadBefore(i, pkt)), 0)
					d.defrag4(f)
				}
				d.handedOff = true
				return true
			}
		case layers.LayerTypeIPv6:
			if d.ip6.Version != 6 {
				f.Events |= packet.EvIPv6WrongIPVersion
				d.reasons[reasonMalformedL3]++
				return f.L3 != packet.L3None
			}
			f.L3 = packet.L3IPv6
			f.Src = addr16(d.ip6.SrcIP)
			f.Dst = addr16(d.ip6.DstIP)
			f.TTL = d.ip6.HopLimit
			f.IPProto = uint8(d.ip6.NextHeader)
			f.FragOffset, f.IPOpts = 0, 0
			f.L3Header = d.ip6.Contents
			raw := d.payloadBefore(i, pkt)
			if plen := 40 + int(d.ip6.Length); d.ip6.Length != 0 && len(raw) > plen {
				raw = raw[:plen] // Ethernet padding
			}
			ip6raw = raw
			if isIPv6ExtHeader(raw[6]) {
				f.Events |= ipv6ExtEvents(raw)
			}
			at, nextPos, ok, tooLong := ipv6FragmentHeader(raw)
			if tooLong {
				// not decoded further: what follows may be a fragment
				d.reasons[reasonIPv6ExtChain]++
				d.handedOff = true
				return true
			}
			if ok {
				// the skipper would read fragment data as a transport
				// header: stop at the network layer
				d.reasons[reasonFragment]++
				switch {
				case d.alone:
					d.fragment = true
				case !inner:
					d.fragLink = max(f.CapLen-len(d.payloadBefore(i, pkt)), 0)
					d.defrag6(f, raw, at, nextPos)
				}
				d.handedOff = true
				return true
			}
		case layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Destination, layers.LayerTypeIPv6Routing:
			f.IPProto = uint8(d.ip6ext.NextHeader)
			// the headers run from the IPv6 header to the skipper's payload
			if off := cap(ip6raw) - cap(d.ip6ext.Payload); off >= 40 && off <= len(ip6raw) {
				f.L3Header = ip6raw[:off]
			}
		case layers.LayerTypeARP:
			d.fillARP(f)
		case layers.LayerTypeICMPv4:
			f.Proto = packet.ProtoICMP
			f.ICMPType = d.icmp4.TypeCode.Type()
			f.ICMPCode = d.icmp4.TypeCode.Code()
			f.Payload = d.icmp4.Payload
			if raw := d.payloadBefore(i, pkt); len(raw) >= 8 {
				f.L4Header = raw[:icmpv4HeaderLen(raw)]
			}
			if f.ICMPType == layers.ICMPv4TypeEchoRequest || f.ICMPType == layers.ICMPv4TypeEchoReply {
				f.ICMPID, f.ICMPSeq = d.icmp4.Id, d.icmp4.Seq
			}
			if isICMPv4Error(f.ICMPType) {
				f.HasQuoted = parseQuoted(d.icmp4.Payload, &f.Quoted)
			}
		case layers.LayerTypeICMPv6:
			f.Proto = packet.ProtoICMPv6
			f.ICMPType = d.icmp6.TypeCode.Type()
			f.ICMPCode = d.icmp6.TypeCode.Code()
			f.Payload = d.icmp6.Payload
			if raw := d.payloadBefore(i, pkt); len(raw) >= 4 {
				f.L4Header = raw[:min(8, len(raw))] // type, code, checksum and the first word
			}
			// gopacket leaves an echo's identifier and sequence in the payload
			if (f.ICMPType == layers.ICMPv6TypeEchoRequest || f.ICMPType == layers.ICMPv6TypeEchoReply) && len(f.Payload) >= 4 {
				f.ICMPID = binary.BigEndian.Uint16(f.Payload[0:2])
				f.ICMPSeq = binary.BigEndian.Uint16(f.Payload[2:4])
			}
			// errors (types 1-4) carry 4 unused/MTU bytes, then the packet
			if f.ICMPType >= 1 && f.ICMPType <= 4 && len(d.icmp6.Payload) > 4 {
				f.HasQuoted = parseQuoted(d.icmp6.Payload[4:], &f.Quoted)
			}
		case layers.LayerTypeTCP:
			f.Proto = packet.ProtoTCP
			f.SrcPort = uint16(d.tcp.SrcPort)
			f.DstPort = uint16(d.tcp.DstPort)
			f.TCPFlags = tcpFlags(&d.tcp.TCP)
			f.Seq, f.Ack = d.tcp.Seq, d.tcp.Ack
			f.Window = d.tcp.Window
			f.TCPOptions = d.tcp.Contents[20:] // the parsed header is at least 20 bytes
			f.L4Header = d.tcp.Contents
			if len(f.TCPOptions) > 0 {
				f.Events |= tcpOptEvents(f.TCPOptions)
			}
			f.Payload = d.tcp.Payload
		case layers.LayerTypeUDP:
			f.Proto = packet.ProtoUDP
			f.SrcPort = uint16(d.udp.SrcPort)
			f.DstPort = uint16(d.udp.DstPort)
			f.L4Header = d.udp.Contents
			f.Payload = d.udp.Payload
		}
	}
	if err != nil {
		d.reasons[d.classify(err, p)]++
		d.refused(f, first, pkt)
	} else if f.L3 == packet.L3None {
		d.reasons[reasonNonIP]++
	}
	return f.L3 != packet.L3None
}

// refused reads what it can of the header the parser refused, the one
// after the last decoded, so that the packet is still inspected with its
// decoder events: an IP header after a link layer (or first), a
// transport header after IP.
func (d *decoder) refused(f *packet.Facts, first gopacket.LayerType, pkt []byte) {
	n := len(d.decoded)
	b := d.payloadBefore(n, pkt)
	last := first
	if n > 0 {
		last = d.decoded[n-1]
	}
	switch {
	case f.L3 == packet.L3None:
		if n == 0 && first != layers.LayerTypeIPv4 && first != layers.LayerTypeIPv6 {
			return // the link layer itself was refused
		}
		if n == 0 || d.announcesIP(last) {
			invalidIP(f, b)
		}
	case f.Proto == 0 && (f.L3 == packet.L3IPv4 || f.L3 == packet.L3IPv6) && f.Events&packet.EvIPv6TruncExthdr == 0:
		// (Suricata stops at a truncated extension header)
		switch last {
		case layers.LayerTypeIPv4, layers.LayerTypeIPv6, layers.LayerTypeIPv6HopByHop,
			layers.LayerTypeIPv6Destination, layers.LayerTypeIPv6Routing:
			invalidL4(f, f.IPProto, b)
		}
	}
}

// announcesIP reports whether the link layer last says an IP header
// follows it, so that bytes it carries are read as one only then.
func (d *decoder) announcesIP(last gopacket.LayerType) bool {
	var et layers.EthernetType
	switch last {
	case layers.LayerTypeEthernet:
		et = d.eth.EthernetType
	case layers.LayerTypeDot1Q:
		et = d.dot1q.Type
	case layers.LayerTypeLinuxSLL:
		et = d.sll.EthernetType
	case layers.LayerTypeLoopback:
		return d.loop.Family.LayerType() == layers.LayerTypeIPv4 || d.loop.Family.LayerType() == layers.LayerTypeIPv6
	default:
		return false
	}
	return et == layers.EthernetTypeIPv4 || et == layers.EthernetTypeIPv6
}

// classify names the layer that failed: the one after the last decoded.
func (d *decoder) classify(_ error, p *gopacket.DecodingLayerParser) int {
	if p.Truncated {
		return reasonTruncated
	}
	last := gopacket.LayerTypeZero
	if n := len(d.decoded); n > 0 {
		last = d.decoded[n-1]
	}
	switch last {
	case gopacket.LayerTypeZero:
		return reasonMalformedL2
	case layers.LayerTypeEthernet, layers.LayerTypeDot1Q, layers.LayerTypeLinuxSLL, layers.LayerTypeLoopback:
		return reasonMalformedL3
	}
	return reasonMalformedL4
}

func (d *decoder) fillARP(f *packet.Facts) {
	a := &d.arp
	// Only Ethernet/IPv4 ARP binds IPs to MACs in a way the detectors use.
	if a.HwAddressSize != 6 || a.ProtAddressSize != 4 ||
		len(a.SourceHwAddress) != 6 || len(a.DstHwAddress) != 6 ||
		len(a.SourceProtAddress) != 4 || len(a.DstProtAddress) != 4 {
		d.reasons[reasonNonIP]++
		return
	}
	f.L3 = packet.L3ARP
	f.ARP.Op = a.Operation
	copy(f.ARP.SenderMAC[:], a.SourceHwAddress)
	copy(f.ARP.TargetMAC[:], a.DstHwAddress)
	f.ARP.SenderIP = addr4(a.SourceProtAddress)
	f.ARP.TargetIP = addr4(a.DstProtAddress)
}

// payloadBefore returns the bytes of the layer at index i of d.decoded:
// the payload of the layer before it, or pkt for the first layer.
func (d *decoder) payloadBefore(i int, pkt []byte) []byte {
	if i == 0 {
		return pkt
	}
	switch d.decoded[i-1] {
	case layers.LayerTypeEthernet:
		return d.eth.Payload
	case layers.LayerTypeDot1Q:
		return d.dot1q.Payload
	case layers.LayerTypeLinuxSLL:
		return d.sll.Payload
	case layers.LayerTypeLoopback:
		return d.loop.Payload
	case layers.LayerTypeIPv4:
		return d.ip4.Payload
	case layers.LayerTypeIPv6:
		return d.ip6.Payload
	case layers.LayerTypeIPv6Destination, layers.LayerTypeIPv6Routing,
		layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Fragment:
		return d.ip6ext.Payload // the skipper decodes them all
	}
	return nil
}

// defrag4 hands an IPv4 fragment to the reassembler and, when it
// completes its datagram, fills f from the whole datagram.
func (d *decoder) defrag4(f *packet.Facts) {
	ip := &d.ip4.IPv4
	if len(ip.Contents)+len(ip.Payload) != int(ip.Length) {
		d.reasons[reasonTruncated]++ // a short fragment would leave a hole
		return
	}
	k := fragKey{src: f.Src, dst: f.Dst, id: uint32(ip.Id), proto: uint8(ip.Protocol)}
	whole, res := d.frag.add(k, f.Time, ip.Contents, 0, 0, int(ip.FragOffset)*8,
		ip.Flags&layers.IPv4MoreFragments != 0, ip.Payload)
	f.Events |= fragEvents(d.frag.anomaly, packet.EvIPv4FragPktTooLarge, packet.EvIPv4FragOverlap, 0)
	d.reassembled(f, layers.LayerTypeIPv4, whole, res)
}

// defrag6 does the same for an IPv6 packet raw (cut to its payload
// length) whose fragment header is at at.
func (d *decoder) defrag6(f *packet.Facts, raw []byte, at, nextPos int) {
	if d.ip6.Length == 0 {
		d.reasons[reasonMalformedL3]++ // jumbograms are never fragmented
		return
	}
	if len(raw) < 40+int(d.ip6.Length) {
		d.reasons[reasonTruncated]++
		return
	}
	fh := raw[at : at+8]
	next := fh[0]
	off := int(binary.BigEndian.Uint16(fh[2:4]) &^ 7)
	more := fh[3]&1 != 0
	data := raw[at+8:]
	if off == 0 && !more {
		// an atomic fragment (RFC 6946): the datagram is whole already
		w := append(append(d.frag.whole[:0], raw[:at]...), data...)
		d.frag.whole = w
		binary.BigEndian.PutUint16(w[4:6], uint16(len(w)-40))
		w[nextPos] = next
		d.reassembled(f, layers.LayerTypeIPv6, w, fragComplete)
		return
	}
	k := fragKey{src: f.Src, dst: f.Dst, id: binary.BigEndian.Uint32(fh[4:8])}
	whole, res := d.frag.add(k, f.Time, raw[:at], nextPos, next, off, more, data)
	f.Events |= fragEvents(d.frag.anomaly, packet.EvIPv6FragPktTooLarge, packet.EvIPv6FragOverlap, packet.EvIPv6FragInvalidLength)
	d.reassembled(f, layers.LayerTypeIPv6, whole, res)
}

// fragEvents turns what the reassembler found wrong with a fragment into
// the decoder events of its IP version (IPv4 has no event for a bad
// length: badLength is 0).
func fragEvents(a fragAnomaly, tooLarge, overlap, badLength packet.DecodeEvents) (ev packet.DecodeEvents) {
	if a&fragTooLarge != 0 {
		ev |= tooLarge
	}
	if a&fragOverlaps != 0 {
		ev |= overlap
	}
	if a&fragBadLength != 0 {
		ev |= badLength
	}
	return ev
}

// reassembled decodes a completed datagram from its IP layer on, into f,
// which keeps its link-layer facts.
func (d *decoder) reassembled(f *packet.Facts, first gopacket.LayerType, whole []byte, res fragResult) {
	switch res {
	case fragMalformed:
		d.reasons[reasonMalformedL3]++
		return
	case fragPending:
		return
	}
	// Suricata's reassembled packet keeps the first fragment's link
	// header; the last one's stands in for it
	f.Source, f.CapLen = packet.SrcDefrag, d.fragLink+len(whole)
	d.run(f, first, whole, true)
}

func isICMPv4Error(t uint8) bool {
	switch t {
	case layers.ICMPv4TypeDestinationUnreachable, layers.ICMPv4TypeTimeExceeded,
		layers.ICMPv4TypeParameterProblem, layers.ICMPv4TypeSourceQuench, layers.ICMPv4TypeRedirect:
		return true
	}
	return false
}

// parseQuoted reads the IP header and the first transport bytes that an ICMP
// error quotes. Bounds are checked by hand: this is attacker-controlled data.
func parseQuoted(b []byte, q *packet.QuotedFacts) bool {
	if len(b) < 1 {
		return false
	}
	var l4 []byte
	switch b[0] >> 4 {
	case 4:
		if len(b) < 20 {
			return false
		}
		ihl := int(b[0]&0x0f) * 4
		if ihl < 20 || len(b) < ihl {
			return false
		}
		q.Proto = b[9]
		q.Src = netip.AddrFrom4([4]byte(b[12:16]))
		q.Dst = netip.AddrFrom4([4]byte(b[16:20]))
		l4 = b[ihl:]
	case 6:
		if len(b) < 40 {
			return false
		}
		q.Proto = b[6]
		q.Src = netip.AddrFrom16([16]byte(b[8:24]))
		q.Dst = netip.AddrFrom16([16]byte(b[24:40]))
		l4 = b[40:]
	default:
		return false
	}
	if (q.Proto == packet.ProtoTCP || q.Proto == packet.ProtoUDP) && len(l4) >= 4 {
		q.SrcPort = binary.BigEndian.Uint16(l4[0:2])
		q.DstPort = binary.BigEndian.Uint16(l4[2:4])
	}
	return true
}

// tcpFlags is the header's flags byte: the detectors' TCP* constants are
// its bits, so it is read, not rebuilt from gopacket's booleans. A decoded
// header has at least 20 bytes.
func tcpFlags(t *layers.TCP) uint8 {
	return t.Contents[13]
}

func addr4(b []byte) netip.Addr {
	if len(b) != 4 {
		return netip.Addr{}
	}
	return netip.AddrFrom4([4]byte(b))
}

func addr16(b []byte) netip.Addr {
	if len(b) != 16 {
		return netip.Addr{}
	}
	return netip.AddrFrom16([16]byte(b))
}

// decodeErrors lists the non-zero reason counts in a fixed order.
func (d *decoder) decodeErrors() []ReasonCount {
	d.reasons[reasonFragTimeout] = d.frag.timedOut
	var out []ReasonCount
	for i, n := range d.reasons {
		if n > 0 {
			out = append(out, ReasonCount{Reason: reasonNames[i], Count: n})
		}
	}
	return out
}
