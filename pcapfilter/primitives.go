package pcapfilter

// Primitives as libpcap generates them: each is a tree of loads and
// comparisons, the link checks first, so a packet too short for a field
// is refused by a test before the load, as libpcap's programs do.

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strings"

	"golang.org/x/net/bpf"
)

// isNet is a test that the network layer is of EtherType t.
func (p *parser) isNet(t uint32) node {
	l := p.lay
	if l.typeOff < 0 {
		v := uint32(0)
		switch t {
		case etherIPv4:
			v = 4
		case etherIPv6:
			v = 6
		default:
			return nConst(false)
		}
		if l.only != 0 {
			return nConst(uint32(l.only) == v)
		}
		c := cmpAbs(l.nl, 1, v<<4)
		c.mask = 0xf0
		return c
	}
	return cmpAbs(uint32(l.typeOff), 2, t)
}

// ipProto is "ip proto v"; ip6Proto "ip6 proto v", which, as libpcap's,
// also looks past a fragment header.
func (p *parser) ipProto(v uint32) node {
	return nAnd{p.isNet(etherIPv4), cmpAbs(p.lay.nl+9, 1, v)}
}

func (p *parser) ip6Proto(v uint32) node {
	nl := p.lay.nl
	return nAnd{p.isNet(etherIPv6), nOr{cmpAbs(nl+6, 1, v), nAnd{cmpAbs(nl+6, 1, protoFrag), cmpAbs(nl+40, 1, v)}}}
}

// protoAlone is a protocol word on its own: tcp, ip6, arp.
func (p *parser) protoAlone(proto string) (node, error) {
	switch proto {
	case "ip", "ip6", "arp", "rarp":
		return p.isNet(etherNames[proto]), nil
	case "icmp", "igmp":
		return p.ipProto(protoNames[proto]), nil
	case "icmp6":
		return p.ip6Proto(protoICMP6), nil
	case "tcp", "udp", "sctp":
		v := protoNames[proto]
		return nOr{p.ip6Proto(v), p.ipProto(v)}, nil
	}
	return nil, p.errorf("%q needs a host, net or port", proto)
}

// protoTest is "[ether|ip|ip6] proto N".
func (p *parser) protoTest(qual string) (node, error) {
	s := p.peek()
	name := strings.TrimPrefix(s, "\\")
	v, err := parseNumber(name)
	if qual == "ether" {
		if err != nil {
			t, ok := etherNames[name]
			if !ok {
				return nil, p.errorf("unknown EtherType")
			}
			v = t
		}
		p.i++
		return p.isNet(v), nil
	}
	if err != nil {
		t, ok := protoNames[name]
		if !ok {
			return nil, p.errorf("unknown protocol")
		}
		v = t
	}
	if v > 255 {
		return nil, p.errorf("protocol %d out of range", v)
	}
	p.i++
	switch qual {
	case "ip":
		return p.ipProto(v), nil
	case "ip6":
		return p.ip6Proto(v), nil
	case "":
		return nOr{p.ipProto(v), p.ip6Proto(v)}, nil
	}
	return nil, p.errorf("proto after %q", qual)
}

// castTest is broadcast or multicast, of Ethernet (the default) or IP.
func (p *parser) castTest(proto, what string) (node, error) {
	switch {
	case (proto == "" || proto == "ether") && p.lay.ether:
		if what == "broadcast" {
			return nAnd{cmpAbs(2, 4, 0xffffffff), cmpAbs(0, 2, 0xffff)}, nil
		}
		c := cmpAbs(0, 1, 1)
		c.op = bpf.JumpBitsSet
		return c, nil
	case proto == "ip" && what == "multicast":
		return nAnd{p.isNet(etherIPv4), nCmp{ld: loadAbs(p.lay.nl+16, 1), op: bpf.JumpGreaterOrEqual, val: 224}}, nil
	case proto == "ip6" && what == "multicast":
		return nAnd{p.isNet(etherIPv6), cmpAbs(p.lay.nl+24, 1, 0xff)}, nil
	}
	return nil, p.errorf("%s %s is not supported by ipsreplay's filter compiler", proto, what)
}

