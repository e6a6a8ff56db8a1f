package rulematch

// Inspecting a rule's buffers: each buffer as written and lowercased
// (the payload, or an http span of it), and the walk of a buffer's chain
// of contents, pcres and byte checks (content.go, pcre.go, bytecheck.go).

import (
	"bytes"

	"github.com/ipsreplay/ipsreplay/packet"
	"github.com/ipsreplay/ipsreplay/signatures/rules"
)

func (s *scratch) lowerPayload(p []byte) {
	if !s.lowered {
		s.lower = lowerASCII(s.lower, p)
		s.lowered = true
	}
}

// buffer returns a buffer of the packet as written and lowercased; ok is
// false when the packet does not have it.
func (m *Matcher) buffer(id rules.Buffer, f *packet.Facts) (raw, low []byte, ok bool) {
	s := &m.sc
	if id.IPBuffer() {
		return s.ipBuffer(id, f)
	}
	if id.Header() {
		return s.headerBufferLow(id, f) // present with or without a payload
	}
	if s.inResp && id != rules.BufferPayload {
		return s.responseBuffer(id)
	}
	p := f.Payload
	if len(p) == 0 {
		return nil, nil, false
	}
	if handshakeBuffer(id) {
		return m.handshakeValue(id, f) // kept per flow, lowercased there
	}
	s.lowerPayload(p)
	if id == rules.BufferPayload {
		return p, s.lower, true
	}
	if id == rules.BufferTLSSNI {
		return m.tlsSNI(f)
	}
	if f.Proto != packet.ProtoTCP || f.Dir == packet.DirUnknown || f.Retransmission {
		// no TCP session (a mid-stream packet with flows.midstream off):
		// Suricata runs no app-layer parser on it; nor does it parse a
		// retransmission's bytes a second time
		return nil, nil, false
	}
	if !s.httpDone {
		parseHTTPRequest(p, &s.http)
		s.httpDone = true
		s.namesDone = false
	}
	if id == rules.BufferHTTPHeaderNames {
		return s.headerNames(p)
	}
	if id == rules.BufferFileData {
		// on a request, file.data is its body (the response's is
		// inspected per transaction: httpresp.go); a multipart body holds
		// its files between part headers, which Suricata leaves out of
		// file.data and which are not parsed here: no file.data
		if ct := s.http.spans[rules.BufferHTTPContentType]; ct.hi > ct.lo &&
			bytes.HasPrefix(s.lower[ct.lo:ct.hi], []byte("multipart/")) {
			return nil, nil, false
		}
		id = rules.BufferHTTPBody
	}
	sp := s.http.spans[id]
	if sp.hi < sp.lo || sp.hi == sp.lo && !emptyHeaderValue(id, sp) {
		return nil, nil, false
	}
	low = s.lower[sp.lo:sp.hi]
	if id == rules.BufferHTTPHost {
		return low, low, true // Suricata's http.host is lowercased
	}
	return p[sp.lo:sp.hi], low, true
}

// runChain reports whether a chain matches one buffer: its transforms
// first (transform.go), then its bsize (Suricata tests it as the chain's
// last item, but it depends on nothing else and is cheaper than any),
// then its items, if any.
func (s *scratch) runChain(b *chain, raw, low []byte) bool {
	if len(b.xf) > 0 {
		raw, low = s.transform(b.xf, raw)
	}
	if b.bsize != nil && !b.bsize.Match(len(raw)) {
		return false
	}
	if len(b.items) == 0 {
		return true
	}
	s.steps = 0
	return s.inspect(b.items, 0, raw, low, 0) == 1
}

// emptyHeaderValue reports whether sp is a header's empty value ("User-Agent:"
// with nothing after it) rather than no such header: Suricata inspects such
// a header as an empty buffer, so bsize:0 and a negated content match it
// (suricata-verify detect-bsize-0). A value's span never starts at 0, as
// the request line comes first. Host is left out: Suricata reads it from
// the parsed host name, which an empty header does not give.
func emptyHeaderValue(id rules.Buffer, sp span) bool {
	if sp.lo == 0 {
		return false
	}
	switch id {
	case rules.BufferHTTPUserAgent, rules.BufferHTTPCookie, rules.BufferHTTPContentType, rules.BufferHTTPAccept,
		rules.BufferHTTPAcceptLang, rules.BufferHTTPAcceptEnc, rules.BufferHTTPConnection, rules.BufferHTTPReferer:
		return true
	}
	return false
}

// inspect runs items[i:] over one buffer, the previous match having ended
// at prevEnd, as Suricata's DetectEngineContentInspection does: 1 match,
// 0 no match, -1 no match and no point retrying earlier items.
func (s *scratch) inspect(items []item, i int, raw, low []byte, prevEnd int) int {
	s.steps++
	if s.steps >= s.limit {
		return -1
	}
	switch {
	case items[i].c != nil:
		return s.inspectContent(items, i, raw, low, prevEnd)
	case items[i].b != nil:
		return s.inspectByte(items, i, raw, low, prevEnd)
	case items[i].d != nil:
		return s.inspectDataset(items, i, raw, low, prevEnd)
	}
	return s.inspectPCRE(items, i, raw, low, prevEnd)
}

// next goes on with the item after i, or reports the chain matched.
func (s *scratch) next(items []item, i int, raw, low []byte, prevEnd int) int {
	if i+1 == len(items) {
		return 1
	}
	return s.inspect(items, i+1, raw, low, prevEnd)
}

// headerNames returns the http.header_names buffer of the request parsed
// from p, built once per packet into scratch (it is not a span of p).
func (s *scratch) headerNames(p []byte) (raw, low []byte, ok bool) {
	sp := s.http.spans[rules.BufferHTTPHeader]
	if sp.hi <= sp.lo {
		return nil, nil, false
	}
	if !s.namesDone {
		s.names = appendHeaderNames(s.names[:0], p[sp.lo:sp.hi])
		s.namesLow = lowerASCII(s.namesLow, s.names)
		s.namesDone = true
	}
	return s.names, s.namesLow, true
}

// ipBuffer returns ip.src or ip.dst: the address's 4 (IPv4) or 16 (IPv6)
// bytes, as Suricata's, copied into scratch (an address is a value, not a
// span of the packet). Lowercasing is applied too, for nocase contents.
func (s *scratch) ipBuffer(id rules.Buffer, f *packet.Facts) (raw, low []byte, ok bool) {
	a := f.Src
	if id == rules.BufferIPDst {
		a = f.Dst
	}
	switch {
	case a.Is4():
		b := a.As4()
		raw = append(s.ipRaw[:0], b[:]...)
	case a.Is6():
		b := a.As16()
		raw = append(s.ipRaw[:0], b[:]...)
	default:
		return nil, nil, false
	}
	low = lowerASCII(s.ipLow[:0], raw)
	return raw, low, true
}
