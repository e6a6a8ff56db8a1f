package rulematch

// Per-flow state for the two rule types Suricata does not run on every
// packet:
//
//   - IP-only rules (detect-engine-iponly.c, SIG_TYPE_IPONLY): no payload
//     keyword, no flow keyword and nothing else but addresses, ports and
//     flowbits:set. Suricata runs them on the first packet of each
//     direction of a flow and marks the direction done whether or not a
//     rule matched (DetectRunInspectIPOnly, FlowSetIPOnlyFlag), so such a
//     rule alerts at most twice per flow.
//   - Protocol-only HTTP rules ("alert http any any -> any any (sid:1;)",
//     SIG_TYPE_APPLAYER): they match every packet of a flow once its
//     application protocol is known to be HTTP, in both directions. Here
//     a flow becomes HTTP after the first packet carrying a request line;
//     Suricata, in IDS mode, parses that request when the server
//     acknowledges it, so the request packet itself does not match and the
//     next packet does.
//
// Flows are any IP protocol's, keyed by both ends (ICMP by the echo or
// message type, as Suricata keys ICMP flows by type), and end after
// Suricata's default flow timeouts of packet time or, for TCP, when a new
// connection opens on the same ports.

import (
	"net/netip"
	"time"

	"github.com/ipsreplay/ipsreplay/packet"
)

// Suricata's default flow-timeouts (suricata.yaml): a flow seen one way
// only is "new", one seen both ways "established".
const (
	flowNewIdle         = int64(30 * time.Second)
	flowEstablishedIdle = int64(300 * time.Second)
	tcpNewIdle          = int64(60 * time.Second)
	tcpEstablishedIdle  = int64(600 * time.Second)
)

// ruleFlow is what the rule types above need to know of a flow.
type ruleFlow struct {
	last  int64 // packet time of the flow's last packet
	sides uint8 // bit 0: side a has sent a packet, bit 1: side b
	http  bool  // a request line has been seen
	// verdict is the flow's drop (or reject) or pass, set by a
	// flow-level match of such a rule (action.go); ActionAlert: none.
	verdict packet.Action
}

// ruleFlowKey is the flow key: flowKey with ICMP types for ports.
func ruleFlowKey(f *packet.Facts) (k flowKey, side uint8) {
	sp, dp := f.SrcPort, f.DstPort
	if f.Proto == packet.ProtoICMP || f.Proto == packet.ProtoICMPv6 {
		t := uint16(icmpFlowType(f.Proto, f.ICMPType))
		sp, dp = t, t
	}
	return tupleFlowKey(f.Src, f.Dst, sp, dp, f.Proto)
}

// tupleFlowKey is the flow key of a packet from src to dst, and its side.
func tupleFlowKey(src, dst netip.Addr, sp, dp uint16, proto uint8) (k flowKey, side uint8) {
	k = flowKey{a: src, b: dst, ap: sp, bp: dp, proto: proto}
	if k.b.Less(k.a) || k.a == k.b && k.bp < k.ap {
		k.a, k.b, k.ap, k.bp = k.b, k.a, k.bp, k.ap
		side = 1
	}
	return k, side
}

// icmpFlowType maps an echo reply to its request, so a ping and its
// answer are one flow, as Suricata's ICMP flow hashing does.
func icmpFlowType(proto, typ uint8) uint8 {
	switch {
	case proto == packet.ProtoICMP && typ == 0:
		return 8
	case proto == packet.ProtoICMPv6 && typ == 129:
		return 128
	}
	return typ
}

// flowIdle is how long fl may go without a packet and still be one flow.
func flowIdle(proto uint8, fl *ruleFlow) int64 {
	est := fl.sides == 3
	switch {
	case proto == packet.ProtoTCP && est:
		return tcpEstablishedIdle
	case proto == packet.ProtoTCP:
		return tcpNewIdle
	case est:
		return flowEstablishedIdle
	}
	return flowNewIdle
}

// ruleFlowOf returns the state of f's flow, a fresh one when the flow is
// new or the last one on these ends has timed out, and which side of it f
// comes from. It looks the flow up once per packet: the pointer stays
// valid for the packet, as nothing else inserts into the table meanwhile.
func (m *Matcher) ruleFlowOf(f *packet.Facts) (*ruleFlow, uint8) {
	s := &m.sc
	if s.rflow != nil {
		return s.rflow, s.rside
	}
	k, side := ruleFlowKey(f)
	fl, created := m.flows.Put(k, f.Time, nil)
	if !created && (f.Time-fl.last > flowIdle(f.Proto, fl) || f.Proto == packet.ProtoTCP && f.ConnEvent == packet.ConnOpened) {
		*fl = ruleFlow{}
	}
	fl.last = max(fl.last, f.Time)
	s.rflow, s.rside = fl, side
	return fl, side
}

// ipOnlyFirst reports whether f is the first packet of its direction in
// its flow, marking the direction seen; the answer is kept for the rest of
// the packet so every IP-only rule gets the same one.
func (m *Matcher) ipOnlyFirst(f *packet.Facts) bool {
	s := &m.sc
	if !s.ipOnlyDone {
		fl, side := m.ruleFlowOf(f)
		bit := uint8(1) << side
		s.ipOnlyFirst = fl.sides&bit == 0
		fl.sides |= bit
		s.ipOnlyDone = true
	}
	return s.ipOnlyFirst
}

// httpFlow reports whether f's flow carried an HTTP request before f.
func (m *Matcher) httpFlow(f *packet.Facts) bool {
	if f.Proto != packet.ProtoTCP {
		return false
	}
	fl, _ := m.ruleFlowOf(f)
	return fl.http
}

// markHTTP notes that f's flow carries HTTP when f holds a request line.
func (m *Matcher) markHTTP(f *packet.Facts) {
	// no TCP session, no app layer (see buffer)
	if f.Proto != packet.ProtoTCP || f.Dir == packet.DirUnknown || httpMethodLen(f.Payload) == 0 {
		return
	}
	fl, _ := m.ruleFlowOf(f)
	fl.http = true
}
