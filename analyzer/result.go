package analyzer

import (
	"net/netip"

	"github.com/ipsreplay/ipsreplay/packet"
)

// SchemaVersion names the JSON report schema; bump it on incompatible change.
const SchemaVersion = "ipsreplay.report/v2"

// Result is everything an analysis found. It is a plain value that report
// renders; its slices are sorted so the same input gives the same output.
type Result struct {
	Schema  string        `json:"schema"`
	Summary Summary       `json:"summary"`
	Files   []FileSummary `json:"files"`
	// Signatures fired, most severe and most frequent first.
	Signatures []SignatureHit `json:"signatures"`
	// Alerts are the individual detections, in capture order: every one,
	// or a sample when there were more than report.max_alerts
	// (Summary.Listing says how many).
	Alerts []Alert `json:"alerts"`
	// AlertGroups count every alert exactly, per signature, attacker,
	// victim and kind, in the order their first alert came.
	AlertGroups []AlertGroup `json:"alert_groups"`
	// Events are alerts, blocks and unblocks in the order they happened,
	// as the streaming modes print them; the events of listed alerts
	// only, and at most report.max_events.
	Events []Event `json:"events"`
	// Blocks are the hosts the autoblock would have blocked: the first
	// report.max_blocked_hosts of them.
	Blocks []BlockedHost `json:"blocks"`
	// UnlistedBlocks totals the blocks of the hosts past them.
	UnlistedBlocks UnlistedBlocks `json:"unlisted_blocks"`
	// FalsePositives are hosts that look like scanners, guest VMs or
	// monitoring systems: likely benign, with the evidence.
	FalsePositives []FalsePositive `json:"false_positives"`
	// Investigate are the other hosts that fired: outside hosts, hosts that
	// behave like attackers and hosts without false-positive evidence.
	Investigate []Investigation `json:"investigate"`
	// Warnings are problems that did not stop the analysis.
	Warnings []string `json:"warnings"`
	// Stats are the run's counters in Suricata's terms, for EVE's stats
	// record; the JSON report has Summary instead.
	Stats RunStats `json:"-"`
}

// RunStats count what the decoder and the flow tables saw, as
// Suricata's stats name them: decoded packets of each layer (a
// tunnel counts as its innermost packet) and the TCP and UDP flows followed.
type RunStats struct {
	IPv4, IPv6, ARP, TCP, UDP, ICMPv4, ICMPv6 uint64
	TCPFlows, UDPFlows                        uint64
}

// Summary describes the input as a whole.
type Summary struct {
	Files     int             `json:"files"`
	Packets   uint64          `json:"packets"`
	Bytes     uint64          `json:"bytes"` // original (wire) lengths
	FirstTime Time            `json:"first_time"`
	LastTime  Time            `json:"last_time"`
	Span      packet.Duration `json:"span"`
	Undecoded uint64          `json:"undecoded"`
	// Filter is the --bpf expression, and FilteredOut the packets read
	// that it left out of the analysis (Packets counts the others).
	Filter       string          `json:"filter,omitempty"`
	FilteredOut  uint64          `json:"filtered_out,omitempty"`
	DecodeErrors []ReasonCount   `json:"decode_errors"` // why packets were not fully decoded
	Evictions    []ReasonCount   `json:"evictions"`     // state dropped at a table cap
	Autoblock    packet.Duration `json:"autoblock"`     // block length, 0 when disabled
	// Listing says how many alerts and events there were and how many
	// the report lists in full.
	Listing Listing `json:"listing"`
	// IPS is what drop and reject rules stopped, with --simulate-ips
	// only (nil otherwise, and then left out).
	IPS          *IPSSummary    `json:"ips,omitempty"`
	Exclusions   []ExclusionUse `json:"exclusions"`    // exclusion entries in force, in file order
	Packs        []string       `json:"packs"`         // signature packs in force: "name version (released)"
	RulesActive  int            `json:"rules_active"`  // pack rules the matcher runs
	RulesSkipped int            `json:"rules_skipped"` // rules left out (unsupported keyword, ...)
	RulesFailed  int            `json:"rules_failed"`  // rules left out because they do not parse
	// RulesSkippedReasons and RulesFailedReasons group those rules by
	// what they use or what is wrong ("unsupported keyword file_data",
	// "invalid content"), most first; the warnings name each rule.
	RulesSkippedReasons []ReasonCount `json:"rules_skipped_reasons"`
	RulesFailedReasons  []ReasonCount `json:"rules_failed_reasons"`
}

