package analyzer

// Application protocol detection for EVE's app_proto: a flow's protocol
// is read off the first data each way, as Suricata's protocol detection
// reads it (patterns first, then the probing parsers of a protocol's
// ports), for the protocols whose signatures are unambiguous in a
// packet's first bytes: http, tls, ssh, smtp, ftp, dns, pgsql, dhcp. A TCP
// flow that is none of them stays unknown, not Suricata's "failed":
// Suricata may know its protocol (smb, rdp, ...). A UDP flow is decided
// on its first datagram, as Suricata decides it: failed unless it is on
// the port of a UDP protocol Suricata parses and we do not (detectUDPApp).

import (
	"github.com/ipsreplay/ipsreplay/packet"
)

// appState is the detection state kept on a flow: the protocol found
// (packet.AppUnknown until then) and which directions' first data has
// been looked at (bit 0 to server, bit 1 to client).
type appState struct {
	proto uint8
	tried uint8
}

// observe looks at f's payload when its direction has not been looked
// at yet; toServer is f's direction, server the server's port.
func (s *appState) observe(f *packet.Facts, toServer bool, server uint16) {
	if s.proto != packet.AppUnknown || len(f.Payload) == 0 || f.Retransmission {
		return
	}
	bit := uint8(2)
	if toServer {
		bit = 1
	}
	if s.tried&bit != 0 {
		return
	}
	s.tried |= bit
	if f.Proto == packet.ProtoUDP {
		// Suricata's UDP detection decides on the first datagram: a
		// protocol, or "failed" for good. We claim failed only off the
		// ports of the UDP protocols it parses and we do not detect.
		s.proto = detectUDPApp(f.Payload, server)
		if s.proto == packet.AppUnknown && !undetectedUDPPort(server) {
			s.proto = packet.AppFailed
		}
		return
	}
	s.proto = detectTCPApp(f.Payload, toServer, server)
}

// detectTCPApp names the protocol of a TCP direction's first data b. A
// client's first word decides most: one switch on it, not a scan of
// every pattern, as every short connection comes here twice.
func detectTCPApp(b []byte, toServer bool, server uint16) uint8 {
	switch {
	case len(b) >= 3 && b[0] == 0x16 && b[1] == 3 && b[2] <= 4:
		return packet.AppTLS // a handshake record, SSL 3.0 to TLS 1.3
	case hasPrefix(b, "SSH-"):
		return packet.AppSSH
	case !toServer && hasPrefix(b, "HTTP/1."):
		return packet.AppHTTP
	case !toServer && hasPrefix(b, "220") && (server == 25 || server == 587):
		return packet.AppSMTP
	case !toServer && hasPrefix(b, "220") && server == 21:
		return packet.AppFTP
	case !toServer:
		return packet.AppUnknown
	case server == 53 && len(b) >= 14 && int(b[0])<<8|int(b[1]) == len(b)-2:
		return packet.AppDNS // one whole message behind its length
	case pgsqlStart(b):
		return packet.AppPGSQL
	}
	// the first word, up to a space or the end of a line
	n := 0
	for n < len(b) && n < 10 && b[n] != ' ' && b[n] != '\r' {
		n++
	}
	switch string(b[:n]) {
	case "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH",
		"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH":
		if n < len(b) && b[n] == ' ' {
			return packet.AppHTTP // Suricata's HTTP patterns: a method and a space
		}
	}
	if n != 4 {
		return packet.AppUnknown
	}
	var w [4]byte // SMTP and FTP commands are read in any case
	for i, c := range b[:4] {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		w[i] = c
	}
	switch string(w[:]) {
	case "EHLO", "HELO":
		return packet.AppSMTP
	case "USER", "PASS", "PORT", "AUTH", "FEAT":
		return packet.AppFTP
	}
	return packet.AppUnknown
}

// pgsqlStart reports whether a client's first data b is a PostgreSQL
// startup packet, as Suricata's probing parser reads one: a length that
// fits, then protocol 3.0, or the SSL, GSSAPI-encryption or cancel
// request codes.
func pgsqlStart(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	code := uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7])
	switch code {
	case 0x00030000: // protocol 3.0: parameters follow
		return n > 8 && n <= 10000
	case 80877103, 80877104: // SSLRequest, GSSENCRequest
		return n == 8
	case 80877102: // CancelRequest
		return n == 16
	}
	return false
}

// detectUDPApp names the protocol of a UDP flow's first datagram b:
// DNS on port 53 when its header could be one (Suricata's probing
// parser: a header and a query count); DHCP on its ports when b is a
// BOOTP message with DHCP's magic cookie.
func detectUDPApp(b []byte, server uint16) uint8 {
	switch {
	case server == 53 && len(b) >= 12:
		return packet.AppDNS
	case (server == 67 || server == 68) && len(b) >= 240 && (b[0] == 1 || b[0] == 2) &&
		string(b[236:240]) == "\x63\x82\x53\x63":
		return packet.AppDHCP
	}
	return packet.AppUnknown
}

// undetectedUDPPort reports whether port is where Suricata 7 finds a UDP
// protocol we do not detect (tftp, krb5, ntp, snmp, quic, ike, nfs, sip),
// so a datagram we cannot name there may still be one it names.
func undetectedUDPPort(port uint16) bool {
	switch port {
	case 69, 88, 123, 161, 162, 443, 500, 2049, 4500, 5060, 5061:
		return true
	}
	return false
}

// hasPrefix reports whether b starts with p, without converting either.
func hasPrefix(b []byte, p string) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == p
}
