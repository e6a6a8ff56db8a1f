package rulematch

// A side's TLS records and handshake messages (handshake.go), read as
// they arrive: record headers may straddle segments, handshake messages
// records, and a Certificate message is read only as far as its first
// certificate. Every length is checked against what encloses it before
// use; a malformed record ends the side's reading, never the run.

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"

	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

const (
	tlsHandshakeServerHello = 2
	tlsHandshakeCertificate = 11
	tlsExtSupportedGroups   = 10
	tlsExtECPointFormats    = 11
)

// readTLS reads record bytes, passing handshake payload on; it returns
// what is left of data (nothing, or everything once the side is done).
func (h *handshakeSide) readTLS(data []byte) []byte {
	if h.recLeft == 0 {
		n := copy(h.hdr[h.hdrN:], data)
		h.hdrN += uint8(n)
		data = data[n:]
		if h.hdrN < tlsRecordHeader {
			return data
		}
		h.hdrN = 0
		l := int(h.hdr[3])<<8 | int(h.hdr[4])
		if h.hdr[0] != tlsContentHandshk || h.hdr[1] != 3 || l == 0 || l > tlsMaxRecordLength {
			// ChangeCipherSpec, an alert or application data: what
			// follows is encrypted; or bytes that are not TLS
			h.state = sideDone
			return nil
		}
		h.recLeft = l
		h.proto = protoTLS
	}
	n := min(h.recLeft, len(data))
	h.recLeft -= n
	h.handshakeBytes(data[:n])
	return data[n:]
}

// handshakeBytes appends handshake payload and reads the messages it
// completes.
func (h *handshakeSide) handshakeBytes(p []byte) {
	for len(p) > 0 && h.state == sideTLS {
		if h.skip > 0 {
			n := min(h.skip, len(p))
			h.skip -= n
			p = p[n:]
			continue
		}
		n := min(handshakeBufBytes-len(h.buf), len(p))
		h.buf = append(h.buf, p[:n]...)
		p = p[n:]
		if !h.handshakeMessages() {
			h.state = sideDone
		}
	}
}

// handshakeMessages reads the whole messages at the front of h.buf and
// drops them; false when a message can never be read (longer than the
// buffer and not one passed over).
func (h *handshakeSide) handshakeMessages() bool {
	for len(h.buf) >= 4 {
		typ := h.buf[0]
		total := 4 + (int(h.buf[1])<<16 | int(h.buf[2])<<8 | int(h.buf[3]))
		if typ == tlsHandshakeCertificate && !h.certDone {
			if !h.leafCertificate() {
				if len(h.buf) < handshakeBufBytes && len(h.buf) < total {
					return true // wait for more
				}
				h.certDone = true // malformed or too long: no certificate
			}
		}
		if total > len(h.buf) {
			if total <= handshakeBufBytes && typ != tlsHandshakeCertificate {
				return true // wait for the rest
			}
			// longer than is kept, or a certificate chain already read:
			// pass over the rest
			h.skip = total - len(h.buf)
			h.buf = h.buf[:0]
			return true
		}
		msg := h.buf[4:total]
		switch typ {
		case tlsHandshakeHello, tlsHandshakeServerHello:
			h.random(msg)
			h.ja3(msg, typ == tlsHandshakeServerHello)
		}
		h.buf = h.buf[:copy(h.buf, h.buf[total:])]
	}
	return true
}

// leafCertificate reads the first certificate of the Certificate message
// at the front of h.buf once it is whole there, reporting whether it
// was. A TLS 1.3 Certificate (request context first) is never seen: it
// is encrypted.
func (h *handshakeSide) leafCertificate() bool {
	b := h.buf[4:]
	if len(b) < 6 {
		return false
	}
	n := int(b[3])<<16 | int(b[4])<<8 | int(b[5])
	if 6+n > len(b) {
		return false
	}
	h.certDone = true
	if n > 0 {
		h.certificate(b[6 : 6+n])
	}
	return true
}

// random sets tls.random, tls.random_time and tls.random_bytes from a
// hello's body: the 32 bytes after the version, the first hello's.
func (h *handshakeSide) random(b []byte) {
	if len(b) < 2+32 {
		return
	}
	r := b[2 : 2+32]
	start := len(h.vals)
	h.vals = append(h.vals, r...)
	h.endValue(rules.BufferTLSRandom, start)
	start = len(h.vals)
	h.vals = append(h.vals, r[:4]...)
	h.endValue(rules.BufferTLSRandomTime, start)
	start = len(h.vals)
	h.vals = append(h.vals, r[4:]...)
	h.endValue(rules.BufferTLSRandomBytes, start)
}

