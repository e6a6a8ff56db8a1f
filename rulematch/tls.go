package rulematch

// TLS ClientHellos and the tls.sni buffer. Suricata's tls.sni is the host
// name of the ClientHello's server_name extension, as sent (not
// lowercased). There is no protocol detection here, so a TCP payload on
// any port is taken as a ClientHello when it parses as one from its first
// byte: a handshake record (content type 22, version 3.x) held whole in
// the payload, whose first message is a ClientHello (handshake type 1,
// client version 3.x) held whole in the record, with session id, cipher
// suites, compression methods and extensions each within the lengths
// that enclose them. That is conservative: other bytes almost never pass
// every length check, and a ClientHello is what a TLS client sends
// first, so it starts its segment. A hello split over segments or
// records (large key shares make them common) is read by the flow's
// handshake reader instead (handshake.go), which keeps its name for the
// packet that completes it (splitHelloSNI); a hello after other bytes in
// the connection, such as STARTTLS's command, is not seen.
//
// The name is a span of the payload, so the lowercased payload serves for
// nocase and a packet costs no allocation; the parse reads each length
// once, front to back, so it is bounded by the payload and never reads
// past a length it checked.

import (
	"github.com/ipsreplay/ipsreplay/packet"
)

const (
	tlsRecordHeader    = 5
	tlsContentHandshk  = 22
	tlsHandshakeHello  = 1
	tlsExtServerName   = 0
	tlsSNIHostName     = 0
	tlsMaxRecordLength = 1<<14 + 2048 // RFC 5246: a compressed record's bound
)

// parseClientHello returns the span of p holding the server_name host
// name of the ClientHello that p starts with. isHello is false when p is
// not such a ClientHello; a hello without the extension, or whose
// server_name list starts with an entry of another type or an empty name,
// gives an empty span, as Suricata then has no SNI (it reads the first
// entry only).
func parseClientHello(p []byte) (sni span, isHello bool) {
	if len(p) < tlsRecordHeader || p[0] != tlsContentHandshk || p[1] != 3 || p[2] > 4 {
		return span{}, false
	}
	rl := int(p[3])<<8 | int(p[4])
	if rl > tlsMaxRecordLength || tlsRecordHeader+rl > len(p) {
		return span{}, false // the record goes on in a later segment
	}
	rec := p[tlsRecordHeader : tlsRecordHeader+rl]
	if len(rec) < 4 || rec[0] != tlsHandshakeHello {
		return span{}, false
	}
	hl := int(rec[1])<<16 | int(rec[2])<<8 | int(rec[3])
	if 4+hl > len(rec) {
		return span{}, false // the hello goes on in a later record
	}
	base := tlsRecordHeader + 4 // where h starts in p
	h := rec[4 : 4+hl]
	// client_version, random
	if len(h) < 2+32+1 || h[0] != 3 {
		return span{}, false
	}
	off := 2 + 32
	// session_id: at most 32 bytes
	n := int(h[off])
	if n > 32 || off+1+n > len(h) {
		return span{}, false
	}
	off += 1 + n
	// cipher_suites: two bytes each, at least one
	if off+2 > len(h) {
		return span{}, false
	}
	n = int(h[off])<<8 | int(h[off+1])
	if n < 2 || n%2 != 0 || off+2+n > len(h) {
		return span{}, false
	}
	off += 2 + n
	// compression_methods: at least one
	if off+1 > len(h) {
		return span{}, false
	}
	n = int(h[off])
	if n < 1 || off+1+n > len(h) {
		return span{}, false
	}
	off += 1 + n
	if off == len(h) {
		return span{}, true // SSL 3.0 style: no extensions
	}
	if off+2 > len(h) {
		return span{}, false
	}
	el := int(h[off])<<8 | int(h[off+1])
	off += 2
	if off+el != len(h) {
		return span{}, false
	}
	seen := false
	for off+4 <= len(h) {
		typ := int(h[off])<<8 | int(h[off+1])
		n := int(h[off+2])<<8 | int(h[off+3])
		off += 4
		if off+n > len(h) {
			return span{}, false
		}
		if typ == tlsExtServerName && !seen {
			sni, seen = serverName(h[off:off+n], base+off), true
		}
		off += n
	}
	if off != len(h) {
		return span{}, false // a stray byte or three after the last extension
	}
	return sni, true
}

// serverName returns the span of the first server_name entry's host name
// in the extension data e, which starts at p[at]; empty when the list is
// malformed, empty, or starts with another name type.
func serverName(e []byte, at int) span {
	if len(e) < 2 {
		return span{}
	}
	ll := int(e[0])<<8 | int(e[1])
	if 2+ll > len(e) || ll < 3 || e[2] != tlsSNIHostName {
		return span{}
	}
	n := int(e[3])<<8 | int(e[4])
	if n == 0 || 5+n > 2+ll {
		return span{}
	}
	return span{int32(at + 5), int32(at + 5 + n)}
}

// splitHelloSNI is tls.sni for a packet that completes a ClientHello
// split over segments or records, which parseClientHello cannot see: the
// name the flow's handshake reader (handshake.go) took from it, on this
// packet only, so a rule fires once per hello as with a whole one.
func (m *Matcher) splitHelloSNI(f *packet.Facts) (raw, low []byte, ok bool) {
	if m.handshakes == nil || m.sc.tlsHello || !samePayload(m.sc.tlsFor, f.Payload) {
		return nil, nil, false
	}
	h := m.handshakeSideOf(f)
	if h == nil || !h.helloNow || h.has&(1<<sniSlot) == 0 {
		return nil, nil, false
	}
	sp := h.spans[sniSlot]
	return h.vals[sp.lo:sp.hi], h.low[sp.lo:sp.hi], true
}

// tlsSNI returns the packet's tls.sni buffer, parsed at most once per
// packet; ok is false when f is not a TCP segment starting with a
// ClientHello that names a host.
func (m *Matcher) tlsSNI(f *packet.Facts) (raw, low []byte, ok bool) {
	s := &m.sc
	p := f.Payload
	// the payload check keeps a pass over other bytes (a joined request)
	// from reading this packet's name
	if !s.tlsDone || !samePayload(s.tlsFor, p) {
		s.tlsName, s.tlsHello = span{}, false
		if f.Proto == packet.ProtoTCP {
			s.tlsName, s.tlsHello = parseClientHello(p)
		}
		s.tlsDone, s.tlsFor = true, p
	}
	sp := s.tlsName
	if sp.hi <= sp.lo {
		return m.splitHelloSNI(f)
	}
	s.lowerPayload(p)
	return p[sp.lo:sp.hi], s.lower[sp.lo:sp.hi], true
}
