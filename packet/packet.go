// Package packet is the vocabulary every stage of ipsreplay shares and no
// stage owns: what the decoder learned about a packet (Facts), where it is
// (PacketRef), a finished TCP connection (Conn), a detection (Event) and the
// interfaces a detection implements (Detector, ConnObserver,
// StreamConsumer). The decoder, the flow table, the detectors and the rule
// engine all import it; it imports nothing of ours.
package packet

import (
	"net/netip"
)

// Network-layer kinds of a packet.
const (
	L3None uint8 = iota
	L3IPv4
	L3IPv6
	L3ARP
)

// IP protocol numbers the detectors care about.
const (
	ProtoICMP   uint8 = 1
	ProtoTCP    uint8 = 6
	ProtoUDP    uint8 = 17
	ProtoICMPv6 uint8 = 58
)

// TCP flag bits as they sit in the header's flags byte.
const (
	TCPFin uint8 = 1 << iota
	TCPSyn
	TCPRst
	TCPPsh
	TCPAck
	TCPUrg
	TCPEce
	TCPCwr
)

// PacketRef says where a packet is: the index of its file in the run's file
// list and its 1-based number within that file, as Wireshark counts them.
type PacketRef struct {
	File uint32
	Num  uint64
}

// ARPFacts are the fields of an ARP packet.
type ARPFacts struct {
	Op        uint16 // 1 request, 2 reply
	SenderMAC [6]byte
	SenderIP  netip.Addr
	TargetMAC [6]byte
	TargetIP  netip.Addr
}

// QuotedFacts describe the packet quoted inside an ICMP/ICMPv6 error, which
// is how a closed UDP port answers a probe.
type QuotedFacts struct {
	Src, Dst         netip.Addr
	Proto            uint8
	SrcPort, DstPort uint16
}

// Facts is what the decoder learned about one packet. The analyzer fills one
// value per packet and reuses it; detectors must copy what they keep and must
// not keep Payload or TCPOptions past Observe.
type Facts struct {
	Time    int64 // capture time, unix nanoseconds
	Packet  PacketRef
	WireLen int // original length on the wire
	// CapLen is the packet's captured length as Suricata counts it for
	// flows (GET_PKT_LEN): the frame's, or for a packet the decoder made
	// (Source), the inner packet's or the reassembled datagram's with its
	// link header.
	CapLen int

	HasEth         bool
	SrcMAC, DstMAC [6]byte
	VLAN           uint16 // innermost 802.1Q id, 0 when untagged

	L3       uint8 // L3None, L3IPv4, L3IPv6 or L3ARP
	Src, Dst netip.Addr
	TTL      uint8  // TTL or hop limit
	IPID     uint16 // IPv4 identification field, 0 for IPv6
	// IPFlags is the IPv4 header's three flag bits as the header orders
	// them (IPv4Reserved, IPv4DontFragment, IPv4MoreFragments), 0 for IPv6;
	// rules' fragbits: reads it.
	IPFlags uint8
	Proto   uint8 // IP protocol of a decoded transport header, 0 when none

	// IPProto is the IP header's protocol (IPv6: the last next header
	// before the payload), set even when no transport header was decoded
	// (a fragment, an unknown protocol); rules' ip_proto: reads it.
	IPProto uint8
	// FragOffset is the IPv4 fragment offset in 8-byte units, 0 for
	// IPv6; rules' fragoffset: reads it.
	FragOffset uint16
	// IPOpts is the set of IPv4 options present, one bit per IPOpt*
	// constant; rules' ipopts: reads it.
	IPOpts uint16
	// L3Header and L4Header are the raw IP and transport headers, for the
	// rule matcher's header buffers: the IPv4 header with its options or
	// the IPv6 header with its extension headers; the TCP header with its
	// options, the UDP header, the ICMP header's fixed part. Empty when
	// not decoded. Valid only during Observe, like Payload.
	L3Header, L4Header []byte
	// Events are the decoder events of the packet (decodeevent.go).
	Events DecodeEvents

	SrcPort, DstPort uint16
	TCPFlags         uint8
	Seq, Ack         uint32
	Window           uint16 // TCP window, unscaled as on the wire

	// TCPOptions is the TCP header past its first 20 bytes (the options,
	// padding included), empty when the header has none. Valid only
	// during Observe, like Payload. Scanner fingerprints read it.
	TCPOptions []byte

	ICMPType, ICMPCode uint8
	// ICMPID and ICMPSeq are an ICMP or ICMPv6 echo request's or reply's
	// identifier and sequence number, 0 for other types.
	ICMPID, ICMPSeq uint16
	HasQuoted       bool // an ICMP error carrying a quoted header
	Quoted          QuotedFacts

	ARP ARPFacts

	// Conn state from the analyzer's TCP and UDP flow tables.
	Dir       uint8 // DirUnknown, DirToServer or DirToClient
	ConnEvent uint8 // ConnNone, ConnOpened or ConnEstablished on this packet (TCP)
	// BothWays: the UDP flow has carried packets both ways, this one
	// included (Suricata's established for UDP).
	BothWays bool
	// FlowStart is when the packet's TCP or UDP flow began (capture
	// time); 0 when no flow is tracked for it.
	FlowStart int64
	// FlowCounts are the flow's packets and bytes so far, this packet
	// included; zero when no flow is tracked for it.
	FlowCounts FlowCounts
	// AppProto is the application protocol the flow was found to carry
	// so far (AppUnknown until known).
	AppProto uint8
	// Source says where the packet came from: the capture, or the
	// decoder (a tunnel's inner packet, a reassembled datagram).
	Source uint8

	Payload []byte // transport payload; valid only during Observe

	// Stream data, set by the analyzer's flow table when this packet
	// advanced its direction's TCP byte stream in order (Suricata's raw
	// stream): a content split across segments is found in
	// StreamPrefix+StreamData. All three are valid only during Observe and
	// never point into flow state that changes while the packet is seen.
	//
	// StreamPrefix is the stream's last bytes before this packet's new data
	// (at most the stream window a StreamConsumer asked for).
	StreamPrefix []byte
	// StreamData is the new in-order bytes: Payload, or its part past what
	// the stream had already (first data wins on overlaps), followed, when
	// this packet filled a gap, by the data held since it arrived ahead of
	// the gap. Empty when the packet added nothing in order.
	StreamData []byte
	// StreamPieces, when held data follows, are the ends within StreamData
	// of the parts detectors have seen alone: this packet's new bytes, then
	// each held segment (seen as its own packet's Payload when it arrived).
	// Empty when StreamData is Payload or part of it.
	StreamPieces []int32
	// Retransmission: stream reassembly had every byte of Payload
	// already (set only where it runs). An app-layer parser never sees
	// such data twice.
	Retransmission bool

	// Verdict is what the rules decided for this packet, set by the rule
	// matcher during its Observe (the last detector): ActionDrop or a
	// reject when a drop or reject rule matched it or its flow was
	// dropped before, ActionPass when a pass rule let it (or its flow)
	// through uninspected; ActionAlert otherwise.
	Verdict Action
}

