package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// Times inside a capture are microseconds since baseTime. Every scenario
// starts at baseTime (scan-part2 deliberately continues where part1 ends).
var baseTime = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const (
	usec int64 = 1
	msec       = 1000 * usec
	sec        = 1000 * msec
)

// defaultSeed is the first PCG word of every generator; the second word is
// derived from the scenario name so scenarios do not share random streams.
const defaultSeed uint64 = 0x1f5_2026_0302

var serializeOpts = gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}

// Well-known addresses shared by the scenarios.
var (
	gatewayMAC = mustMAC("00:1a:2b:3c:4d:01")
	broadcast  = mustMAC("ff:ff:ff:ff:ff:ff")
	zeroMAC    = mustMAC("00:00:00:00:00:00")
)

func mustMAC(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// host is one endpoint as seen from the capture point.
type host struct {
	ip    netip.Addr
	mac   net.HardwareAddr // its own MAC, or the gateway's for hosts beyond it
	ttl   uint8            // TTL / hop limit of its packets as seen on the LAN
	dist  int64            // one-way delay between the capture point and the host, µs
	ipid  uint16           // next IPv4 identification
	port  uint16           // next ephemeral port
	ports [2]uint16        // ephemeral range
	win   uint16           // TCP window it advertises
	local bool
}

// ephemeral returns the host's next client port, stepping like a real stack.
func (c *capture) ephemeral(h *host) uint16 {
	p := h.port
	h.port += uint16(1 + c.rng.IntN(3))
	if h.port >= h.ports[1] || h.port < h.ports[0] {
		h.port = h.ports[0]
	}
	return p
}

// frame is one captured packet.
type frame struct {
	t     int64 // µs since baseTime
	iface int
	data  []byte
}

// iface is one capture interface. Only Ethernet (optionally 802.1Q tagged)
// and Linux cooked capture (SLL) are supported.
type iface struct {
	name string
	link layers.LinkType
	vlan uint16           // Ethernet only: tag every frame with this VLAN id
	self net.HardwareAddr // SLL only: the capturing host, for the packet type
}

// mitm describes an active ARP-poisoning man in the middle: while active,
// IP traffic between victim and anything behind the gateway goes through
// the attacker's MAC and is forwarded (TTL-1) by it.
type mitm struct {
	victim, gw, attacker *host
	from, to             int64
	delay                int64 // forwarding delay, µs
}

// capture collects the frames of one scenario and writes them in time order.
type capture struct {
	rng    *rand.Rand
	ifaces []iface
	ng     bool // write pcapng instead of pcap
	ifc    int  // interface for the traffic generated next
	pkts   []frame
	mitm   *mitm
	gw     *host
	// bodyMax bounds the random part of HTTP response bodies.
	bodyMax int
}

func newCapture(name string, seed uint64) *capture {
	h := fnv.New64a()
	h.Write([]byte(name))
	c := &capture{
		rng:     rand.New(rand.NewPCG(seed, h.Sum64())),
		ifaces:  []iface{{name: "eth0", link: layers.LinkTypeEthernet}},
		bodyMax: 12000,
	}
	c.gw = c.lanHost("192.168.1.1", "00:1a:2b:3c:4d:01", 64)
	return c
}

func usToDur(t int64) time.Duration { return time.Duration(t) * time.Microsecond }

func (c *capture) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + c.rng.Int64N(hi-lo+1)
}

func (c *capture) randBytes(n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], c.rng.Uint64())
		copy(b[i:], w[:])
	}
	return b
}

// lanHost is a host on 192.168.1.0/24 (or its IPv6 prefix) behind the
// mirrored switch port: well under a millisecond away.
func (c *capture) lanHost(ip, mac string, ttl uint8) *host {
	a := netip.MustParseAddr(ip)
	h := &host{ip: a, mac: mustMAC(mac), ttl: ttl, dist: c.between(40, 160), local: true, win: 64240}
	c.initHost(h)
	return h
}

// wanHost is a host on the Internet, reached through the gateway: frames to
// and from it carry the gateway's MAC.
func (c *capture) wanHost(ip string, ttl uint8, distMs int64) *host {
	a := netip.MustParseAddr(ip)
	h := &host{ip: a, mac: gatewayMAC, ttl: ttl, dist: distMs*msec + c.between(0, 900), win: 65160}
	c.initHost(h)
	return h
}

func (c *capture) initHost(h *host) {
	h.ipid = uint16(c.rng.Uint32())
	if h.ttl >= 100 && h.ttl <= 128 { // Windows-like stack
		h.ports = [2]uint16{49152, 65535}
	} else {
		h.ports = [2]uint16{32768, 60999}
	}
	h.port = h.ports[0] + uint16(c.rng.IntN(int(h.ports[1]-h.ports[0])/2))
}