// isGREASE reports whether v is one of RFC 8701's reserved values, which
// JA3 leaves out.
func isGREASE(v int) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

// ja3 sets the JA3 (a ClientHello) or, with server, JA3S (a ServerHello)
// buffers from the hello's body: "version,ciphers,extensions,groups,
// point formats" for JA3, "version,cipher,extensions" for JA3S, decimal
// values joined by "-", GREASE values left out; the hash is the MD5 of
// the string in lowercase hex. A hello that does not parse to its last
// extension gives neither.
func (h *handshakeSide) ja3(b []byte, server bool) {
	strID, hashID := rules.BufferJA3String, rules.BufferJA3Hash
	if server {
		strID, hashID = rules.BufferJA3SString, rules.BufferJA3SHash
	}
	if h.has&(1<<int(strID-rules.BufferTLSCertSubject)) != 0 {
		return // a second hello: Suricata keeps the first's
	}
	h.helloNow = !server
	if len(b) < 2+32+1 {
		return
	}
	start := len(h.vals)
	v := h.vals
	v = strconv.AppendUint(v, uint64(b[0])<<8|uint64(b[1]), 10)
	v = append(v, ',')
	off := 2 + 32
	n := int(b[off]) // session id
	off += 1 + n
	if server {
		if off+3 > len(b) {
			return
		}
		v = strconv.AppendUint(v, uint64(b[off])<<8|uint64(b[off+1]), 10)
		off += 3 // cipher, compression method
	} else {
		if off+2 > len(b) {
			return
		}
		n = int(b[off])<<8 | int(b[off+1])
		off += 2
		if off+n > len(b) || n%2 != 0 {
			return
		}
		v = appendList16(v, b[off:off+n])
		off += n
		if off+1 > len(b) {
			return
		}
		off += 1 + int(b[off]) // compression methods
		if off > len(b) {
			return
		}
	}
	v = append(v, ',')
	var groups, formats, sniData []byte
	if off+2 <= len(b) {
		el := int(b[off])<<8 | int(b[off+1])
		off += 2
		if off+el > len(b) {
			return
		}
		ext := b[off : off+el]
		first := true
		for len(ext) >= 4 {
			typ := int(ext[0])<<8 | int(ext[1])
			l := int(ext[2])<<8 | int(ext[3])
			if 4+l > len(ext) {
				return
			}
			data := ext[4 : 4+l]
			ext = ext[4+l:]
			switch {
			case typ == tlsExtSupportedGroups && len(data) >= 2:
				if gl := int(data[0])<<8 | int(data[1]); 2+gl <= len(data) {
					groups = data[2 : 2+gl]
				}
			case typ == tlsExtECPointFormats && len(data) >= 1:
				if fl := int(data[0]); 1+fl <= len(data) {
					formats = data[1 : 1+fl]
				}
			}
			if typ == tlsExtServerName && sniData == nil {
				sniData = data
			}
			if isGREASE(typ) {
				continue
			}
			if !first {
				v = append(v, '-')
			}
			first = false
			v = strconv.AppendUint(v, uint64(typ), 10)
		}
		if len(ext) != 0 {
			return
		}
	}
	if !server {
		v = append(v, ',')
		v = appendList16(v, groups[:len(groups)&^1])
		v = append(v, ',')
		for i, f := range formats {
			if i > 0 {
				v = append(v, '-')
			}
			v = strconv.AppendUint(v, uint64(f), 10)
		}
	}
	h.vals = v
	sum := md5.Sum(h.vals[start:])
	h.endValue(strID, start)
	start = len(h.vals)
	h.vals = hex.AppendEncode(h.vals, sum[:])
	h.endValue(hashID, start)
	if sp := serverName(sniData, 0); !server && sp.hi > sp.lo {
		// kept for tls.sni on a hello split over segments (tlsSNI)
		start = len(h.vals)
		h.vals = append(h.vals, sniData[sp.lo:sp.hi]...)
		h.endSlot(sniSlot, start)
	}
}

// appendList16 appends the two-byte values of b, GREASE left out, as
// decimals joined by "-".
func appendList16(v, b []byte) []byte {
	first := true
	for i := 0; i+1 < len(b); i += 2 {
		x := int(b[i])<<8 | int(b[i+1])
		if isGREASE(x) {
			continue
		}
		if !first {
			v = append(v, '-')
		}
		first = false
		v = strconv.AppendUint(v, uint64(x), 10)
	}
	return v
}