// StreamConsumer is implemented by detectors that match across TCP segments
// (the rule matcher). StreamWindow is how many bytes of a direction's stream
// before a segment's new data they need to see, 0 for none; the flow table
// keeps that much (up to its own cap) only when some consumer asks.
type StreamConsumer interface {
	StreamWindow() int
}

// StreamPrefixGate is a StreamConsumer that reads a segment's StreamPrefix
// only for some ports (the rule matcher: when some stream rule accepts
// them). The flow table keeps no tail for a direction whose segments none
// would read: copying each segment's last bytes was 5 % of a run with the
// default pack, whose rules are all on $HTTP_PORTS.
type StreamPrefixGate interface {
	StreamPrefixWanted(srcPort, dstPort uint16) bool
}

// Direction of a packet within its connection.
const (
	DirUnknown  uint8 = iota // TCP with no SYN seen: a mid-stream or stray packet; other protocols
	DirToServer              // from the side that sent the first SYN; UDP: the first packet
	DirToClient
)

// Connection milestones a packet can mark.
const (
	ConnNone        uint8 = iota
	ConnOpened            // the first SYN of a new connection
	ConnEstablished       // the client's ACK completing the handshake
)

// IPv4 header flag bits, as in Facts.IPFlags.
const (
	IPv4MoreFragments uint8 = 1 << iota
	IPv4DontFragment
	IPv4Reserved
)

// IPv4 options as bits of Facts.IPOpts, named as rules' ipopts: names
// them.
const (
	IPOptEOL   uint16 = 1 << iota // end of list (0)
	IPOptNOP                      // no operation (1)
	IPOptRR                       // record route (7)
	IPOptTS                       // timestamp (68)
	IPOptSec                      // security (130)
	IPOptESec                     // extended security (133)
	IPOptLSRR                     // loose source route (131)
	IPOptSSRR                     // strict source route (137)
	IPOptSATID                    // stream identifier (136)
)

// IsTCP reports whether the packet carries a TCP header.
func (f *Facts) IsTCP() bool { return f.Proto == ProtoTCP }