// put serializes layers into a frame at time t on interface ifc.
func (c *capture) put(t int64, ifc int, ls ...gopacket.SerializableLayer) []byte {
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, serializeOpts, ls...); err != nil {
		panic(fmt.Sprintf("serialize: %v", err))
	}
	data := slices.Clone(buf.Bytes())
	c.pkts = append(c.pkts, frame{t: t, iface: ifc, data: data})
	return data
}

// l2 returns the link-layer headers of a frame on interface ifc.
func (c *capture) l2(ifc int, src, dst net.HardwareAddr, et layers.EthernetType) []gopacket.SerializableLayer {
	in := c.ifaces[ifc]
	switch in.link {
	case layers.LinkTypeLinuxSLL:
		pt := uint16(0) // addressed to us
		switch {
		case slices.Equal(src, in.self):
			pt = 4 // sent by us
		case slices.Equal(dst, broadcast):
			pt = 1
		case dst[0]&1 == 1:
			pt = 2
		case !slices.Equal(dst, in.self):
			pt = 3 // to another host
		}
		return []gopacket.SerializableLayer{&sllHeader{pktType: pt, addr: src, proto: et}}
	default:
		if in.vlan != 0 {
			return []gopacket.SerializableLayer{
				&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeDot1Q},
				&layers.Dot1Q{VLANIdentifier: in.vlan, Type: et},
			}
		}
		return []gopacket.SerializableLayer{&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: et}}
	}
}

// l2len is the length of the link header on interface ifc.
func (c *capture) l2len(ifc int) int {
	in := c.ifaces[ifc]
	switch {
	case in.link == layers.LinkTypeLinuxSLL:
		return 16
	case in.vlan != 0:
		return 18
	}
	return 14
}

// sllHeader is a Linux cooked-capture (v1) header; gopacket can decode but
// not serialize one.
type sllHeader struct {
	pktType uint16
	addr    net.HardwareAddr
	proto   layers.EthernetType
}

func (s *sllHeader) LayerType() gopacket.LayerType { return layers.LayerTypeLinuxSLL }

func (s *sllHeader) SerializeTo(b gopacket.SerializeBuffer, _ gopacket.SerializeOptions) error {
	h, err := b.PrependBytes(16)
	if err != nil {
		return err
	}
	clear(h)
	binary.BigEndian.PutUint16(h[0:], s.pktType)
	binary.BigEndian.PutUint16(h[2:], 1) // ARPHRD_ETHER
	binary.BigEndian.PutUint16(h[4:], uint16(len(s.addr)))
	copy(h[6:14], s.addr)
	binary.BigEndian.PutUint16(h[14:], uint16(s.proto))
	return nil
}

func setNetwork(l gopacket.SerializableLayer, n gopacket.NetworkLayer) {
	switch t := l.(type) {
	case *layers.TCP:
		t.SetNetworkLayerForChecksum(n)
	case *layers.UDP:
		t.SetNetworkLayerForChecksum(n)
	case *layers.ICMPv6:
		t.SetNetworkLayerForChecksum(n)
	}
}

// ip sends an IPv4 or IPv6 packet from src to dst at time t on the current
// interface and returns the IP packet bytes (without link header) of the
// first frame written.
func (c *capture) ip(t int64, src, dst *host, proto layers.IPProtocol, l4 ...gopacket.SerializableLayer) []byte {
	return c.ipVia(t, src, dst, src.mac, dst.mac, src.ttl, proto, l4...)
}

// ipVia is ip with explicit Ethernet addresses and TTL.
func (c *capture) ipVia(t int64, src, dst *host, ethSrc, ethDst net.HardwareAddr, ttl uint8, proto layers.IPProtocol, l4 ...gopacket.SerializableLayer) []byte {
	id := src.ipid
	src.ipid++
	if m := c.mitm; m != nil && t >= m.from && t < m.to && slices.Equal(ethSrc, src.mac) && slices.Equal(ethDst, dst.mac) {
		switch {
		case src == m.victim && slices.Equal(dst.mac, m.gw.mac):
			// The victim sends to the attacker's MAC; the attacker forwards
			// the same datagram (same IP id, TTL-1) to the gateway.
			first := c.ipFrame(t, src, dst, src.mac, m.attacker.mac, ttl, id, proto, l4)
			c.ipFrame(t+m.delay+c.between(0, 8), src, dst, m.attacker.mac, m.gw.mac, ttl-1, id, proto, l4)
			return first
		case dst == m.victim && slices.Equal(src.mac, m.gw.mac):
			first := c.ipFrame(t, src, dst, m.gw.mac, m.attacker.mac, ttl, id, proto, l4)
			c.ipFrame(t+m.delay+c.between(0, 8), src, dst, m.attacker.mac, m.victim.mac, ttl-1, id, proto, l4)
			return first
		}
	}
	return c.ipFrame(t, src, dst, ethSrc, ethDst, ttl, id, proto, l4)
}

