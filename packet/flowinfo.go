package packet

import "net/netip"

// Where a packet came from, as Suricata's EVE names it in pkt_src
// (decode.c, PktSrcToString): read from the capture, or a packet the
// decoder made from others: the inside of a tunnel, a reassembled
// datagram. SrcWire is the zero value.
const (
	SrcWire uint8 = iota
	SrcGRE
	SrcIPv4Tunnel
	SrcIPv6Tunnel
	SrcTeredo
	SrcVXLAN
	SrcGeneve
	SrcDefrag
)

// SourceName is Suricata 7's pkt_src text for a packet source.
func SourceName(s uint8) string {
	switch s {
	case SrcGRE:
		return "gre tunnel"
	case SrcIPv4Tunnel:
		return "ipv4 tunnel"
	case SrcIPv6Tunnel:
		return "ipv6 tunnel"
	case SrcTeredo:
		return "teredo tunnel"
	case SrcVXLAN:
		return "vxlan encapsulation"
	case SrcGeneve:
		return "geneve encapsulation"
	case SrcDefrag:
		return "defrag"
	}
	return "wire/pcap"
}

// Application protocols the flow tables recognise, as Suricata's EVE
// names them in app_proto. AppUnknown (none of them, or nothing seen yet)
// is the zero value: Suricata knows many more protocols, so a flow that
// is none of ours is not known to be Suricata's "failed" and gets no
// app_proto at all.
const (
	AppUnknown uint8 = iota
	AppHTTP
	AppTLS
	AppSSH
	AppSMTP
	AppFTP
	AppDNS
	AppPGSQL
	AppDHCP
	// AppFailed is Suricata's "failed": a tunnel's outer flow, whose
	// packets Suricata decodes as a tunnel and never gives its protocol
	// detection, and a UDP flow whose first datagram is no protocol
	// Suricata parses (analyzer/appproto.go).
	AppFailed
)

// AppName is Suricata's app_proto text for an application protocol, ""
// for AppUnknown (Suricata then writes no app_proto).
func AppName(a uint8) string {
	switch a {
	case AppHTTP:
		return "http"
	case AppTLS:
		return "tls"
	case AppSSH:
		return "ssh"
	case AppSMTP:
		return "smtp"
	case AppFTP:
		return "ftp"
	case AppDNS:
		return "dns"
	case AppPGSQL:
		return "pgsql"
	case AppDHCP:
		return "dhcp"
	case AppFailed:
		return "failed"
	}
	return ""
}

// FlowCounts are a TCP or UDP flow's packets and bytes each way up to and
// including the packet they are read on, as Suricata counts them for its
// flow records: index 0 is to the server, 1 to the client; bytes are
// whole packets (link header included) as captured.
type FlowCounts struct {
	Pkts  [2]uint64
	Bytes [2]uint64
}

// FlowInfo is what an alert tells of its packet's flow: its ends (the
// client is the side that sent first), counts and application protocol.
type FlowInfo struct {
	Client, Server         netip.Addr
	ClientPort, ServerPort uint16
	Counts                 FlowCounts
	App                    uint8
}

// FlowOf describes f's flow, zero when no flow is tracked for it.
func FlowOf(f *Facts) FlowInfo {
	if f.FlowStart == 0 {
		return FlowInfo{}
	}
	fi := FlowInfo{Client: f.Src, Server: f.Dst, ClientPort: f.SrcPort, ServerPort: f.DstPort,
		Counts: f.FlowCounts, App: f.AppProto}
	if f.Dir == DirToClient {
		fi.Client, fi.Server, fi.ClientPort, fi.ServerPort = f.Dst, f.Src, f.DstPort, f.SrcPort
	}
	return fi
}