// HasFlags reports whether all bits in mask are set.
func (f *Facts) HasFlags(mask uint8) bool { return f.TCPFlags&mask == mask }

// CloseReason says how a TCP connection ended.
type CloseReason uint8

// Ways a connection ends.
const (
	CloseTimeout CloseReason = iota // idle timeout or end of capture
	CloseClientFin
	CloseServerFin
	CloseClientRst
	CloseServerRst
)

// Conn summarises one TCP connection when it ends, as Zeek's
// connection_state_remove does. Client is the side that sent the first SYN.
type Conn struct {
	Client, Server         netip.Addr
	ClientMAC              [6]byte
	ClientPort, ServerPort uint16
	Start, End             int64 // capture times, unix ns
	First, Last            PacketRef
	Established            bool // the client acknowledged the server's SYN-ACK
	ClientBytes            uint64
	ServerBytes            uint64 // transport payload bytes each way
	ClientPkts, ServerPkts uint32
	ClosedBy               CloseReason
}

// Duration is the connection's length in nanoseconds of capture time.
func (c *Conn) Duration() int64 { return c.End - c.Start }

// Event is one detection: a signature fired for an attacker against a victim.
// Events are plain values: no pointers into packet buffers.
type Event struct {
	SID  uint32
	Time int64 // capture time of the packet that made the detection fire

	Attacker    netip.Addr // invalid when the attack cannot be attributed
	AttackerMAC [6]byte
	HasMAC      bool
	Victim      netip.Addr // invalid for attacks on many hosts (sweeps)
	VictimPort  uint16
	// AttackerPort is the attacker's port when one packet shows it (a
	// rule's alert); 0 otherwise.
	AttackerPort uint16
	Proto        uint8
	// FlowStart and Dir are the flow and direction of the packet a rule
	// alerted on (Facts.FlowStart, Facts.Dir); zero for other alerts.
	FlowStart int64
	Dir       uint8
	// Flow is the alerting packet's flow as it stood after the packet,
	// and Source where the packet came from (Facts.Source); zero for
	// other alerts.
	Flow   FlowInfo
	Source uint8

	FirstTime, LastTime int64     // first and last triggering packet
	First, Last         PacketRef // where they are
	Count               uint64    // triggering packets, probes or attempts

	// Spoofed says the sources look forged: the event names a victim, not an
	// attacker to block, and Sources holds a sample of the top sources.
	Spoofed bool
	Sources []netip.Addr
	// Kind refines the detection ("vertical", "sweep", "gateway", ...).
	Kind string
	// Detail is one line of evidence for people ("37 ports in 14s").
	Detail string
	// Action is the matching rule's action: ActionAlert for built-in
	// detections and alert rules, ActionDrop or a reject for rules that
	// stop the packet (in IPS mode).
	Action Action
	// Unattributed says the detection does not tell which side attacks
	// (a flow:to_client rule without target:): Attacker is the packet's
	// source, for the record, and is never autoblocked.
	Unattributed bool
	// RateAction is the action a threshold file's rate_filter gave this
	// alert in place of its rule's ("drop", "reject", "alert"); "" when
	// none applied. What the action does to traffic is IPS mode's
	// business; the alert is raised either way.
	RateAction string

	// ARP evidence (SIDARPPoison only), which tells a re-created or bridged
	// guest VM from a poisoner: ClaimMAC is the MAC the ARP payload bound
	// the address to (AttackerMAC is the frame's source when they differ),
	// PrevMAC the MAC the address was bound to before (zero when none),
	// Claims how many distinct addresses ClaimMAC claimed in the window and
	// Claimed a sample of them.
	ClaimMAC, PrevMAC [6]byte
	Claims            int
	Claimed           []netip.Addr
}

// Emit receives events from a detector.
type Emit func(Event)

// Detector is one built-in detection. Observe sees every decoded packet in
// capture order; Expire is called as capture time advances (at least once a
// second of capture time and once at the end with the last packet's time)
// so state can age out and pending detections can fire.
type Detector interface {
	Name() string
	Observe(f *Facts, emit Emit)
	Expire(now int64, emit Emit)
	// Evicted counts state entries dropped because a table was full.
	Evicted() uint64
}

// ConnObserver is implemented by detectors that want finished TCP
// connections (brute-force login detection).
type ConnObserver interface {
	ConnEnded(c *Conn, emit Emit)
}

// OnLink reports addresses that can be on the local network, whose frames
// carry their own MAC: private, link-local and loopback addresses. A MAC seen
// with any other source address is a router's, not the host's.
func OnLink(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLoopback()
}
