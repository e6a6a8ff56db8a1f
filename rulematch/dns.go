package rulematch

// DNS requests and the dns.query buffer. Suricata's dns.query is the
// query name of each question of a DNS request as dotted text
// ("www.example.com": no length bytes, no trailing dot), inspected one
// name at a time; a rule matches when its dns.query chain matches any of
// them. There is no protocol detection here, so a payload is taken as a
// DNS request only when it is sent to port 53 (UDP, or TCP with its
// two-byte length prefix) and parses as one: a header with QR = 0 and at
// least one question whose names decode within bounds. Suricata's default
// detection ports for DNS are 53 too; a DNS request on another port is
// not seen, and a port 53 payload that is not DNS gets no buffer.
//
// Names are decoded into fixed arrays in the matcher's scratch, so a
// packet costs no allocation, and every loop is bounded by the message:
// compression pointers must point before the place the decoder last
// jumped to (or before the name's start), so they can never loop, and a
// name longer than a wire name may be (255 bytes) ends the parse.

import (
	"github.com/ipsreplay/ipsreplay/packet"
)

const (
	dnsPort = 53
	// dnsMaxQuestions is how many questions of a request are decoded; the
	// rest are not inspected. Real requests carry one.
	dnsMaxQuestions = 8
	// dnsMaxName bounds a decoded name: a wire name is at most 255 bytes
	// (RFC 1035), length bytes and the root's zero included, so its
	// dotted text is at most 253.
	dnsMaxName   = 253
	dnsHeaderLen = 12
)

// dnsQueries are the query names of one request, decoded.
type dnsQueries struct {
	n     int                                // names decoded
	spans [dnsMaxQuestions]span              // each name in names/low
	names [dnsMaxQuestions * dnsMaxName]byte // as sent
	low   [dnsMaxQuestions * dnsMaxName]byte // ASCII lowercased
}

// parseDNSRequest decodes the questions of the DNS request in p (a UDP
// payload, or with tcp a TCP payload starting with the message's length)
// into q, and reports whether p is such a request. A truncated or
// malformed question section gives no names at all, as Suricata's parser
// then has no transaction to inspect.
func parseDNSRequest(p []byte, tcp bool, q *dnsQueries) bool {
	q.n = 0
	msg := p
	if tcp {
		if len(p) < 2 {
			return false
		}
		n := int(p[0])<<8 | int(p[1])
		if n > len(p)-2 {
			return false // the message goes on in a later segment
		}
		msg = p[2 : 2+n]
	}
	if len(msg) < dnsHeaderLen || msg[2]&0x80 != 0 { // QR set: a response
		return false
	}
	qd := int(msg[4])<<8 | int(msg[5])
	if qd == 0 {
		return false
	}
	off := dnsHeaderLen
	for i := range min(qd, dnsMaxQuestions) {
		base := i * dnsMaxName
		end, n, ok := decodeDNSName(msg, off, q.names[base:base+dnsMaxName])
		if !ok || end+4 > len(msg) { // QTYPE and QCLASS follow the name
			q.n = 0
			return false
		}
		for j := base; j < base+n; j++ {
			c := q.names[j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			q.low[j] = c
		}
		q.spans[i] = span{int32(base), int32(base + n)}
		q.n = i + 1
		off = end + 4
	}
	return true
}

// decodeDNSName writes the dotted text of the name at msg[off:] to out
// (dnsMaxName bytes) and returns where the name ends in place (after its
// zero label or first pointer) and the text's length; ok is false when
// the name runs past msg, uses a reserved label type, points forward or
// is too long.
func decodeDNSName(msg []byte, off int, out []byte) (end, n int, ok bool) {
	pos, limit := off, off
	end = -1
	for {
		if pos >= len(msg) {
			return 0, 0, false
		}
		l := int(msg[pos])
		switch l & 0xc0 {
		case 0x00:
			if l == 0 {
				if end < 0 {
					end = pos + 1
				}
				return end, n, true
			}
			if pos+1+l > len(msg) {
				return 0, 0, false
			}
			if n > 0 {
				if n == len(out) {
					return 0, 0, false
				}
				out[n] = '.'
				n++
			}
			if n+l > len(out) {
				return 0, 0, false
			}
			n += copy(out[n:], msg[pos+1:pos+1+l])
			pos += 1 + l
		case 0xc0:
			if pos+1 >= len(msg) {
				return 0, 0, false
			}
			target := (l&0x3f)<<8 | int(msg[pos+1])
			// strictly before every place read so far: each jump goes
			// further back, so the walk ends
			if target >= limit {
				return 0, 0, false
			}
			if end < 0 {
				end = pos + 2
			}
			pos, limit = target, target
		default: // 0x40 extended and 0x80 reserved label types
			return 0, 0, false
		}
	}
}

// dnsRequestPacket reports whether f may carry a DNS request: UDP or TCP
// to port 53 with a payload.
func dnsRequestPacket(f *packet.Facts) bool {
	return (f.Proto == packet.ProtoUDP || f.Proto == packet.ProtoTCP) && f.DstPort == dnsPort && len(f.Payload) > 0
}

// matchDNSQuery runs the dns.query chain b on each query name of f's DNS
// request (parsed once per packet) and reports whether one matched.
// Empty names (the root) are no buffer, as an empty payload is none.
func (m *Matcher) matchDNSQuery(b *chain, f *packet.Facts) bool {
	s := &m.sc
	// Observe clears dnsDone per packet; the payload check also keeps a
	// pass over other bytes (a joined request, the stream) from reading
	// this packet's names, should dns rules ever run there
	if !s.dnsDone || !samePayload(s.dnsFor, f.Payload) {
		s.dnsOK = dnsRequestPacket(f) && parseDNSRequest(f.Payload, f.Proto == packet.ProtoTCP, &s.dns)
		s.dnsDone, s.dnsFor = true, f.Payload
	}
	if !s.dnsOK {
		return false
	}
	for i := range s.dns.n {
		sp := s.dns.spans[i]
		if sp.hi <= sp.lo {
			continue
		}
		if s.runChain(b, s.dns.names[sp.lo:sp.hi], s.dns.low[sp.lo:sp.hi]) {
			return true
		}
	}
	return false
}

// samePayload reports whether a and b are the same bytes in memory.
func samePayload(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// dnsPrefilterPiece is the part of a dns.query content the prefilter
// can look for in the raw payload: the longest run without a dot. The
// dotted name is not in the packet (labels are length-prefixed), but a
// run without dots lies within one label, whose bytes are. nil when the
// pattern is all dots.
func dnsPrefilterPiece(pattern []byte) []byte {
	var best []byte
	start := 0
	for i := 0; i <= len(pattern); i++ {
		if i == len(pattern) || pattern[i] == '.' {
			if i-start > len(best) {
				best = pattern[start:i]
			}
			start = i + 1
		}
	}
	return best
}