// qualified is a primitive with an identifier: host, net, port,
// portrange, an Ethernet address.
func (p *parser) qualified(q qualifiers) (node, error) {
	id := p.peek()
	typ := q.typ
	if typ == "" {
		switch {
		case q.proto == "tcp" || q.proto == "udp" || q.proto == "sctp":
			typ = "port"
		default:
			typ = "host"
		}
	}
	var n node
	var err error
	switch typ {
	case "host", "net":
		n, err = p.hostOrNet(q, typ, id)
	case "port", "portrange":
		n, err = p.port(q, typ, id)
	}
	if err != nil {
		return nil, err
	}
	p.i++
	return n, nil
}

func (p *parser) hostOrNet(q qualifiers, typ, id string) (node, error) {
	if q.proto == "ether" {
		mac, err := net.ParseMAC(id)
		if err != nil || len(mac) != 6 || typ != "host" {
			return nil, p.errorf("expected an Ethernet address")
		}
		if !p.lay.ether {
			return nil, p.errorf("ether host needs an Ethernet capture")
		}
		src := nAnd{cmpAbs(8, 4, binary.BigEndian.Uint32(mac[2:])), cmpAbs(6, 2, uint32(binary.BigEndian.Uint16(mac)))}
		dst := nAnd{cmpAbs(2, 4, binary.BigEndian.Uint32(mac[2:])), cmpAbs(0, 2, uint32(binary.BigEndian.Uint16(mac)))}
		return direction(q.dir, src, dst), nil
	}
	pfx, err := parsePrefix(id, typ)
	if err == nil && typ == "net" && p.peekAt(1) == "mask" {
		pfx, err = withMask(id, p.peekAt(2))
		if err == nil {
			p.i += 2
		}
	}
	if err != nil {
		return nil, p.errorf("%v", err)
	}
	if pfx.Addr().Is4() {
		nl := p.lay.nl
		ip := func() node { return direction(q.dir, p.match4(nl+12, pfx), p.match4(nl+16, pfx)) }
		arpLike := func(t uint32) node {
			return nAnd{p.isNet(t), direction(q.dir, p.match4(nl+14, pfx), p.match4(nl+24, pfx))}
		}
		switch q.proto {
		case "ip":
			return nAnd{p.isNet(etherIPv4), ip()}, nil
		case "arp":
			return arpLike(etherARP), nil
		case "rarp":
			return arpLike(etherRARP), nil
		case "":
			return nOr{nOr{nAnd{p.isNet(etherIPv4), ip()}, arpLike(etherARP)}, arpLike(etherRARP)}, nil
		}
		return nil, p.errorf("%s %s with an IPv4 address", q.proto, typ)
	}
	if q.proto != "" && q.proto != "ip6" {
		return nil, p.errorf("%s %s with an IPv6 address", q.proto, typ)
	}
	nl := p.lay.nl
	return nAnd{p.isNet(etherIPv6), direction(q.dir, match16(nl+8, pfx), match16(nl+24, pfx))}, nil
}

