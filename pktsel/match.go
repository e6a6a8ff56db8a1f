package pktsel

import (
	"net/netip"

	"github.com/ipsreplay/ipsreplay/packet"
)

// ICMP echo request types.
const (
	icmpEcho   = 8
	icmp6Echo  = 128
	arpRequest = 1
)

// Match reports whether the decoded packet f is one of the selection's.
// It reads what the filters test, no more, so both select alike.
func (s *Spec) Match(f *packet.Facts) bool {
	if (s.From != 0 || s.To != 0) && (f.Time < s.From || f.Time > s.To) {
		return false
	}
	switch s.Shape {
	case Conversation:
		if f.L3 != packet.L3IPv4 && f.L3 != packet.L3IPv6 {
			return false
		}
		if !(f.Src == s.A && f.Dst == s.B || f.Src == s.B && f.Dst == s.A) {
			return false
		}
		return s.protoAndPorts(f)
	case Directed:
		if f.L3 != packet.L3IPv4 && f.L3 != packet.L3IPv6 {
			return false
		}
		if s.A.IsValid() && f.Src != s.A || s.B.IsValid() && f.Dst != s.B || s.BNet.IsValid() && !s.BNet.Contains(f.Dst) {
			return false
		}
		if s.Echo && !isEchoRequest(f) {
			return false
		}
		if s.SYNOnly && (f.Proto != packet.ProtoTCP || f.TCPFlags&(packet.TCPSyn|packet.TCPAck) != packet.TCPSyn) {
			return false
		}
		if s.Proto == packet.ProtoTCP || s.Proto == packet.ProtoUDP {
			// directed: the ports are A's source and B's destination
			return f.Proto == s.Proto && (s.APort == 0 || f.SrcPort == s.APort) && (s.BPort == 0 || f.DstPort == s.BPort)
		}
		return s.Proto == 0 || f.IPProto == s.Proto
	case ARPFrom:
		if f.L3 != packet.L3ARP {
			return false
		}
		if s.HasMAC {
			return f.HasEth && f.SrcMAC == s.MAC
		}
		return f.ARP.SenderIP == s.A
	case Discovery:
		switch f.L3 {
		case packet.L3ARP:
			return s.ARP && f.ARP.Op == arpRequest && f.ARP.SenderIP == s.A
		case packet.L3IPv4, packet.L3IPv6:
			return s.Echo && f.Src == s.A && isEchoRequest(f)
		}
	}
	return false
}

// protoAndPorts is the protocol and port test of a conversation: each
// port given must be one of the packet's two, as tcp.port==N tests.
func (s *Spec) protoAndPorts(f *packet.Facts) bool {
	if s.Proto == 0 {
		return true
	}
	if s.Proto != packet.ProtoTCP && s.Proto != packet.ProtoUDP {
		return f.IPProto == s.Proto
	}
	if f.Proto != s.Proto {
		return false
	}
	has := func(p uint16) bool { return p == 0 || f.SrcPort == p || f.DstPort == p }
	return has(s.APort) && has(s.BPort)
}

// isEchoRequest reports an ICMP or ICMPv6 echo request.
func isEchoRequest(f *packet.Facts) bool {
	switch f.Proto {
	case packet.ProtoICMP:
		return f.L3 == packet.L3IPv4 && f.ICMPType == icmpEcho
	case packet.ProtoICMPv6:
		return f.L3 == packet.L3IPv6 && f.ICMPType == icmp6Echo
	}
	return false
}

// Keys are the addresses and MAC a packet of the selection must carry,
// for indexing many selections: a packet can match only a spec one of
// whose keys is its source or destination address (for ARP, its sender
// address), or its Ethernet source.
func (s *Spec) Keys() (addr netip.Addr, mac [6]byte, hasMAC bool) {
	switch {
	case s.Shape == ARPFrom && s.HasMAC:
		return netip.Addr{}, s.MAC, true
	case s.A.IsValid():
		return s.A, mac, false
	}
	return s.B, mac, false
}
