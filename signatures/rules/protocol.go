package rules

import "fmt"

// Protocol is a rule's protocol. Each spelling is its own value (ip4 and
// ipv4 are two), so a message quotes the rule as written; the table below
// says what each one selects, for the parser and the matcher alike.
type Protocol uint8

// Protocols, in table order. The zero value is no protocol.
const (
	ProtoIP Protocol = iota + 1
	ProtoIPv4
	ProtoIP4
	ProtoIPv6
	ProtoIP6
	ProtoTCP
	ProtoTCPPkt
	ProtoTCPStream
	ProtoUDP
	ProtoICMP
	ProtoICMPv4
	ProtoICMPv6
	// App-layer protocols over TCP.
	ProtoHTTP
	ProtoHTTP1
	ProtoHTTP2
	ProtoFTP
	ProtoFTPData
	ProtoSMTP
	ProtoSSH
	ProtoTLS
	ProtoSMB
	ProtoIMAP
	ProtoPOP3
	ProtoRDP
	ProtoRFB
	ProtoMQTT
	ProtoModbus
	ProtoDNP3
	ProtoTelnet
	ProtoPgSQL
	ProtoWebSocket
	ProtoDoH2
	ProtoIRC
	// App-layer protocols over UDP.
	ProtoNTP
	ProtoTFTP
	ProtoDHCP
	ProtoSNMP
	ProtoIKE
	ProtoIKEv2
	ProtoQUIC
	ProtoBitTorrentDHT
	// App-layer protocols over TCP and UDP.
	ProtoDNS
	ProtoKRB5
	ProtoNFS
	ProtoDCERPC
	ProtoENIP
	ProtoSIP
	ProtoLDAP
	// Any packet, for decoder-event rules.
	ProtoPkthdr
	numProtocols
)

// Transport is a set of the packet classes a protocol's rules apply to:
// each IP packet is in exactly one.
type Transport uint8

// Packet classes.
const (
	TransportTCP Transport = 1 << iota
	TransportUDP
	TransportICMPv4
	TransportICMPv6
	TransportOther // any other IP protocol, or no decoded transport header

	transportICMP = TransportICMPv4 | TransportICMPv6
	transportAll  = TransportTCP | TransportUDP | transportICMP | TransportOther
)

// IPVersion is a set of IP versions.
type IPVersion uint8

// IP versions.
const (
	IPv4 IPVersion = 1 << iota
	IPv6

	bothIPs = IPv4 | IPv6
)

type protocolInfo struct {
	name       string
	transports Transport
	ip         IPVersion
	// http: the http buffers may be used (HTTP itself and the transports
	// it runs over)
	http bool
}