// parsePrefix reads a host address or a network (a/len, or a dotted
// prefix of fewer than four bytes, as "net 10.1").
func parsePrefix(id, typ string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(id); err == nil {
		if typ == "net" && a.Is4() {
			return a.Prefix(32)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	if typ == "net" {
		if pfx, err := netip.ParsePrefix(id); err == nil {
			return pfx.Masked(), nil
		}
		parts := strings.Split(id, ".")
		if len(parts) < 4 {
			full := id + strings.Repeat(".0", 4-len(parts))
			if a, err := netip.ParseAddr(full); err == nil && a.Is4() {
				return netip.PrefixFrom(a, 8*len(parts)), nil
			}
		}
	}
	if typ == "host" {
		return netip.Prefix{}, errHostName(id)
	}
	return netip.Prefix{}, errNotNet(id)
}

// withMask is "net a mask m", for a mask of contiguous ones.
func withMask(id, mask string) (netip.Prefix, error) {
	a, err1 := netip.ParseAddr(id)
	m, err2 := netip.ParseAddr(mask)
	if err1 != nil || err2 != nil || !a.Is4() || !m.Is4() {
		return netip.Prefix{}, errNotNet(id + " mask " + mask)
	}
	b := m.As4()
	v := binary.BigEndian.Uint32(b[:])
	bits := 0
	for bits < 32 && v&(1<<(31-bits)) != 0 {
		bits++
	}
	if bits < 32 && v<<bits != 0 {
		return netip.Prefix{}, errNotNet(id + " mask " + mask + " (not contiguous)")
	}
	return a.Prefix(bits)
}

type errHostName string

func (e errHostName) Error() string {
	return "host names are not resolved: write the address of " + string(e)
}

type errNotNet string

func (e errNotNet) Error() string { return string(e) + " is not a network" }

// match4 compares the IPv4 address at off with pfx.
func (p *parser) match4(off uint32, pfx netip.Prefix) node {
	a := pfx.Addr().As4()
	c := cmpAbs(off, 4, binary.BigEndian.Uint32(a[:]))
	if pfx.Bits() < 32 {
		c.mask = ^uint32(0) << (32 - pfx.Bits())
		if pfx.Bits() == 0 {
			c.mask = 0
			return nConst(true)
		}
	}
	return c
}

// match16 compares the IPv6 address at off with pfx, word by word.
func match16(off uint32, pfx netip.Prefix) node {
	a := pfx.Addr().As16()
	var n node
	for w, bits := 0, pfx.Bits(); w < 4 && bits > 0; w, bits = w+1, bits-32 {
		c := cmpAbs(off+uint32(4*w), 4, binary.BigEndian.Uint32(a[4*w:]))
		if bits < 32 {
			c.mask = ^uint32(0) << (32 - bits)
			c.val &= c.mask
		}
		if n == nil {
			n = c
		} else {
			n = nAnd{n, c}
		}
	}
	if n == nil {
		return nConst(true)
	}
	return n
}

// direction joins a source test and a destination test as dir says.
func direction(dir string, src, dst node) node {
	switch dir {
	case "src":
		return src
	case "dst":
		return dst
	case "src and dst":
		return nAnd{src, dst}
	}
	return nOr{src, dst}
}

func (p *parser) port(q qualifiers, typ, id string) (node, error) {
	lo, hi, err := portRange(id, typ == "portrange")
	if err != nil {
		return nil, p.errorf("%v", err)
	}
	var protos []uint32
	switch q.proto {
	case "tcp", "udp", "sctp":
		protos = []uint32{protoNames[q.proto]}
	case "", "ip", "ip6":
		protos = []uint32{protoTCP, protoUDP, protoSCTP}
	default:
		return nil, p.errorf("%s %s", q.proto, typ)
	}
	nl := p.lay.nl
	anyOf := func(off uint32) node {
		var n node
		for _, v := range protos {
			var c node = cmpAbs(off, 1, v)
			if n == nil {
				n = c
			} else {
				n = nOr{n, c}
			}
		}
		return n
	}
	cmp := func(ld loadSpec) node {
		if lo == hi {
			return nCmp{ld: ld, op: bpf.JumpEqual, val: lo}
		}
		return nAnd{nCmp{ld: ld, op: bpf.JumpGreaterOrEqual, val: lo}, nCmp{ld: ld, op: bpf.JumpLessOrEqual, val: hi}}
	}
	v4 := nAnd{nAnd{nAnd{p.isNet(etherIPv4), anyOf(nl + 9)}, notFragment(nl)},
		direction(q.dir, cmp(loadL4(nl, 0, 2)), cmp(loadL4(nl, 2, 2)))}
	v6 := nAnd{nAnd{p.isNet(etherIPv6), anyOf(nl + 6)},
		direction(q.dir, cmp(loadAbs(nl+40, 2)), cmp(loadAbs(nl+42, 2)))}
	switch q.proto {
	case "ip":
		return v4, nil
	case "ip6":
		return v6, nil
	}
	return nOr{v4, v6}, nil
}

// notFragment is an IPv4 packet that is no fragment but the first.
func notFragment(nl uint32) node {
	c := cmpAbs(nl+6, 2, 0)
	c.mask = 0x1fff
	return c
}

func portRange(id string, isRange bool) (lo, hi uint32, err error) {
	one := func(s string) (uint32, error) {
		if v, err := parseNumber(s); err == nil {
			if v > 65535 {
				return 0, errPort(s)
			}
			return v, nil
		}
		if v, ok := portNames[s]; ok {
			return v, nil
		}
		return 0, errPort(s)
	}
	if !isRange {
		lo, err = one(id)
		return lo, lo, err
	}
	a, b, ok := strings.Cut(id, "-")
	if !ok {
		return 0, 0, errPort(id)
	}
	if lo, err = one(a); err == nil {
		hi, err = one(b)
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi, err
}

type errPort string

func (e errPort) Error() string { return "not a port or port range: " + string(e) }