func (c *capture) ipFrame(t int64, src, dst *host, ethSrc, ethDst net.HardwareAddr, ttl uint8, id uint16, proto layers.IPProtocol, l4 []gopacket.SerializableLayer) []byte {
	var nl gopacket.SerializableLayer
	var et layers.EthernetType
	if src.ip.Is4() {
		ip := &layers.IPv4{
			Version: 4, IHL: 5, TTL: ttl, Protocol: proto, Id: id,
			SrcIP: src.ip.AsSlice(), DstIP: dst.ip.AsSlice(),
		}
		if proto == layers.IPProtocolTCP {
			ip.Flags = layers.IPv4DontFragment
		}
		nl, et = ip, layers.EthernetTypeIPv4
		for _, l := range l4 {
			setNetwork(l, ip)
		}
	} else {
		ip := &layers.IPv6{
			Version: 6, HopLimit: ttl, NextHeader: proto,
			SrcIP: src.ip.AsSlice(), DstIP: dst.ip.AsSlice(),
		}
		nl, et = ip, layers.EthernetTypeIPv6
		for _, l := range l4 {
			setNetwork(l, ip)
		}
	}
	ls := append(c.l2(c.ifc, ethSrc, ethDst, et), nl)
	ls = append(ls, l4...)
	data := c.put(t, c.ifc, ls...)
	return data[c.l2len(c.ifc):]
}

// arp sends one ARP packet.
func (c *capture) arp(t int64, ethSrc, ethDst net.HardwareAddr, op uint16, sha net.HardwareAddr, spa netip.Addr, tha net.HardwareAddr, tpa netip.Addr) {
	a := &layers.ARP{
		AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
		HwAddressSize: 6, ProtAddressSize: 4, Operation: op,
		SourceHwAddress: sha, SourceProtAddress: spa.AsSlice(),
		DstHwAddress: tha, DstProtAddress: tpa.AsSlice(),
	}
	ls := append(c.l2(c.ifc, ethSrc, ethDst, layers.EthernetTypeARP), a)
	c.put(t, c.ifc, ls...)
}

// arpResolve: from asks who has to.ip, to answers. Returns the reply time.
func (c *capture) arpResolve(t int64, from, to *host) int64 {
	c.arp(t, from.mac, broadcast, layers.ARPRequest, from.mac, from.ip, zeroMAC, to.ip)
	rt := t + from.dist + to.dist + c.between(20, 120)
	c.arp(rt, to.mac, from.mac, layers.ARPReply, to.mac, to.ip, from.mac, from.ip)
	return rt
}

// write sorts the frames by time (stable, so equal times keep generation
// order) and writes them as pcap or pcapng.
func (c *capture) write(w io.Writer) error {
	slices.SortStableFunc(c.pkts, func(a, b frame) int {
		switch {
		case a.t < b.t:
			return -1
		case a.t > b.t:
			return 1
		}
		return 0
	})
	bw := bufio.NewWriterSize(w, 1<<16)
	ts := func(t int64) time.Time { return baseTime.Add(time.Duration(t) * time.Microsecond) }
	if c.ng {
		ifs := make([]pcapgo.NgInterface, len(c.ifaces))
		for i, in := range c.ifaces {
			ifs[i] = pcapgo.NgInterface{Name: in.name, LinkType: in.link, SnapLength: 262144, OS: "Linux 6.8.0"}
		}
		nw, err := pcapgo.NewNgWriterInterface(bw, ifs[0], pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{
			Hardware: "x86_64", OS: "Linux 6.8.0", Application: "ipsreplay pcapgen",
		}})
		if err != nil {
			return err
		}
		for _, in := range ifs[1:] {
			if _, err := nw.AddInterface(in); err != nil {
				return err
			}
		}
		for _, p := range c.pkts {
			ci := gopacket.CaptureInfo{Timestamp: ts(p.t), CaptureLength: len(p.data), Length: len(p.data), InterfaceIndex: p.iface}
			if err := nw.WritePacket(ci, p.data); err != nil {
				return err
			}
		}
		if err := nw.Flush(); err != nil {
			return err
		}
	} else {
		pw := pcapgo.NewWriter(bw)
		if err := pw.WriteFileHeader(262144, c.ifaces[0].link); err != nil {
			return err
		}
		for _, p := range c.pkts {
			ci := gopacket.CaptureInfo{Timestamp: ts(p.t), CaptureLength: len(p.data), Length: len(p.data)}
			if err := pw.WritePacket(ci, p.data); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}