// Listing says what the report lists of a run's alerts and events. When
// a run raised more alerts than MaxAlerts, Alerts and Events are a
// sample (the first alerts, then the first of each new group); the
// counts in Signatures, AlertGroups and the host verdicts stay exact.
type Listing struct {
	Alerts       uint64 `json:"alerts"`        // alerts raised
	AlertsListed uint64 `json:"alerts_listed"` // of them in Result.Alerts
	Events       uint64 `json:"events"`        // alerts, blocks and unblocks
	EventsListed uint64 `json:"events_listed"` // of them in Result.Events
	Groups       int    `json:"groups"`        // alert groups with their hosts
	// Ungrouped are alerts that came once MaxAlertGroups groups were
	// counted: counted per signature, in one group each with no hosts.
	Ungrouped uint64 `json:"ungrouped"`
	Hosts     int    `json:"hosts"` // alerting hosts counted for verdicts
	// Untallied are alerts of hosts past MaxHosts: in no verdict.
	Untallied       uint64 `json:"untallied"`
	MaxAlerts       int    `json:"max_alerts"`
	MaxAlertGroups  int    `json:"max_alert_groups"`
	MaxHosts        int    `json:"max_hosts"`
	MaxBlockedHosts int    `json:"max_blocked_hosts"`
	MaxEvents       int    `json:"max_events"`
}

// IPSSummary is what the rules stopped in IPS mode (--simulate-ips): the
// packets drop and reject rules matched, and every later packet of the
// flows they dropped, which Suricata drops without inspecting. The
// autoblock's drops are counted apart, per host (Blocks).
type IPSSummary struct {
	DroppedPackets uint64 `json:"dropped_packets"`
	DroppedBytes   uint64 `json:"dropped_bytes"` // wire lengths
	DroppedFlows   uint64 `json:"dropped_flows"` // flows a flow-level drop or reject match dropped
}

// ExclusionUse is one exclusion entry and the alerts it removed. An entry
// that removed none may be stale.
type ExclusionUse struct {
	Entry  string `json:"entry"`  // as written, without its comment
	Where  string `json:"where"`  // file:line
	Kind   string `json:"kind"`   // "host" or "suppress"
	Alerts uint64 `json:"alerts"` // alerts it removed (the first matching entry is credited)
}

// ReasonCount is a count with its reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  uint64 `json:"count"`
}

