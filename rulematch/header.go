package rulematch

// The tests on the packet's header and flow state: addresses and ports,
// flow:, flags:, dsize, ttl, itype and icode.

import (
	"net/netip"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

// compileHeader checks and copies the tests on the packet's header and
// flow: IP version, direction, flow, flags, dsize, ttl, itype, icode.
func compileHeader(r *rules.Rule, cr *rule, bad func(format string, args ...any)) {
	cr.ipv = r.Proto.IPVersions()
	cr.bidir = r.Bidirectional
	cr.flow = r.Flow
	cr.hasFlow = r.Flow != (rules.Flow{})
	if r.Flow.Direction > rules.FlowToClient {
		bad("flow direction %d unknown", r.Flow.Direction)
	}
	if r.Flow.Established && r.Flow.NotEstablished {
		bad("flow: established and not_established together never match")
	}
	if f := r.Flags; f != nil {
		if !knownBitsMode(f.Mode) {
			bad("flags: modifier %q unknown", f.Mode)
		}
		cr.flags = f
	}
	if fb := r.FragBits; fb != nil {
		if !knownBitsMode(fb.Mode) {
			bad("fragbits: modifier %q unknown", fb.Mode)
		}
		cr.fragbits = fb
	}
	cr.sameIP = r.SameIP
	cr.streamOnly = r.Proto == rules.ProtoTCPStream || r.Flow.OnlyStream
	cr.seq, cr.ack, cr.window, cr.ipid, cr.icmpid, cr.icmpseq = r.Seq, r.Ack, r.Window, r.IPID, r.ICMPID, r.ICMPSeq
	for _, rg := range []struct {
		name string
		r    *rules.Range
		dst  **rules.Range
	}{{"dsize", r.Dsize, &cr.dsize}, {"ttl", r.TTL, &cr.ttl}, {"itype", r.IType, &cr.itype}, {"icode", r.ICode, &cr.icode}, {"urilen", r.URILen, &cr.urilen}} {
		if rg.r == nil {
			continue
		}
		if rg.r.Op < rules.RangeEq || rg.r.Op > rules.RangeInclusive {
			bad("%s: operator %q unknown", rg.name, rg.r.Op)
		}
		*rg.dst = rg.r
	}
	if d := r.Dsize; d != nil {
		switch d.Op {
		case rules.RangeNot, rules.RangeGt, rules.RangeGe, rules.RangeExclusive, rules.RangeInclusive:
			cr.dsizeNeedsPayload = true
		case rules.RangeEq:
			cr.dsizeNeedsPayload = d.Min > 0
		}
	}
}

// headerMatch checks addresses and ports, both ways round for "<>". Ports
// apply to TCP and UDP packets only, as Suricata ignores them for
// protocols without ports.
func (m *Matcher) headerMatch(r *rule, f *packet.Facts) bool {
	ports := f.Proto == packet.ProtoTCP || f.Proto == packet.ProtoUDP
	memo := &m.sc.addrs
	memo.use(f, len(m.eng.addrs.specs))
	rr := r.rule
	if (!ports || rr.SrcPorts.Match(f.SrcPort) && rr.DstPorts.Match(f.DstPort)) &&
		m.addrMatch(memo, r.srcSpec, true) && m.addrMatch(memo, r.dstSpec, false) {
		return true
	}
	return r.bidir && (!ports || rr.SrcPorts.Match(f.DstPort) && rr.DstPorts.Match(f.SrcPort)) &&
		m.addrMatch(memo, r.srcSpec, false) && m.addrMatch(memo, r.dstSpec, true)
}

// addrMatch says whether the packet's source (src) or destination address
// is in address set spec, from the memo when a rule asked before.
func (m *Matcher) addrMatch(memo *addrMemo, spec int32, src bool) bool {
	i := 2 * int(spec)
	a := memo.dst
	if src {
		i++
		a = memo.src
	}
	if v := memo.stamps[i]; v>>1 == memo.gen {
		return v&1 != 0
	}
	in := m.eng.addrs.specs[spec].Match(a)
	memo.stamps[i] = memo.gen<<1 | b2u(in)
	return in
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// addrSpecs are a rule set's distinct address sets. ET Open's 17,000 rules
// name a few dozen ($HOME_NET, $EXTERNAL_NET, any, lists of servers), and a
// packet meets hundreds of candidate rules: matching each set once per
// pair of addresses instead of once per rule took the address checks from
// 6.6 % of a run with ET Open to 0.7 %.
type addrSpecs struct {
	specs []*rules.AddrSpec
	ids   map[string]int32
	key   []byte // scratch for id's lookup key
}

// id numbers s among the distinct sets, adding it when new.
func (x *addrSpecs) id(s *rules.AddrSpec) int32 {
	x.key = x.key[:0]
	if s.Any {
		x.key = append(x.key, '*')
	}
	if s.Negated {
		x.key = append(x.key, '!')
	}
	for _, p := range s.Include {
		x.key = append(p.AppendTo(x.key), ',')
	}
	x.key = append(x.key, '-')
	for _, p := range s.Exclude {
		x.key = append(p.AppendTo(x.key), ',')
	}
	if id, ok := x.ids[string(x.key)]; ok {
		return id
	}
	key := string(x.key)
	if x.ids == nil {
		x.ids = map[string]int32{}
	}
	id := int32(len(x.specs))
	x.ids[key] = id
	x.specs = append(x.specs, s)
	return id
}

// addrMemo is a worker's memo of the current packet's addresses against
// the address sets: stamps[2*spec] for the destination, +1 for the source,
// each gen<<1 | in. It starts over when the addresses change, whichever
// path calls, so it cannot answer for another packet.
type addrMemo struct {
	src, dst netip.Addr
	gen      uint32
	stamps   []uint32
}

func (memo *addrMemo) use(f *packet.Facts, specs int) {
	if f.Src == memo.src && f.Dst == memo.dst && memo.gen != 0 {
		return
	}
	memo.src, memo.dst = f.Src, f.Dst
	if len(memo.stamps) < 2*specs {
		memo.stamps = make([]uint32, 2*specs)
		memo.gen = 0
	}
	memo.gen++
	if memo.gen == 1<<31 { // wrapped: stale stamps could equal the new generation
		clear(memo.stamps)
		memo.gen = 1
	}
}

// flowMatch evaluates flow: (see the package comment for what the analyzer's
// TCP-only flow table can tell).
func flowMatch(fl *rules.Flow, f *packet.Facts) bool {
	if f.Proto != packet.ProtoTCP && (f.Proto != packet.ProtoUDP || f.Dir == packet.DirUnknown) {
		return true // no flow table for it (or, for UDP, none ran: unit tests)
	}
	if f.Proto == packet.ProtoUDP {
		return udpFlowMatch(fl, f)
	}
	known := f.Dir != packet.DirUnknown
	dirOK := true
	switch fl.Direction {
	case rules.FlowToServer:
		dirOK = f.Dir == packet.DirToServer
	case rules.FlowToClient:
		dirOK = f.Dir == packet.DirToClient
	}
	if fl.Stateless {
		return dirOK || !known
	}
	if !dirOK {
		return false
	}
	// Suricata marks the packet after the handshake established, or the
	// handshake's final ACK when it carries data (stream-tcp.c)
	established := known && f.TCPFlags&packet.TCPSyn == 0 &&
		(f.ConnEvent != packet.ConnEstablished || len(f.Payload) > 0)
	if fl.Established && !established || fl.NotEstablished && established {
		return false
	}
	return true
}

// udpFlowMatch is flow: on a UDP packet: the direction from the flow's
// first packet, established once both sides have sent (Suricata's flow
// engine). Stateless and the stream options mean nothing on UDP.
func udpFlowMatch(fl *rules.Flow, f *packet.Facts) bool {
	switch fl.Direction {
	case rules.FlowToServer:
		if f.Dir != packet.DirToServer {
			return false
		}
	case rules.FlowToClient:
		if f.Dir != packet.DirToClient {
			return false
		}
	}
	return !(fl.Established && !f.BothWays || fl.NotEstablished && f.BothWays)
}

// tcpFlagsMatch is Suricata's FlagsMatch: exact by default, '+' all of
// these (others may be set), '*' any of these, '!' not all of these (for a
// single flag: not set). Ignored flags are cleared from the packet's first;
// flags:0 matches only a packet with no flags (or any packet with '!').
func tcpFlagsMatch(fl *rules.Flags, pflags uint8) bool {
	if fl.Mask == 0 && pflags != 0 {
		return fl.Mode == '!'
	}
	flags := pflags &^ fl.Ignore
	switch fl.Mode {
	case '*':
		return flags&fl.Mask != 0
	case '+':
		return flags&fl.Mask == fl.Mask
	case '!':
		return flags&fl.Mask != fl.Mask
	}
	return flags == fl.Mask
}

// fragBitsMatch is Suricata's FragBitsMatch on the IPv4 flag bits: exact
// by default, '*' any of these, '!' not all of these, and '+' all of these
// and at least one other (Suricata also requires the packet's bits to
// differ from the rule's there, so "M+" does not match M alone).
func fragBitsMatch(fb *rules.FragBits, pbits uint8) bool {
	switch fb.Mode {
	case '*':
		return pbits&fb.Mask != 0
	case '+':
		return pbits&fb.Mask == fb.Mask && pbits != fb.Mask
	case '!':
		return pbits&fb.Mask != fb.Mask
	}
	return pbits == fb.Mask
}

// fieldsMatch tests seq, ack, window, id, icmp_id and icmp_seq, each only
// on the packets Suricata reads it from: TCP for the first three, IPv4 for
// id, and for icmp_id and icmp_seq ICMP echo requests and replies
// (Suricata also reads them from ICMPv4 timestamp, information and address messages, which the
// decoder does not give, so such rules miss those).
func (r *rule) fieldsMatch(f *packet.Facts) bool {
	eq := func(t *rules.FieldEq, v uint32) bool { return (t.Value == v) != t.Negated }
	tcp := f.Proto == packet.ProtoTCP
	if r.seq != nil && (!tcp || !eq(r.seq, f.Seq)) || r.ack != nil && (!tcp || !eq(r.ack, f.Ack)) ||
		r.window != nil && (!tcp || !eq(r.window, uint32(f.Window))) {
		return false
	}
	if r.ipid != nil && (f.L3 != packet.L3IPv4 || !eq(r.ipid, uint32(f.IPID))) {
		return false
	}
	if r.icmpid != nil || r.icmpseq != nil {
		echo := f.Proto == packet.ProtoICMP && (f.ICMPType == 0 || f.ICMPType == 8) ||
			f.Proto == packet.ProtoICMPv6 && (f.ICMPType == 128 || f.ICMPType == 129)
		if !echo || r.icmpid != nil && !eq(r.icmpid, uint32(f.ICMPID)) || r.icmpseq != nil && !eq(r.icmpseq, uint32(f.ICMPSeq)) {
			return false
		}
	}
	return true
}

// knownBitsMode reports a flags/fragbits modifier the matcher knows:
// none, +, * or ! (their meanings are in doc.go).
func knownBitsMode(m byte) bool {
	switch m {
	case 0, '+', '*', '!':
		return true
	}
	return false
}
