// Package pktsel says which packets are behind an alert: one Spec per
// alert, which tests a decoded packet (Match) and writes itself as a
// Wireshark display filter and a tcpdump (BPF) expression, so the packets
// --extract writes and the packets the filters select are the same.
package pktsel

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/ipsreplay/ipsreplay/analyzer"
	"github.com/ipsreplay/ipsreplay/detectors"
	"github.com/ipsreplay/ipsreplay/packet"
)

// Shape is how a Spec relates its two hosts.
type Shape uint8

// The shapes of a selection.
const (
	// Conversation is the packets between A and B either way: a rule's
	// flow, a brute-force's logins. Each port given must appear on the
	// packet, as Wireshark's tcp.port does.
	Conversation Shape = iota + 1
	// Directed is the packets from A (any when invalid) to B (any when
	// invalid): a flood's SYNs, a scan's probes.
	Directed
	// ARPFrom is the ARP frames an attacker sent: from its Ethernet
	// address when known, else with its address as ARP sender.
	ARPFrom
	// Discovery is a host sweep's requests from A: its ARP requests
	// (ARP set), its echo requests (Echo set), or either.
	Discovery
)

// Spec is the selection of an alert's packets.
type Spec struct {
	Shape Shape
	// A is the attacker (or, for a conversation, one end), B the victim.
	A, B netip.Addr
	// BNet is a swept network, for a Directed spec without B.
	BNet netip.Prefix
	// APort and BPort are A's and B's ports, 0 for any.
	APort, BPort uint16
	// Proto is the IP protocol, 0 for any.
	Proto uint8
	// MAC is the attacker's Ethernet address (HasMAC), for ARPFrom.
	MAC    [6]byte
	HasMAC bool
	// SYNOnly keeps TCP segments with SYN and without ACK.
	SYNOnly bool
	// ARP and Echo are what a Discovery sweep sent; Echo alone on a
	// Directed spec keeps ICMP or ICMPv6 echo requests.
	ARP, Echo bool
	// VLAN says the alert's packets are 802.1Q-tagged.
	VLAN bool
	// From and To bound the packets' capture times (unix ns, both
	// included); both 0 for the whole capture.
	From, To int64
}

// For returns the selection of a's packets; false when the alert names
// too little to select by (no attacker, victim or MAC).
func For(a *analyzer.Alert) (Spec, bool) {
	s := Spec{A: a.Attacker.Unmap(), B: a.Victim.Addr().Unmap(), VLAN: a.VLAN != 0, Proto: protoNumber(a.Proto)}
	windowed := func() {
		s.From, s.To = a.First.UnixNano(), a.Last.UnixNano()
		if a.First.IsZero() || a.Last.IsZero() {
			s.From, s.To = 0, 0
		}
	}
	switch {
	case a.Rule != nil || a.FlowID != 0:
		// a rule's alert: its flow, or the hosts' packets of its protocol
		s.Shape, s.APort, s.BPort = Conversation, a.AttackerPort, a.VictimPort
	case a.SID == detectors.SIDSynFlood:
		if a.Spoofed {
			s.A = netip.Addr{}
		}
		s.Shape, s.Proto, s.BPort, s.SYNOnly = Directed, packet.ProtoTCP, a.VictimPort, true
		windowed()
	case a.SID == detectors.SIDPortScan:
		windowed()
		switch a.Kind {
		case detectors.KindARPSweep:
			s.Shape, s.ARP, s.Proto, s.B = Discovery, true, 0, netip.Addr{}
		case detectors.KindICMPSweep:
			s.Shape, s.Echo, s.Proto, s.B = Directed, true, echoProto(s.A), netip.Addr{}
		case detectors.KindHostSweep:
			s.Shape, s.ARP, s.Echo, s.Proto, s.B = Discovery, true, true, 0, netip.Addr{}
		default: // vertical: one host's ports; sweep: one port of many hosts
			s.Shape, s.BPort, s.BNet = Directed, a.VictimPort, a.Victim.Prefix().Masked()
		}
	case a.SID == detectors.SIDARPPoison:
		s.Shape, s.Proto, s.B = ARPFrom, 0, netip.Addr{}
		if a.AttackerMAC.IsValid() {
			s.MAC, s.HasMAC = a.AttackerMAC.As6(), true
		}
		windowed()
	case a.SID == detectors.SIDBruteForce:
		// both ways: the server's answers show which logins failed
		s.Shape, s.Proto, s.BPort = Conversation, packet.ProtoTCP, a.VictimPort
		windowed()
	default:
		s.Shape, s.APort, s.BPort = Conversation, a.AttackerPort, a.VictimPort
		windowed()
	}
	switch s.Shape {
	case Conversation:
		if !s.A.IsValid() || !s.B.IsValid() || s.A.Is4() != s.B.Is4() {
			return Spec{}, false
		}
	case Directed:
		if !s.A.IsValid() && !s.B.IsValid() {
			return Spec{}, false
		}
		if s.B.IsValid() || s.A.IsValid() && s.BNet.IsValid() && s.BNet.Addr().Is4() != s.A.Is4() {
			s.BNet = netip.Prefix{}
		}
	case ARPFrom:
		if !s.HasMAC && !s.A.Is4() {
			return Spec{}, false
		}
	case Discovery:
		if !s.A.IsValid() {
			return Spec{}, false
		}
	}
	if s.Proto != packet.ProtoTCP && s.Proto != packet.ProtoUDP {
		s.APort, s.BPort = 0, 0
	}
	return s, true
}

// Filters returns a's display filter and BPF expression; nil when the
// alert names too little to select by.
func Filters(a *analyzer.Alert) *analyzer.PacketFilters {
	s, ok := For(a)
	if !ok {
		return nil
	}
	return &analyzer.PacketFilters{Wireshark: s.Wireshark(), BPF: s.BPF()}
}

// echoProto is the echo protocol of a's family.
func echoProto(a netip.Addr) uint8 {
	if a.Is6() {
		return packet.ProtoICMPv6
	}
	return packet.ProtoICMP
}

// protoNumber reads an alert's protocol name back into its number.
func protoNumber(name string) uint8 {
	switch strings.ToUpper(name) {
	case "TCP":
		return packet.ProtoTCP
	case "UDP":
		return packet.ProtoUDP
	case "ICMP":
		return packet.ProtoICMP
	case "IPV6-ICMP":
		return packet.ProtoICMPv6
	}
	n, err := strconv.ParseUint(name, 10, 8)
	if err != nil {
		return 0
	}
	return uint8(n)
}