// protocolTable is the one protocol table. App-layer names stand for the
// transports Suricata runs their parsers on; their rules still apply on
// the ports written (there is no protocol detection).
func protocolTable() [numProtocols]protocolInfo {
	const tcp, udp = TransportTCP, TransportUDP
	return [numProtocols]protocolInfo{
		ProtoIP:        {"ip", transportAll, bothIPs, true},
		ProtoIPv4:      {"ipv4", transportAll, IPv4, true},
		ProtoIP4:       {"ip4", transportAll, IPv4, true},
		ProtoIPv6:      {"ipv6", transportAll, IPv6, true},
		ProtoIP6:       {"ip6", transportAll, IPv6, true},
		ProtoTCP:       {"tcp", tcp, bothIPs, true},
		ProtoTCPPkt:    {"tcp-pkt", tcp, bothIPs, true},
		ProtoTCPStream: {"tcp-stream", tcp, bothIPs, true},
		ProtoUDP:       {"udp", udp, bothIPs, false},
		ProtoICMP:      {"icmp", transportICMP, bothIPs, false},
		ProtoICMPv4:    {"icmpv4", TransportICMPv4, IPv4, false},
		ProtoICMPv6:    {"icmpv6", TransportICMPv6, IPv6, false},

		ProtoHTTP:      {"http", tcp, bothIPs, true},
		ProtoHTTP1:     {"http1", tcp, bothIPs, true},
		ProtoHTTP2:     {"http2", tcp, bothIPs, true},
		ProtoFTP:       {"ftp", tcp, bothIPs, false},
		ProtoFTPData:   {"ftp-data", tcp, bothIPs, false},
		ProtoSMTP:      {"smtp", tcp, bothIPs, false},
		ProtoSSH:       {"ssh", tcp, bothIPs, false},
		ProtoTLS:       {"tls", tcp, bothIPs, false},
		ProtoSMB:       {"smb", tcp, bothIPs, false},
		ProtoIMAP:      {"imap", tcp, bothIPs, false},
		ProtoPOP3:      {"pop3", tcp, bothIPs, false},
		ProtoRDP:       {"rdp", tcp, bothIPs, false},
		ProtoRFB:       {"rfb", tcp, bothIPs, false},
		ProtoMQTT:      {"mqtt", tcp, bothIPs, false},
		ProtoModbus:    {"modbus", tcp, bothIPs, false},
		ProtoDNP3:      {"dnp3", tcp, bothIPs, false},
		ProtoTelnet:    {"telnet", tcp, bothIPs, false},
		ProtoPgSQL:     {"pgsql", tcp, bothIPs, false},
		ProtoWebSocket: {"websocket", tcp, bothIPs, false},
		ProtoDoH2:      {"doh2", tcp, bothIPs, false},
		ProtoIRC:       {"irc", tcp, bothIPs, false},

		ProtoNTP:           {"ntp", udp, bothIPs, false},
		ProtoTFTP:          {"tftp", udp, bothIPs, false},
		ProtoDHCP:          {"dhcp", udp, bothIPs, false},
		ProtoSNMP:          {"snmp", udp, bothIPs, false},
		ProtoIKE:           {"ike", udp, bothIPs, false},
		ProtoIKEv2:         {"ikev2", udp, bothIPs, false},
		ProtoQUIC:          {"quic", udp, bothIPs, false},
		ProtoBitTorrentDHT: {"bittorrent-dht", udp, bothIPs, false},

		ProtoDNS:    {"dns", tcp | udp, bothIPs, false},
		ProtoKRB5:   {"krb5", tcp | udp, bothIPs, false},
		ProtoNFS:    {"nfs", tcp | udp, bothIPs, false},
		ProtoDCERPC: {"dcerpc", tcp | udp, bothIPs, false},
		ProtoENIP:   {"enip", tcp | udp, bothIPs, false},
		ProtoSIP:    {"sip", tcp | udp, bothIPs, false},
		ProtoLDAP:   {"ldap", tcp | udp, bothIPs, false},

		ProtoPkthdr: {"pkthdr", transportAll, bothIPs, false},
	}
}

func (p Protocol) info() protocolInfo {
	if p >= numProtocols {
		return protocolInfo{}
	}
	return protocolTable()[p]
}

// String returns the protocol as a rule writes it.
func (p Protocol) String() string {
	if name := p.info().name; name != "" {
		return name
	}
	return fmt.Sprintf("Protocol(%d)", uint8(p))
}

// Transports returns the packet classes the protocol's rules apply to;
// none for the zero value.
func (p Protocol) Transports() Transport { return p.info().transports }

// IPVersions returns the IP versions the protocol's rules apply to.
func (p Protocol) IPVersions() IPVersion { return p.info().ip }

// LookupProtocol returns the protocol a rule header names (lowercase).
func LookupProtocol(name string) (Protocol, bool) {
	for p, info := range protocolTable() {
		if info.name == name && name != "" {
			return Protocol(p), true
		}
	}
	return 0, false
}

// carries says whether the protocol can carry packets of one of the
// classes t. The zero value (an unsupported protocol, already skipped) is
// not refused here.
func (p Protocol) carries(t Transport) bool {
	return p == 0 || p.Transports()&t != 0
}

// httpBuffers reports whether the http buffers may be used with the
// protocol; the zero value is not refused here either.
func (p Protocol) httpBuffers() bool {
	return p == 0 || p.info().http
}
