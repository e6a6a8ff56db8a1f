package main

import (
	"encoding/binary"
	"net"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// The bench capture's frames: a few templates serialized once with
// gopacket, then copied and patched per packet (addresses, ports, sequence
// numbers, lengths, checksums), so a multi-gigabyte capture is quick to
// make. The simulation that decides what to send is in bench.go.

func (g *benchGen) buildTemplates() {
	ser := func(ls ...gopacket.SerializableLayer) []byte {
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, serializeOpts, ls...); err != nil {
			panic(err)
		}
		return append([]byte(nil), buf.Bytes()...)
	}
	eth := func(t layers.EthernetType) *layers.Ethernet {
		return &layers.Ethernet{SrcMAC: gatewayMAC, DstMAC: gatewayMAC, EthernetType: t}
	}
	ip := func(p layers.IPProtocol) *layers.IPv4 {
		return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: p, Flags: layers.IPv4DontFragment,
			SrcIP: net.IPv4(192, 168, 1, 1), DstIP: net.IPv4(192, 168, 1, 2)}
	}
	tcp := func(opts []layers.TCPOption) []byte {
		i := ip(layers.IPProtocolTCP)
		t := &layers.TCP{SrcPort: 1, DstPort: 2, Window: 64240, Options: opts}
		t.SetNetworkLayerForChecksum(i)
		b := ser(eth(layers.EthernetTypeIPv4), i, t)
		n := 14 + 20 + int(b[14+20+12]>>4)*4
		return b[:n] // drop Ethernet padding
	}
	g.tmpl[tmplTCP] = tcp(nil)
	g.tmpl[tmplSYN] = tcp(synOptions(1460))
	g.tmpl[tmplSYNMSS] = tcp([]layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}})
	ui := ip(layers.IPProtocolUDP)
	ui.Flags = 0
	u := &layers.UDP{SrcPort: 1, DstPort: 2}
	u.SetNetworkLayerForChecksum(ui)
	g.tmpl[tmplUDP] = ser(eth(layers.EthernetTypeIPv4), ui, u)[:42]
	g.tmpl[tmplARP] = ser(eth(layers.EthernetTypeARP), &layers.ARP{
		AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
		Operation: 1, SourceHwAddress: gatewayMAC, SourceProtAddress: net.IPv4(0, 0, 0, 0).To4(),
		DstHwAddress: zeroMAC, DstProtAddress: net.IPv4(0, 0, 0, 0).To4(),
	})
}

// csumAdd adds b to a ones'-complement running sum.
func csumAdd(s uint64, b []byte) uint64 {
	for len(b) >= 32 {
		v0 := binary.BigEndian.Uint64(b)
		v1 := binary.BigEndian.Uint64(b[8:])
		v2 := binary.BigEndian.Uint64(b[16:])
		v3 := binary.BigEndian.Uint64(b[24:])
		s += v0>>32 + v0&0xffffffff + v1>>32 + v1&0xffffffff + v2>>32 + v2&0xffffffff + v3>>32 + v3&0xffffffff
		b = b[32:]
	}
	for len(b) >= 4 {
		s += uint64(binary.BigEndian.Uint32(b))
		b = b[4:]
	}
	if len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	return s
}

func csumFold(s uint64) uint16 {
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// ipHeader patches the IPv4 header at f[14:34] and its checksum.
func ipHeader(f []byte, src, dst *bhost, ttl uint8, ipLen int, id uint16) {
	binary.BigEndian.PutUint16(f[16:], uint16(ipLen))
	binary.BigEndian.PutUint16(f[18:], id)
	f[22] = ttl
	copy(f[26:30], src.ip[:])
	copy(f[30:34], dst.ip[:])
	f[24], f[25] = 0, 0
	binary.BigEndian.PutUint16(f[24:], csumFold(csumAdd(0, f[14:34])))
}

// emit writes frame[:n], padded to the Ethernet minimum.
func (g *benchGen) emit(n int) error {
	if n < 60 {
		clear(g.frame[n:60])
		n = 60
	}
	ci := gopacket.CaptureInfo{Timestamp: baseTime.Add(time.Duration(g.now) * time.Microsecond), CaptureLength: n, Length: n}
	g.pkts++
	g.last = g.now
	g.bytes += 16 + int64(n)
	return g.w.WritePacket(ci, g.frame[:n])
}

// tcp writes one TCP segment built from a template.
func (g *benchGen) tcp(kind int, src, dst *bhost, sport, dport uint16, seq, ack uint32, flags uint8, win uint16, payload []byte) error {
	f := g.frame[:]
	t := g.tmpl[kind]
	copy(f, t)
	hl := len(t)
	if kind == tmplSYN {
		binary.BigEndian.PutUint16(f[56:], g.mss)
	}
	copy(f[0:6], dst.mac[:])
	copy(f[6:12], src.mac[:])
	n := hl + len(payload)
	copy(f[hl:], payload)
	ipHeader(f, src, dst, src.ttl, n-14, src.ipid)
	src.ipid++
	binary.BigEndian.PutUint16(f[34:], sport)
	binary.BigEndian.PutUint16(f[36:], dport)
	binary.BigEndian.PutUint32(f[38:], seq)
	binary.BigEndian.PutUint32(f[42:], ack)
	f[47] = flags
	binary.BigEndian.PutUint16(f[48:], win)
	f[50], f[51] = 0, 0
	s := csumAdd(0, f[26:34]) + 6 + uint64(n-34)
	binary.BigEndian.PutUint16(f[50:], csumFold(csumAdd(s, f[34:n])))
	return g.emit(n)
}

// udp writes one UDP datagram.
func (g *benchGen) udp(src, dst *bhost, sport, dport uint16, payload []byte) error {
	f := g.frame[:]
	copy(f, g.tmpl[tmplUDP])
	copy(f[0:6], dst.mac[:])
	copy(f[6:12], src.mac[:])
	n := 42 + len(payload)
	copy(f[42:], payload)
	ipHeader(f, src, dst, src.ttl, n-14, src.ipid)
	src.ipid++
	binary.BigEndian.PutUint16(f[34:], sport)
	binary.BigEndian.PutUint16(f[36:], dport)
	binary.BigEndian.PutUint16(f[38:], uint16(n-34))
	f[40], f[41] = 0, 0
	s := csumAdd(0, f[26:34]) + 17 + uint64(n-34)
	c := csumFold(csumAdd(s, f[34:n]))
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(f[40:], c)
	return g.emit(n)
}

// arp writes one ARP packet.
func (g *benchGen) arp(ethSrc, ethDst [6]byte, op uint16, sha [6]byte, spa [4]byte, tha [6]byte, tpa [4]byte) error {
	f := g.frame[:]
	copy(f, g.tmpl[tmplARP])
	copy(f[0:6], ethDst[:])
	copy(f[6:12], ethSrc[:])
	binary.BigEndian.PutUint16(f[20:], op)
	copy(f[22:28], sha[:])
	copy(f[28:32], spa[:])
	copy(f[32:38], tha[:])
	copy(f[38:42], tpa[:])
	return g.emit(60)
}