// FileSummary describes one input file.
type FileSummary struct {
	Path      string   `json:"path"`
	Format    string   `json:"format"` // pcap, pcapng, pcap.gz, ...
	LinkTypes []string `json:"link_types"`
	Packets   uint64   `json:"packets"`
	Bytes     uint64   `json:"bytes"`
	First     Time     `json:"first_time"`
	Last      Time     `json:"last_time"`
	// Error is set when the file could not be read at all or stopped early;
	// Truncated says what was read before the fault is still analysed.
	Error     string `json:"error,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
}

// PacketLocation is where to look in the captures: file and 1-based packet
// number as Wireshark counts them.
type PacketLocation struct {
	File   string `json:"file"`
	Packet uint64 `json:"packet"`
}

// SignatureHit aggregates the alerts of one signature.
type SignatureHit struct {
	SID           uint32         `json:"sid"`
	Name          string         `json:"name"`
	Severity      string         `json:"severity"`
	Category      string         `json:"category"`
	Description   string         `json:"description"`
	CVEs          []string       `json:"cves"`
	Advice        string         `json:"advice,omitempty"` // patch advice when a CVE is named
	Count         uint64         `json:"count"`            // alerts
	First         Time           `json:"first"`
	Last          Time           `json:"last"`
	FirstPacket   PacketLocation `json:"first_packet"`
	LastPacket    PacketLocation `json:"last_packet"`
	Attackers     []Host         `json:"attackers"` // sorted, capped; a MAC or SpoofedHost when no address
	Victims       []Host         `json:"victims"`   // sorted, capped
	MoreAttackers bool           `json:"more_attackers,omitempty"`
	MoreVictims   bool           `json:"more_victims,omitempty"`
}

// AlertGroup counts the alerts of one signature from one attacker to one
// victim, of one kind.
type AlertGroup struct {
	SID      uint32 `json:"sid"`
	Name     string `json:"name"`
	Severity string `json:"severity"`
	// Attacker is as Alert.Source: an address, else a MAC, else the
	// spoofed placeholder; none for an ungrouped group.
	Attacker    Host           `json:"attacker,omitzero"`
	Victim      Host           `json:"victim,omitzero"`
	Kind        string         `json:"kind,omitempty"`
	Alerts      uint64         `json:"alerts"`
	Listed      uint64         `json:"listed"`  // of them in Result.Alerts
	Blocked     uint64         `json:"blocked"` // of them that started or extended a block
	First       Time           `json:"first"`
	Last        Time           `json:"last"`
	FirstPacket PacketLocation `json:"first_packet"`
	LastPacket  PacketLocation `json:"last_packet"`
	// Ungrouped marks a signature's alerts past report.max_alert_groups,
	// counted without their hosts.
	Ungrouped bool `json:"ungrouped,omitempty"`
}

// Alert is one detection.
type Alert struct {
	SID         uint32     `json:"sid"`
	Name        string     `json:"name"`
	Severity    string     `json:"severity"`
	Time        Time       `json:"time"`
	Attacker    netip.Addr `json:"attacker,omitzero"`
	AttackerMAC MAC        `json:"attacker_mac,omitzero"`
	Victim      Host       `json:"victim,omitzero"` // an address, or a swept network
	VictimPort  uint16     `json:"victim_port,omitempty"`
	// AttackerPort is the attacker's port when one packet shows it (a
	// rule's alert).
	AttackerPort uint16 `json:"attacker_port,omitempty"`
	// FlowID names the TCP or UDP flow a rule's alert fired in, the same
	// for every alert of the flow in a run (Suricata's flow_id), and
	// Direction its packet's way: "to_server" or "to_client". Zero and
	// "" for other alerts.
	FlowID    uint64 `json:"flow_id,omitempty"`
	Direction string `json:"direction,omitempty"`
	// Flow is a rule's alert's flow as it stood after the alerting
	// packet (Suricata's flow object of an alert), AppProto the
	// application protocol found in it so far ("" before it is known, as
	// Suricata writes none) and PktSrc where that packet came from as
	// Suricata's pkt_src names it ("wire/pcap", "defrag", "ipv4
	// tunnel", ...). Nil and "" for other alerts.
	Flow        *AlertFlow     `json:"flow,omitempty"`
	AppProto    string         `json:"app_proto,omitempty"`
	PktSrc      string         `json:"pkt_src,omitempty"`
	Proto       string         `json:"proto,omitempty"`
	Kind        string         `json:"kind,omitempty"`
	Detail      string         `json:"detail"`
	Count       uint64         `json:"count"`
	First       Time           `json:"first"`
	Last        Time           `json:"last"`
	FirstPacket PacketLocation `json:"first_packet"`
	LastPacket  PacketLocation `json:"last_packet"`
	Spoofed     bool           `json:"spoofed,omitempty"`
	Sources     []netip.Addr   `json:"sources,omitempty"` // sample of spoofed sources
	Blocked     bool           `json:"blocked"`           // this alert started or extended a block
	// Action is the rule's action when it is not alert: drop, reject,
	// rejectdst or rejectboth. Dropped says the IPS stopped the packet:
	// a drop rule in IPS mode (--simulate-ips), a reject rule in either
	// mode; EVE then writes the alert's action as "blocked".
	Action  string `json:"action,omitempty"`
	Dropped bool   `json:"dropped,omitempty"`
	// RateAction is the action a threshold file's rate_filter gave this
	// alert instead of its rule's ("drop", "reject", "alert", ...).
	RateAction string `json:"rate_action,omitempty"`
	// ARP is the ARP packet an ARP-poisoning alert fired on (its last
	// packet); nil for other alerts.
	ARP *ARPPacket `json:"arp,omitempty"`
	// Rule is the rule's identity and classification, for a rule's
	// alert; nil for the built-in detections.
	Rule *RuleInfo `json:"rule,omitempty"`
	// VLAN is the innermost 802.1Q id of the packet the alert fired on,
	// 0 when untagged or when the alert fired as state expired: a BPF
	// filter must say "vlan" to reach the headers of tagged packets.
	VLAN uint16 `json:"vlan,omitempty"`
	// Filters select the alert's packets in Wireshark and tcpdump. The
	// analysis leaves them nil; the reports fill them in (pktsel).
	Filters *PacketFilters `json:"filters,omitempty"`
	// Extract is the pcap of the alert's packets that --extract wrote,
	// relative to its directory; "" when none was written.
	Extract string `json:"extract,omitempty"`
}

// PacketFilters are two ways to select the packets behind an alert.
type PacketFilters struct {
	Wireshark string `json:"wireshark"` // a Wireshark display filter
	BPF       string `json:"bpf"`       // a tcpdump (libpcap) filter expression
}

// AlertFlow is the TCP or UDP flow of a rule's alert, counted up to and
// including the alerting packet: its client (the side that sent first)
// and server, packets and bytes (whole packets, as captured) each way,
// and when it began. ProtoNum is its IP protocol number.
type AlertFlow struct {
	Client        netip.Addr `json:"client"`
	ClientPort    uint16     `json:"client_port"`
	Server        netip.Addr `json:"server"`
	ServerPort    uint16     `json:"server_port"`
	ProtoNum      uint8      `json:"proto_num"`
	PktsToServer  uint64     `json:"pkts_toserver"`
	PktsToClient  uint64     `json:"pkts_toclient"`
	BytesToServer uint64     `json:"bytes_toserver"`
	BytesToClient uint64     `json:"bytes_toclient"`
	Start         Time       `json:"start"`
}

// RuleInfo is what a rule says about itself, as Suricata's EVE writes it:
// generator, revision, classtype (with its classification.config
// description), priority as Suricata computes it (the rule's, else its
// classtype's, else 3) and metadata (key to values, in rule order).
type RuleInfo struct {
	GID              uint32              `json:"gid"`
	Rev              uint32              `json:"rev"`
	Classtype        string              `json:"classtype,omitempty"`
	ClassDescription string              `json:"class_description,omitempty"`
	Priority         int                 `json:"priority"`
	Metadata         map[string][]string `json:"metadata,omitempty"`
}

// ARPPacket is what one ARP packet said, as on the wire: its Ethernet
// addresses and the ARP sender and target addresses. Fields the packet
// did not carry are empty.
type ARPPacket struct {
	// SenderIP is the ARP sender protocol address: the address the
	// packet claimed is at its sender MAC.
	SenderIP netip.Addr `json:"sender_ip"`
	// TargetIP is the ARP target protocol address: for a reply, the
	// host whose cache it fills; for a request, the address asked for;
	// for a gratuitous announcement, the sender's own. Zero for 0.0.0.0.
	TargetIP netip.Addr `json:"target_ip,omitzero"`
	// SrcMAC and DestMAC are the frame's Ethernet source and destination,
	// zero when the frame had no Ethernet header.
	SrcMAC  MAC `json:"src_mac,omitzero"`
	DestMAC MAC `json:"dest_mac,omitzero"`
}

// BlockedHost is a host the autoblock would have blocked.
type BlockedHost struct {
	Host           Host            `json:"host"`
	FirstBlock     Time            `json:"first_block"`
	LastUnblock    Time            `json:"last_unblock"` // when the last block ends (may be past the capture)
	Blocks         int             `json:"blocks"`       // separate block periods
	Extensions     int             `json:"extensions"`   // detections during a block that extended it
	TotalBlocked   packet.Duration `json:"total_blocked"`
	DroppedPackets uint64          `json:"dropped_packets"` // packets from or to the host while blocked
	DroppedBytes   uint64          `json:"dropped_bytes"`
	SIDs           []uint32        `json:"sids"` // signatures that caused blocks
}

// FalsePositive is a host that probably fired for benign reasons.
type FalsePositive struct {
	Host       Host     `json:"host"` // its address, or its MAC when it had none
	MAC        MAC      `json:"mac,omitzero"`
	Verdict    string   `json:"verdict"`    // "scanner", "guest-vm" or "monitoring"
	Confidence string   `json:"confidence"` // "high", "medium" or "low": how much independent evidence agrees
	Reason     string   `json:"reason"`
	Evidence   []string `json:"evidence"`
	Alerts     uint64   `json:"alerts"`    // alerts this host caused
	SIDs       []uint32 `json:"sids"`      // signatures it fired, ascending
	Exclusion  string   `json:"exclusion"` // a ready line for --exclude
}

// Investigation is a host that fired and is not a likely false positive:
// it is outside, behaves like an attacker (floods, poisons ARP caches) or
// shows no benign explanation. It may be a compromised host or a real
// attacker.
type Investigation struct {
	Host     Host     `json:"host"` // its address, or its MAC when it had none
	MAC      MAC      `json:"mac,omitzero"`
	Reason   string   `json:"reason"`
	Evidence []string `json:"evidence"`
	Alerts   uint64   `json:"alerts"` // alerts this host caused
	SIDs     []uint32 `json:"sids"`   // signatures it fired, ascending
}
